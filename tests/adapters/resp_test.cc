// The RESP adapter against real throwaway servers: redis-server and racetrack-server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "adapters/client.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "adapters/url.h"
#include "tests/test_paths.h"

namespace racetrack::adapters {
namespace {

class RespTest : public ::testing::TestWithParam<TargetKind> {
 protected:
  void SetUp() override {
    servers_ = std::make_unique<ThrowawayServers>(test_paths::BinDir(), "");
    const std::string why = servers_->CannotStart(GetParam());
    if (!why.empty()) GTEST_SKIP() << why;
    auto url = servers_->Url(GetParam());
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
    auto t = MakeRespTarget(GetParam(), url_, options_);
    ASSERT_TRUE(t.ok()) << t.status().message();
    target_ = std::move(t).value();
  }

  TargetOptions options_;
  std::unique_ptr<ThrowawayServers> servers_;
  std::string url_;
  std::unique_ptr<Target> target_;
};

TEST_P(RespTest, VocabularyAndPipeline) {
  EXPECT_FALSE(target_->server_version().empty());
  auto c = target_->Connect();
  ASSERT_TRUE(c.ok()) << c.status().message();
  Client& client = **c;
  ASSERT_TRUE(client.Set("k", "v").ok());
  EXPECT_EQ(client.Get("k")->value(), "v");
  EXPECT_EQ(*client.Incr("n"), 1);
  EXPECT_EQ(client.Incr("k").status().code(), Status::Code::kInvalidArgument);  // not an integer
  EXPECT_EQ(*client.HIncrBy("h", "f", 3), 3);
  const std::vector<Argv> batch = {{"SET", "p", "1"}, {"INCR", "p"}, {"GET", "p"}};
  auto replies = client.Pipeline(batch);
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ((*replies)[2].str, "2");
  if (client.capabilities() & kCapScripting) {
    const std::vector<std::string> keys{"p"};
    auto r = client.Eval("return redis.call('INCR', KEYS[1])", keys, {});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->integer, 3);
  }
  if (client.capabilities() & kCapWatchMulti) {
    const std::vector<std::string> keys{"p"};
    ASSERT_TRUE(client.Watch(keys).ok());
    auto other = target_->Connect();
    ASSERT_TRUE((*other)->Set("p", "x").ok());
    const std::vector<Argv> queued{{"SET", "p", "y"}};
    auto exec = client.Exec(queued);
    ASSERT_TRUE(exec.ok()) << exec.status().message();
    EXPECT_FALSE(exec->has_value());
  }
}

TEST_P(RespTest, ServerKilledMidRunIsAClearErrorNotAHang) {
  auto c = target_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Set("k", "v").ok());
  servers_->StopAll();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = (*c)->Get("k");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  // Broken stays broken, fast.
  EXPECT_FALSE((*c)->Set("k", "v").ok());
  // New connections are refused with a one-line reason.
  auto again = target_->Connect();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message().find('\n'), std::string::npos);
}

TEST_P(RespTest, GarbageUrlAndRefusedPort) {
  auto bad = MakeRespTarget(GetParam(), "not a url", options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  auto wrong_scheme = MakeRespTarget(GetParam(), "postgresql://127.0.0.1:1/db", options_);
  ASSERT_FALSE(wrong_scheme.ok());
  auto refused = MakeRespTarget(GetParam(), "redis://127.0.0.1:1", options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Targets, RespTest,
                         ::testing::Values(TargetKind::kRedis, TargetKind::kBuiltinTcp),
                         [](const auto& info) {
                           return info.param == TargetKind::kRedis ? "redis" : "builtin_tcp";
                         });

TEST(RespAuthTest, WrongPasswordIsRefusedAndNeverEchoed) {
  ThrowawayServers servers(test_paths::BinDir(), "");
  if (!servers.CannotStart(TargetKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  auto url = servers.Url(TargetKind::kRedis);
  ASSERT_TRUE(url.ok()) << url.status().message();
  TargetOptions options;
  {
    auto admin = MakeRespTarget(TargetKind::kRedis, *url, options);
    ASSERT_TRUE(admin.ok());
    auto c = (*admin)->Connect();
    auto r = (*c)->Command({"CONFIG", "SET", "requirepass", "right-horse"});
    ASSERT_TRUE(r.ok());
  }
  auto u = ParseUrl(*url);
  const std::string base = "127.0.0.1:" + std::to_string(u->port);
  auto wrong = MakeRespTarget(TargetKind::kRedis, "redis://:battery-staple@" + base, options);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(wrong.status().message().find("authentication failed"), std::string::npos);
  EXPECT_EQ(wrong.status().message().find("battery-staple"), std::string::npos);
  auto none = MakeRespTarget(TargetKind::kRedis, "redis://" + base, options);
  ASSERT_FALSE(none.ok());  // NOAUTH
  auto right = MakeRespTarget(TargetKind::kRedis, "redis://:right-horse@" + base, options);
  ASSERT_TRUE(right.ok()) << right.status().message();
  EXPECT_EQ((*right)->endpoint().find("right-horse"), std::string::npos);
}

}  // namespace
}  // namespace racetrack::adapters

// KillableServer against real binaries: a write acknowledged under appendfsync always survives
// SIGKILL and a restart on the same data; memory-only data does not; the port stays the same;
// the in-process engine is refused with a reason. Also the push vocabulary: Subscribe/Receive and
// Abort on the builtin target.
#include "adapters/killable_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "adapters/client.h"
#include "adapters/target.h"
#include "tests/test_paths.h"

namespace racetrack::adapters {
namespace {

std::unique_ptr<Client> ConnectTo(const KillableServer& s) {
  auto target = MakeRespTarget(s.kind(), s.url(), TargetOptions{});
  if (!target.ok()) return nullptr;
  auto c = (*target)->Connect();
  return c.ok() ? std::move(*c) : nullptr;
}

void KillAndRestartKeepsWhatTheModeKeeps(TargetKind kind) {
  auto aof = KillableServer::Start(kind, {"--appendonly", "yes", "--appendfsync", "always"},
                                   test_paths::BinDir());
  if (!aof.ok() && aof.status().code() == Status::Code::kUnavailable &&
      aof.status().message().find("not found") != std::string::npos) {
    GTEST_SKIP() << aof.status().message();
  }
  ASSERT_TRUE(aof.ok()) << aof.status().message();
  auto mem =
      KillableServer::Start(kind, {"--appendonly", "no", "--save", ""}, test_paths::BinDir());
  ASSERT_TRUE(mem.ok()) << mem.status().message();
  for (KillableServer* s : {aof->get(), mem->get()}) {
    auto c = ConnectTo(*s);
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Set("k", "acknowledged").ok());
    const std::string url = s->url();
    ASSERT_TRUE(s->Kill().ok());
    EXPECT_FALSE(c->Get("k").ok()) << "the connection died with the server";
    auto up = s->Restart();
    ASSERT_TRUE(up.ok()) << up.status().message();
    EXPECT_GT(*up, 0);
    EXPECT_EQ(s->url(), url);
    auto again = ConnectTo(*s);
    ASSERT_NE(again, nullptr);
    auto v = again->Get("k");
    ASSERT_TRUE(v.ok()) << v.status().message();
    if (s == aof->get()) {
      EXPECT_EQ(v->value_or("(missing)"), "acknowledged");
      EXPECT_GT(s->BytesOnDisk(), 0u);
    } else {
      EXPECT_FALSE(v->has_value()) << "memory only: nothing survives a kill";
    }
  }
}

TEST(KillableServer, RacetrackServerAlwaysKeepsMemoryOnlyLoses) {
  KillAndRestartKeepsWhatTheModeKeeps(TargetKind::kBuiltinTcp);
}

TEST(KillableServer, RedisAlwaysKeepsMemoryOnlyLoses) {
  KillAndRestartKeepsWhatTheModeKeeps(TargetKind::kRedis);
}

TEST(KillableServer, TheInProcessEngineHasNoProcess) {
  auto s = KillableServer::Start(TargetKind::kBuiltin, {}, test_paths::BinDir());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("no server process"), std::string::npos);
}

TEST(BuiltinPush, SubscriberReceivesPublishedMessagesAndAbortEndsTheConnection) {
  auto target = MakeBuiltinTarget();
  auto sub = target->Connect();
  auto pub = target->Connect();
  ASSERT_TRUE(sub.ok() && pub.ok());
  ASSERT_TRUE((*sub)->Subscribe("ch").ok());
  auto none = (*sub)->Receive(0.01);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto n = (*pub)->Command({"PUBLISH", "ch", "hello"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->integer, 1);
  auto m = (*sub)->Receive(1.0);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->channel, "ch");
  EXPECT_EQ((*m)->payload, "hello");
  (*sub)->Abort();
  EXPECT_EQ((*sub)->Receive(0.01).status().code(), Status::Code::kUnavailable);
  n = (*pub)->Command({"PUBLISH", "ch", "nobody"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->integer, 0) << "an aborted subscriber is gone from the server";
}

TEST(BuiltinPush, BlockingPopWaitsForAnotherClientsPush) {
  auto target = MakeBuiltinTarget();
  auto a = target->Connect();
  auto b = target->Connect();
  ASSERT_TRUE(a.ok() && b.ok());
  auto timeout = (*a)->Command({"BRPOP", "q", "0.05"});
  ASSERT_TRUE(timeout.ok());
  EXPECT_TRUE(timeout->is_nil()) << timeout->ToString();
  std::thread pusher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (void)(*b)->Command({"LPUSH", "q", "x"});
  });
  auto got = (*a)->Command({"BRPOP", "q", "5"});
  pusher.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->elements.size(), 2u) << got->ToString();
  EXPECT_EQ(got->elements[1].str, "x");
}

}  // namespace
}  // namespace racetrack::adapters

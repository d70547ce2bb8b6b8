// The libpq adapter against a real throwaway PostgreSQL cluster. One test (one cluster) for the
// happy paths, one for the error paths, to keep initdb runs few.
#include <gtest/gtest.h>

#include <chrono>

#include "adapters/client.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "adapters/url.h"
#include "tests/test_paths.h"

namespace racetrack::adapters {
namespace {

// One throwaway cluster per test; a machine without PostgreSQL skips with the reason.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = servers_.CannotStart(TargetKind::kPostgres);
    if (!why.empty()) GTEST_SKIP() << why;
    auto url = servers_.Url(TargetKind::kPostgres);
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
  }

  ThrowawayServers servers_{test_paths::BinDir(), ""};
  std::string url_;
};

TEST_F(PostgresTest, StatementsBatchesTransactionsAndErrors) {
  TargetOptions options;
  auto target = MakePostgresTarget(url_, options);
  ASSERT_TRUE(target.ok()) << target.status().message();
  EXPECT_EQ((*target)->endpoint().find(ParseUrl(url_)->password), std::string::npos);
  EXPECT_FALSE((*target)->server_version().empty());

  auto c = (*target)->Connect();
  ASSERT_TRUE(c.ok());
  Client& db = **c;
  ASSERT_TRUE(db.Query({"", "CREATE TABLE t (id int PRIMARY KEY, s text)"}, {}).ok());
  const SqlStatement insert{"ins", "INSERT INTO t VALUES ($1, $2)"};
  const SqlStatement select{"sel", "SELECT s FROM t WHERE id = $1"};
  // A value that would break string-built SQL is just data here.
  const std::string tricky = "it's'); DROP TABLE t; --";
  ASSERT_TRUE(db.Query(insert, std::vector<std::string>{"1", tricky}).ok());
  EXPECT_EQ(db.Query(select, std::vector<std::string>{"1"})->Scalar(), tricky);
  EXPECT_FALSE(db.Query(select, std::vector<std::string>{"2"})->Scalar().has_value());

  // Pipeline mode: several calls, one round trip.
  std::vector<SqlCall> calls;
  for (int i = 2; i < 6; ++i) calls.push_back({&insert, {std::to_string(i), "v"}});
  calls.push_back({&select, {"3"}});
  auto batch = db.QueryBatch(calls);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->size(), 5u);
  EXPECT_EQ((*batch)[4].Scalar(), "v");
  // A failing call in a batch is reported; the connection stays usable.
  std::vector<SqlCall> dup{{&insert, {"2", "dup"}}};
  EXPECT_FALSE(db.QueryBatch(dup).ok());
  EXPECT_TRUE(db.Query(select, std::vector<std::string>{"2"}).ok());

  // A statement error inside a transaction makes COMMIT an error, not a silent rollback.
  ASSERT_TRUE(db.Begin().ok());
  EXPECT_FALSE(db.Query(insert, std::vector<std::string>{"1", "dup"}).ok());
  EXPECT_FALSE(db.Commit().ok());

  // Serialization failures are recognizable, so callers can retry.
  auto other = (*target)->Connect();
  const SqlStatement update{"upd", "UPDATE t SET s = $2 WHERE id = $1"};
  ASSERT_TRUE(db.Begin(Isolation::kSerializable).ok());
  ASSERT_TRUE((*other)->Begin(Isolation::kSerializable).ok());
  ASSERT_TRUE(db.Query(select, std::vector<std::string>{"5"}).ok());
  ASSERT_TRUE((*other)->Query(select, std::vector<std::string>{"5"}).ok());
  ASSERT_TRUE(db.Query(update, std::vector<std::string>{"5", "a"}).ok());
  ASSERT_TRUE(db.Commit().ok());
  auto lost = (*other)->Query(update, std::vector<std::string>{"5", "b"});
  EXPECT_FALSE(lost.ok());
  EXPECT_TRUE((*other)->LastErrorWasConflict());
  EXPECT_TRUE((*other)->Rollback().ok());

  // Redis commands are not spoken here.
  EXPECT_FALSE(db.Get("k").ok());
}

TEST_F(PostgresTest, WrongPasswordGarbageUrlAndKilledServer) {
  TargetOptions options;
  auto u = ParseUrl(url_);
  const std::string wrong =
      "postgresql://racetrack:not-the-password@127.0.0.1:" + std::to_string(u->port) + "/postgres";
  auto denied = MakePostgresTarget(wrong, options);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(denied.status().message().find("password authentication failed"), std::string::npos);
  EXPECT_EQ(denied.status().message().find("not-the-password"), std::string::npos);
  EXPECT_EQ(denied.status().message().find('\n'), std::string::npos);

  EXPECT_EQ(MakePostgresTarget("garbage", options).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(MakePostgresTarget("redis://127.0.0.1:1", options).status().code(),
            Status::Code::kInvalidArgument);

  auto target = MakePostgresTarget(url_, options);
  ASSERT_TRUE(target.ok());
  auto c = (*target)->Connect();
  ASSERT_TRUE(c.ok());
  const SqlStatement one{"one", "SELECT 1"};
  ASSERT_TRUE((*c)->Query(one, {}).ok());
  servers_.StopAll();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = (*c)->Query(one, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

}  // namespace
}  // namespace racetrack::adapters

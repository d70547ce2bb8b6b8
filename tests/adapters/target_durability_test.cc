// --durability on real targets: each mode applied live to the in-process engine and to throwaway
// racetrack-server, redis-server and PostgreSQL, then read back from the server itself; and the
// mode parser's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "adapters/client.h"
#include "adapters/durability.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "tests/test_paths.h"

namespace racetrack::adapters {
namespace {

namespace fs = std::filesystem;

TEST(DurabilityTest, ParsesModesAndListsWithOneLineErrors) {
  EXPECT_EQ(*ParseDurability("strict"), Durability::kStrict);
  auto list = ParseDurabilityList("off,strict");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<Durability>{Durability::kOff, Durability::kStrict}));
  for (const char* bad : {"", "fast", "off,", "OFF", "off,off", "strict;rm"}) {
    auto r = ParseDurabilityList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--durability"), std::string::npos) << bad;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << bad;
  }
}

// Applies each mode in turn (off -> relaxed -> strict -> off, so every change is exercised
// live) and checks what the server itself reports.
void CycleModes(Target& target, const std::string& scratch) {
  for (Durability mode :
       {Durability::kOff, Durability::kRelaxed, Durability::kStrict, Durability::kOff}) {
    SCOPED_TRACE(std::string(target.name()) + " " + std::string(DurabilityName(mode)));
    Status s = ApplyDurability(target, mode, scratch);
    ASSERT_TRUE(s.ok()) << s.message();
    auto got = ReadDurability(target);
    ASSERT_TRUE(got.ok()) << got.status().message();
    for (const auto& [name, value] : ExpectedDurability(target.kind(), mode)) {
      EXPECT_EQ((*got)[name], value) << name;
    }
    // Writes still work in every mode (the log, when on, is written before the reply).
    auto c = target.Connect();
    ASSERT_TRUE(c.ok());
    if (target.kind() == TargetKind::kPostgres) {
      ASSERT_TRUE((*c)->Query({"", "CREATE TABLE IF NOT EXISTS d (v int)"}, {}).ok());
      ASSERT_TRUE((*c)->Query({"", "INSERT INTO d VALUES (1)"}, {}).ok());
    } else {
      ASSERT_TRUE((*c)->Incr("durability:k").ok());
      // The log itself is open or closed, not just the setting (CONFIG SET appendonly acts).
      auto info = (*c)->Command({"INFO", "persistence"});
      ASSERT_TRUE(info.ok());
      const std::string want = mode == Durability::kOff ? "aof_enabled:0" : "aof_enabled:1";
      EXPECT_NE(info->str.find(want), std::string::npos) << info->str;
    }
  }
}

TEST(DurabilityTest, InProcessEngineWritesItsLogIntoTheScratchDir) {
  char tmpl[] = "/tmp/racetrack-durability-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  auto target = MakeBuiltinTarget();
  ASSERT_TRUE(ApplyDurability(*target, Durability::kStrict, dir).ok());
  auto c = target->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Set("a", "hello").ok());
  // appendfsync always: the write is in the log by the time its reply came back.
  const fs::path log = fs::path(dir) / "appendonly.aof";
  ASSERT_TRUE(fs::exists(log));
  const auto size = fs::file_size(log);
  ASSERT_TRUE((*c)->Set("b", "world").ok());
  EXPECT_GT(fs::file_size(log), size);
  // Without a directory the in-process engine refuses rather than writing into the cwd.
  auto other = MakeBuiltinTarget();
  EXPECT_FALSE(ApplyDurability(*other, Durability::kRelaxed, "").ok());
  CycleModes(*target, dir);
  c->reset();  // connections before their target
  target.reset();
  fs::remove_all(dir);
}

class ServerDurabilityTest : public ::testing::TestWithParam<TargetKind> {};

TEST_P(ServerDurabilityTest, EachModeIsReadBackFromTheServer) {
  ThrowawayServers servers(test_paths::BinDir(), "");
  const std::string why = servers.CannotStart(GetParam());
  if (!why.empty()) GTEST_SKIP() << why;
  TargetOptions options;
  options.bin_dir = test_paths::BinDir();
  auto target = OpenTarget(GetParam(), options, &servers);
  ASSERT_TRUE(target.ok()) << target.status().message();
  // A fresh throwaway server starts with durability off.
  auto fresh = ReadDurability(**target);
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  for (const auto& [name, value] : ExpectedDurability(GetParam(), Durability::kOff)) {
    EXPECT_EQ((*fresh)[name], value) << name;
  }
  CycleModes(**target, "");
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerDurabilityTest,
                         ::testing::Values(TargetKind::kBuiltinTcp, TargetKind::kRedis,
                                           TargetKind::kPostgres),
                         [](const auto& info) {
                           std::string n(TargetName(info.param));
                           for (char& ch : n) ch = ch == '-' ? '_' : ch;
                           return n;
                         });

TEST(DurabilityTest, BuiltinTcpReportsRacetracksOwnVersion) {
  ThrowawayServers servers(test_paths::BinDir(), "");
  const std::string why = servers.CannotStart(TargetKind::kBuiltinTcp);
  if (!why.empty()) GTEST_SKIP() << why;
  TargetOptions options;
  auto target = OpenTarget(TargetKind::kBuiltinTcp, options, &servers);
  ASSERT_TRUE(target.ok()) << target.status().message();
  EXPECT_EQ((*target)->server_version(), std::string("racetrack ") + RACETRACK_VERSION);
}

}  // namespace
}  // namespace racetrack::adapters

// ACL in-process (no servers): the rules' effects through Engine::Execute, the in-process path the
// builtin target uses, and a property Redis's own code asserts at run time: describing a user's
// command bitmap as rules and applying those rules to a fresh user gives back the same bitmap.
// Byte-for-byte replies against redis-server are in tests/conformance (acl.redis,
// acl_conformance_test).
#include "engine/acl.h"

#include <random>
#include <string>
#include <vector>

#include "engine/command_meta.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class AclTest : public EngineTest {};

TEST_F(AclTest, DefaultUserIsUnrestrictedAndFollowsRequirepass) {
  EXPECT_EQ(Run({"acl", "whoami"}), Bulk("default"));
  EXPECT_EQ(Run({"acl", "list"}), Arr({"user default on nopass ~* &* +@all"}));
  EXPECT_EQ(Run({"config", "set", "requirepass", "s3cret"}), Ok());
  ClientState other;
  engine_.AddClient(&other);
  EXPECT_EQ(Run(other, {"get", "k"}), Err("NOAUTH Authentication required."));
  EXPECT_EQ(Run(other, {"auth", "wrong"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(Run(other, {"auth", "s3cret"}), Ok());
  EXPECT_EQ(Run(other, {"get", "k"}), Nil());
  engine_.RemoveClient(&other);
  EXPECT_EQ(Run({"config", "set", "requirepass", ""}), Ok());
  EXPECT_EQ(Run({"acl", "list"}), Arr({"user default on nopass ~* &* +@all"}));
}

TEST_F(AclTest, KeyCommandAndChannelDenials) {
  EXPECT_EQ(Run({"acl", "setuser", "r", "on", "nopass", "%R~cache:*", "+get", "+set", "&n.*",
                 "+publish", "+multi", "+exec"}),
            Ok());
  EXPECT_EQ(Run({"set", "cache:1", "v"}), Ok());
  EXPECT_EQ(Run({"auth", "r", "any"}), Ok());
  EXPECT_EQ(Run({"get", "cache:1"}), Bulk("v"));
  EXPECT_EQ(Run({"get", "other"}),
            Err("NOPERM this user has no permissions to access one of the keys used as "
                "arguments"));
  EXPECT_EQ(Run({"set", "cache:1", "w"}),  // read-only pattern: no write
            Err("NOPERM this user has no permissions to access one of the keys used as "
                "arguments"));
  EXPECT_EQ(Run({"del", "cache:1"}),
            Err("NOPERM this user has no permissions to run the 'del' command"));
  EXPECT_EQ(Run({"publish", "n.x", "m"}), Int(0));
  EXPECT_EQ(Run({"publish", "x", "m"}),
            Err("NOPERM this user has no permissions to access one of the channels used as "
                "arguments"));
  // The rules changed between queuing and EXEC: EXEC's own text.
  EXPECT_EQ(Run({"multi"}), Status("OK"));
  EXPECT_EQ(Run({"get", "cache:1"}), Status("QUEUED"));
  ClientState admin;
  engine_.AddClient(&admin);
  EXPECT_EQ(Run(admin, {"acl", "setuser", "r", "-get"}), Ok());
  EXPECT_EQ(Run({"exec"}),
            "*1\r\n" + Err("NOPERM ACLs rules changed between the moment the transaction was "
                           "accumulated and the EXEC call. This command is no longer allowed for "
                           "the following reason: no permission to execute the command or "
                           "subcommand"));
  // Four denials so far (key, key, command, channel) and EXEC's: the log has them, newest first.
  EXPECT_THAT(Run(admin, {"acl", "log", "1"}), ::testing::HasSubstr("context\r\n$5\r\nmulti"));
  EXPECT_EQ(Run(admin, {"acl", "deluser", "r"}), Int(1));
  EXPECT_TRUE(client_.close_after_reply);  // the deleted user's connection is closed
  engine_.RemoveClient(&admin);
}

TEST_F(AclTest, CategoriesComeFromRedisTable) {
  const CommandSpec* get = engine_.commands().Find("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->acl_categories, kAclRead | kAclString | kAclFast);
  const CommandSpec* flushall = engine_.commands().Find("flushall");
  ASSERT_NE(flushall, nullptr);
  EXPECT_TRUE(flushall->acl_categories & kAclDangerous);
  EXPECT_TRUE(flushall->acl_categories & kAclKeyspace);
}

// Redis panics if ACLDescribeSelectorCommandRules's output does not rebuild the bitmap; here the
// same property is tested over random rule sets.
TEST_F(AclTest, DescribedRulesRebuildTheSameCommandBitmap) {
  Acl& acl = engine_.acl();
  std::vector<std::string> names;
  for (const auto& [name, spec] : engine_.commands().all()) {
    names.push_back(name);
    for (const auto& [sub, s] : spec->subcommands) names.push_back(s->name);
  }
  std::vector<std::string> cats;
  for (const AclCategoryName& c : AclCategoryNames()) cats.emplace_back(c.name);
  std::mt19937 rng(17);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> ops = {rng() % 2 ? "+@all" : "-@all"};
    int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      char sign = rng() % 2 ? '+' : '-';
      if (rng() % 2) {
        ops.push_back(std::string(1, sign) + "@" + cats[rng() % cats.size()]);
      } else {
        ops.push_back(std::string(1, sign) + names[rng() % names.size()]);
      }
    }
    std::vector<std::string_view> views(ops.begin(), ops.end());
    ASSERT_EQ(acl.SetUser("prop", views), "");
    const AclUser* u = acl.Find("prop");
    std::string described = acl.DescribeCommands(u->selectors[0]);
    std::vector<std::string> again;
    ASSERT_TRUE(SplitArgs(described, &again));
    std::vector<std::string_view> again_views(again.begin(), again.end());
    ASSERT_EQ(acl.SetUser("copy", again_views), "");
    EXPECT_EQ(acl.Find("copy")->selectors[0].allowed, u->selectors[0].allowed)
        << "rules: " << ::testing::PrintToString(ops) << " described as: " << described;
    acl.DelUser("prop");
    acl.DelUser("copy");
  }
}

}  // namespace
}  // namespace racetrack::engine

#include "engine/command.h"

#include "engine/command_meta.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace racetrack::engine {
namespace {

void Nop(CommandContext&) {}

TEST(CommandRegistrarTest, AddAndSubFillEveryField) {
  CommandTable table;
  CommandRegistrar reg(table, "demo");
  reg.Add("thing", -2, kCmdWrite | kCmdFast, {1, -1, 2}, {"O(1)", "Does a thing.", "1.0.0"}, Nop);
  reg.Add("box", -2, 0, {}, {"Depends on subcommand.", "A container.", "2.0.0"}, nullptr);
  reg.Sub("box", "open", 3, kCmdReadOnly, {2, 2, 1}, {"O(N)", "Opens the box.", "2.1.0"}, Nop);

  const CommandSpec* thing = table.Find("THING");
  ASSERT_NE(thing, nullptr);
  EXPECT_EQ(thing->name, "thing");
  EXPECT_EQ(thing->arity, -2);
  EXPECT_EQ(thing->flags, uint32_t{kCmdWrite | kCmdFast});
  EXPECT_EQ(thing->group, "demo");
  EXPECT_EQ(thing->complexity, "O(1)");
  EXPECT_EQ(thing->summary, "Does a thing.");
  EXPECT_EQ(thing->since, "1.0.0");
  EXPECT_EQ(thing->handler, &Nop);
  EXPECT_EQ(thing->KeyPositions(6), (std::vector<int>{1, 3, 5}));

  const CommandSpec* box = table.Find("box");
  ASSERT_NE(box, nullptr);
  ASSERT_EQ(box->subcommands.count("open"), 1u);
  const CommandSpec& open = *box->subcommands.at("open");
  EXPECT_EQ(open.name, "box|open");
  EXPECT_EQ(open.group, "demo");
  EXPECT_EQ(open.summary, "Opens the box.");
  EXPECT_EQ(open.KeyPositions(3), (std::vector<int>{2}));
  EXPECT_TRUE(box->KeyPositions(3).empty());
}

// A command Redis 7.0.15 documents gets its complexity, summary and since from those docs
// (command_docs_data.cc); the registrar refuses a second copy of them.
TEST(CommandRegistrarTest, RedisCommandsTakeRedisDocs) {
  CommandTable table;
  CommandRegistrar reg(table, "server");
  reg.Add("get", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, Nop);
  reg.Add("config", -2, 0, {}, nullptr);
  reg.Sub("config", "get", -3, kCmdAdmin, {}, Nop);

  const CommandSpec* get = table.Find("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->complexity, "O(1)");
  EXPECT_EQ(get->summary, "Get the value of a key");
  EXPECT_EQ(get->since, "1.0.0");
  const CommandSpec& config_get = *table.Find("config")->subcommands.at("get");
  EXPECT_EQ(config_get.summary, FindCommandDoc("config|get")->summary);
  EXPECT_EQ(config_get.since, "2.0.0");

  EXPECT_DEATH(reg.Add("set", -3, kCmdWrite, {1, 1, 1}, {"O(1)", "Sets.", "1.0.0"}, Nop), "");
  EXPECT_DEATH(reg.Sub("config", "set", -4, kCmdAdmin, {}, {"O(N)", "Sets.", "2.0.0"}, Nop), "");
}

// Before one registration style, "kW" meant write in one family and write+denyoom in another.
// Pin the flags of a command from each side so a shorthand cannot creep back unnoticed.
TEST(CommandRegistrarTest, FlagsMeanTheSameInEveryFamily) {
  CommandTable table;
  RegisterAllFamilies(table);
  EXPECT_EQ(table.Find("del")->FlagNames(), (std::vector<std::string_view>{"write"}));
  EXPECT_EQ(table.Find("set")->FlagNames(), (std::vector<std::string_view>{"write", "denyoom"}));
  EXPECT_EQ(table.Find("sadd")->FlagNames(),
            (std::vector<std::string_view>{"write", "denyoom", "fast"}));
  EXPECT_EQ(table.Find("unlink")->FlagNames(), (std::vector<std::string_view>{"write", "fast"}));
}

}  // namespace
}  // namespace racetrack::engine

#include "engine/base/enum_names.h"

#include <gtest/gtest.h>

namespace racetrack {
namespace {

enum class Mode { kOff, kRelaxed, kStrict };

constexpr EnumName<Mode> kModeNames[] = {
    {Mode::kOff, "off"},
    {Mode::kRelaxed, "relaxed"},
    {Mode::kStrict, "strict"},
};
static_assert(NamesEveryValue(kModeNames, Mode::kStrict));
static_assert(NameOf(kModeNames, Mode::kRelaxed) == "relaxed");
static_assert(ValueOf(kModeNames, "strict") == Mode::kStrict);

constexpr EnumName<Mode> kPartialNames[] = {{Mode::kOff, "off"}, {Mode::kStrict, "strict"}};
static_assert(!NamesEveryValue(kPartialNames, Mode::kStrict));
static_assert(NamesEveryValue(kPartialNames, Mode::kStrict, Mode::kStrict));

TEST(EnumNamesTest, NameOfEveryValue) {
  EXPECT_EQ(NameOf(kModeNames, Mode::kOff), "off");
  EXPECT_EQ(NameOf(kModeNames, Mode::kRelaxed), "relaxed");
  EXPECT_EQ(NameOf(kModeNames, Mode::kStrict), "strict");
}

TEST(EnumNamesTest, NameOfAValueTheTableLacksIsTheMissingText) {
  EXPECT_EQ(NameOf(kPartialNames, Mode::kRelaxed, "unknown"), "unknown");
  EXPECT_EQ(NameOf(kPartialNames, Mode::kRelaxed), "");
}

TEST(EnumNamesTest, ValueOfMatchesNamesExactly) {
  EXPECT_EQ(ValueOf(kModeNames, "off"), Mode::kOff);
  EXPECT_EQ(ValueOf(kModeNames, "relaxed"), Mode::kRelaxed);
  EXPECT_EQ(ValueOf(kModeNames, "Off"), std::nullopt);
  EXPECT_EQ(ValueOf(kModeNames, "of"), std::nullopt);
  EXPECT_EQ(ValueOf(kModeNames, ""), std::nullopt);
}

TEST(EnumNamesTest, NameAndValueRoundTrip) {
  for (const auto& row : kModeNames)
    EXPECT_EQ(ValueOf(kModeNames, NameOf(kModeNames, row.value)), row.value);
}

TEST(EnumNamesTest, JoinNamesListsTheTableInItsOrder) {
  EXPECT_EQ(JoinNames(kModeNames, ", "), "off, relaxed, strict");
  EXPECT_EQ(JoinNames(kPartialNames, "|"), "off|strict");
}

}  // namespace
}  // namespace racetrack

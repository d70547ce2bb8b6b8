#include "engine/ds/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace racetrack::engine {
namespace {

// The encodings redis-server 7.0.15 reports for the same texts (tests/conformance checks the
// commands against a real server; this checks the rules).
TEST(ValueTest, EncodingsFollowRedisRules) {
  EXPECT_EQ(Value("12345").Encoding(), "int");
  EXPECT_EQ(Value("-9223372036854775808").Encoding(), "int");
  EXPECT_EQ(Value("9223372036854775807").Encoding(), "int");
  EXPECT_EQ(Value("9223372036854775808").Encoding(), "embstr");  // does not fit a long
  EXPECT_EQ(Value("0123").Encoding(), "embstr");
  EXPECT_EQ(Value("-0").Encoding(), "embstr");
  EXPECT_EQ(Value("+1").Encoding(), "embstr");
  EXPECT_EQ(Value(" 1").Encoding(), "embstr");
  EXPECT_EQ(Value("0").Encoding(), "int");
  EXPECT_EQ(Value("").Encoding(), "embstr");
  EXPECT_EQ(Value(std::string(44, 'x')).Encoding(), "embstr");
  EXPECT_EQ(Value(std::string(45, 'x')).Encoding(), "raw");
  EXPECT_EQ(Value::Embstr("2").Encoding(), "embstr");
  EXPECT_EQ(Value::FromInt(-42).Encoding(), "int");
  EXPECT_EQ(Value::FromInt(-42).str(), "-42");
  // FromInt sets "int" without re-parsing: it must agree with what SET of the same text gives.
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1234567890}, int64_t{12345678901},
                    INT64_MAX, INT64_MIN}) {
    Value a = Value::FromInt(v);
    Value b(std::to_string(v));
    EXPECT_EQ(a.str(), std::to_string(v));
    EXPECT_EQ(a.Encoding(), "int");
    EXPECT_EQ(a.Encoding(), b.Encoding());
    EXPECT_EQ(a.MemoryUsage(), b.MemoryUsage());
  }
  EXPECT_EQ(Value::Raw("hll").Encoding(), "raw");
}

TEST(ValueTest, EditingInPlaceMakesItRaw) {
  for (const std::string& text : {std::string("5"), std::string("hello"), std::string(30, 'a'),
                                  std::string(100, 'b')}) {
    Value v(text);
    v.mutable_str().append("!");
    EXPECT_EQ(v.Encoding(), "raw") << text;
    EXPECT_EQ(v.str(), text + "!");
    Value c = v.Clone();
    EXPECT_EQ(c.Encoding(), "raw");
    EXPECT_EQ(c.str(), text + "!");
  }
}

TEST(ValueTest, TextSurvivesMovesAndClones) {
  for (size_t n : {0, 1, 10, 11, 44, 45, 1000}) {
    std::string text(n, 'q');
    if (n > 0) text[0] = 'x';
    Value a(text);
    a.access_clock = 77;
    Value b(std::move(a));
    EXPECT_EQ(b.str(), text);
    EXPECT_EQ(b.access_clock, 77u);
    EXPECT_EQ(a.str(), "");  // NOLINT(bugprone-use-after-move): a moved-from Value is empty
    Value c = b.Clone();
    EXPECT_EQ(c.str(), text);
    EXPECT_EQ(c.Encoding(), b.Encoding());
    a = std::move(c);
    EXPECT_EQ(a.str(), text);
  }
}

TEST(ValueTest, SmallStringsNeedNoAllocation) {
  EXPECT_EQ(sizeof(Value), 16u);
  EXPECT_EQ(Value("12345").MemoryUsage(), sizeof(Value));
  EXPECT_EQ(Value("0123456789").MemoryUsage(), sizeof(Value));
  // Longer text: one exact-size block (4-byte length + bytes), e.g. 24 usable bytes for 20 bytes.
  EXPECT_GE(Value(std::string(20, 'z')).MemoryUsage(), sizeof(Value) + 24);
  EXPECT_LE(Value(std::string(20, 'z')).MemoryUsage(), sizeof(Value) + 40);
}

}  // namespace
}  // namespace racetrack::engine

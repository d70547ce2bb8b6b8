#include "engine/resp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace racetrack::engine {
namespace {

using Outcome = RequestParser::Outcome;

// One Parse call on a new parser, and what it gave back.
struct Parsed {
  explicit Parsed(std::string_view input, ParserLimits limits = {}) : parser(limits) {
    outcome = parser.Parse(input, &argv, &consumed, &err);
  }
  RequestParser parser;  // owns the unescaped inline arguments that argv may point into
  Outcome outcome;
  std::vector<std::string_view> argv;
  size_t consumed = 0;
  std::string err;
};

TEST(RequestParserTest, ParsesMultibulk) {
  const std::string in = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  const Parsed r(in);
  ASSERT_EQ(r.outcome, Outcome::kCommand);
  EXPECT_EQ(r.consumed, in.size());
  ASSERT_EQ(r.argv.size(), 2u);
  EXPECT_EQ(r.argv[0], "GET");
  EXPECT_EQ(r.argv[1], "k");
}

TEST(RequestParserTest, NeedsMoreAtEverySplitPoint) {
  std::string in = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
  for (size_t cut = 0; cut < in.size(); ++cut) {
    EXPECT_EQ(Parsed(std::string_view(in).substr(0, cut)).outcome, Outcome::kNeedMore)
        << "cut at " << cut;
  }
}

TEST(RequestParserTest, ParsesInlineWithQuotes) {
  const std::string in = "SET k \"a b\\x41\"\r\nPING\r\n";
  const Parsed r(in);
  ASSERT_EQ(r.outcome, Outcome::kCommand);
  ASSERT_EQ(r.argv.size(), 3u);
  EXPECT_EQ(r.argv[2], "a bA");
  EXPECT_EQ(in.substr(r.consumed), "PING\r\n");
}

TEST(RequestParserTest, RejectsGarbage) {
  struct Case {
    std::string input;
    std::string error;
  } cases[] = {
      {"*x\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n+foo\r\n", "Protocol error: expected '$', got '+'"},
      {"*1\r\n$-5\r\n", "Protocol error: invalid bulk length"},
      {"SET \"unbalanced\r\n", "Protocol error: unbalanced quotes in request"},
  };
  for (const Case& c : cases) {
    const Parsed r(c.input);
    EXPECT_EQ(r.outcome, Outcome::kError) << c.input;
    EXPECT_EQ(r.err, c.error);
  }
}

TEST(RequestParserTest, RejectsOversizedBulk) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  const Parsed r("*1\r\n$11\r\n", limits);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.err, "Protocol error: invalid bulk length");
}

// A count is the client's word, not yet backed by bytes: the parser must not reserve it whole
// (libFuzzer finding in the append-only-log loader, whose limit is INT32_MAX elements: a 13-byte
// "*2000000000" asked malloc for 32 GB).
TEST(RequestParserTest, AHugeCountReservesNoMoreThanItsArgumentsNeed) {
  const Parsed r("*2000000000\r\n$3\r\nSET\r\n",
                 ParserLimits{.max_bulk_len = INT64_MAX / 2, .max_multibulk_len = INT32_MAX});
  EXPECT_EQ(r.outcome, Outcome::kNeedMore);
  EXPECT_LE(r.argv.capacity(), 1024u);
}

TEST(ReplyBuilderTest, WritesResp2) {
  ReplyBuilder r;
  r.Ok();
  r.Integer(-42);
  r.Bulk("hi");
  r.Null();
  size_t t = r.BeginArray();
  r.Bulk("a");
  r.EndArray(t, 1);
  r.Error("ERR bad\r\nthing");
  EXPECT_EQ(r.buffer(), "+OK\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*1\r\n$1\r\na\r\n-ERR bad  thing\r\n");
}

// Found by the differential fuzzer (issue 18): `EXPIRE k 10 "\r\n"` answered
// "-ERR Unsupported option   " where Redis trims CR/LF at the ends of a formatted error.
TEST(ReplyBuilderTest, ErrorTrimsLineBreaksAtTheEndsAndBlanksTheInnerOnes) {
  ReplyBuilder r;
  r.Error("ERR Unsupported option \r\n");
  r.Error("\nERR a\rb\n\r");
  r.Error("\r\n");
  EXPECT_EQ(r.buffer(), "-ERR Unsupported option \r\n-ERR a b\r\n-\r\n");
}

}  // namespace
}  // namespace racetrack::engine

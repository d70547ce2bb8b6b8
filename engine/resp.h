// RESP: the request parser and the reply writer (RESP2, and RESP3 for clients that said HELLO 3).
//
// Requests arrive either as multibulk arrays (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) or as inline lines
// (`GET k\r\n`, what telnet sends). The parser is restartable: it never keeps a half-parsed command,
// it re-reads the headers from the start of the unconsumed input when more bytes arrive. That costs
// O(arguments), not O(bytes), because bulk bodies are skipped by length.
//
// Thread-safety: none; one parser and one writer per connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace racetrack::engine {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024;     // elements per request
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
};

class RequestParser {
 public:
  enum class Outcome {
    kNeedMore,  // input ends inside a command; call again with more bytes
    kCommand,   // one command parsed: *argv and *consumed are set (argv may be empty: skip it)
    kError,     // protocol error: *error holds Redis's text ("Protocol error: ..."); close after
  };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Parses one command at the start of `input`. argv views point into `input` (or, for inline
  // commands with quotes/escapes, into storage owned by the parser, valid until the next call).
  Outcome Parse(std::string_view input, std::vector<std::string_view>* argv, size_t* consumed,
                std::string* error);

  const ParserLimits& limits() const { return limits_; }

 private:
  Outcome ParseMultibulk(std::string_view input, std::vector<std::string_view>* argv,
                         size_t* consumed, std::string* error);
  Outcome ParseInline(std::string_view input, std::vector<std::string_view>* argv,
                      size_t* consumed, std::string* error);

  ParserLimits limits_;
  std::vector<std::string> inline_storage_;
};

// Splits a line the way redis-cli and Redis's inline protocol do: whitespace-separated words,
// "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' with \' only.
// Returns false on unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);

// Appends replies to a byte buffer, in RESP2 or — after HELLO 3 — RESP3. A handler writes the same
// calls either way; the types RESP2 lacks fold into RESP2's as Redis folds them:
//
//   call          RESP2                      RESP3
//   Null()        $-1  (null bulk)           _
//   NullArray()   *-1  (null array)          _
//   Double(d)     $ bulk "%.17g"/"inf"       , double
//   Map(n)        *2n  flat key, value, ...  %n
//   Set(n)        *n                         ~n
//   Push(n)       *n                         >n  (Pub/Sub messages)
//   Bool(b)       :1 / :0                    #t / #f
//   PairArray(n, pairs) + Pair(pairs): n items, each a pair when `pairs` (WITHSCORES, WITHVALUES):
//                 *2n flat                   *n of *2
class ReplyBuilder {
 public:
  void Ok() { out_.append("+OK\r\n"); }
  void Status(std::string_view s);
  // `msg` is the full error text, e.g. "ERR syntax error" or "WRONGTYPE ...".
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void Double(double d);  // formatted like Redis 7.0 (%.17g, "inf", "-inf")
  void Null() { out_.append(resp3_ ? "_\r\n" : "$-1\r\n"); }
  void NullArray() { out_.append(resp3_ ? "_\r\n" : "*-1\r\n"); }
  void Array(size_t n);
  void EmptyArray() { out_.append("*0\r\n"); }
  void Map(size_t n);  // n key-value pairs follow
  void Set(size_t n);
  void Push(size_t n);
  void Bool(bool b);
  void PairArray(size_t n, bool pairs);
  void Pair(bool pairs) {
    if (pairs && resp3_) out_.append("*2\r\n");
  }
  // Appends bytes that are already RESP (e.g. a reply built elsewhere). A whole null reply given
  // in RESP2 ("*-1\r\n", "$-1\r\n") is written as the protocol's null.
  void Raw(std::string_view bytes);
  // True when `bytes` is one whole null reply of either protocol.
  static bool IsNull(std::string_view bytes) {
    return bytes == "*-1\r\n" || bytes == "$-1\r\n" || bytes == "_\r\n";
  }

  // For replies whose length is known only at the end: Begin returns a token, End patches it.
  size_t BeginArray();
  void EndArray(size_t token, size_t n);

  // The protocol of this client's replies: 2 (the default) or 3 (HELLO 3).
  bool resp3() const { return resp3_; }
  void set_resp3(bool on) { resp3_ = on; }

  std::string& buffer() { return out_; }
  const std::string& buffer() const { return out_; }
  size_t size() const { return out_.size(); }
  void Clear() { out_.clear(); }

 private:
  void Header(char type, size_t n);

  std::string out_;
  bool resp3_ = false;
};

// Formats a double the way Redis 7.0 replies with one: %.17g, with "inf"/"-inf".
std::string FormatDouble(double d);

}  // namespace racetrack::engine

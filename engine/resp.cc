#include "engine/resp.h"

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/errors.h"

namespace racetrack::engine {
namespace {

// Parses a RESP length line ("123" before CRLF). Redis accepts an optional '-' and digits only.
bool ParseLength(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0'; }

// A reply's head: `type`, n in decimal, CRLF — at most 1 + 20 (INT64_MIN, UINT64_MAX) + 2 bytes.
constexpr size_t kHeadMax = 24;

// Writes the head into buf and returns its length, so that it goes out in one append (every
// integer, bulk string and aggregate starts with one: one growth check per head, not two).
template <typename Int>
size_t FormatHead(char (&buf)[kHeadMax], char type, Int n) {
  buf[0] = type;
  char* p = std::to_chars(buf + 1, buf + kHeadMax - 2, n).ptr;
  *p++ = '\r';
  *p++ = '\n';
  return static_cast<size_t>(p - buf);
}

}  // namespace

RequestParser::Outcome RequestParser::Parse(std::string_view input,
                                            std::vector<std::string_view>* argv, size_t* consumed,
                                            std::string* error) {
  argv->clear();
  *consumed = 0;
  if (input.empty()) return Outcome::kNeedMore;
  if (input[0] == '*') return ParseMultibulk(input, argv, consumed, error);
  return ParseInline(input, argv, consumed, error);
}

RequestParser::Outcome RequestParser::ParseMultibulk(std::string_view input,
                                                     std::vector<std::string_view>* argv,
                                                     size_t* consumed, std::string* error) {
  size_t eol = input.find('\r');
  if (eol == std::string_view::npos || eol + 1 >= input.size()) {
    if (input.size() > limits_.max_inline_len) {
      *error = errors::kProtoBigMultibulk;
      return Outcome::kError;
    }
    return Outcome::kNeedMore;
  }
  int64_t count;
  if (!ParseLength(input.substr(1, eol - 1), &count) || count > limits_.max_multibulk_len) {
    *error = errors::kProtoBadMultibulk;
    return Outcome::kError;
  }
  size_t pos = eol + 2;
  if (count <= 0) {  // "*0" or "*-1": an empty request, skipped as Redis does
    *consumed = pos;
    return Outcome::kCommand;
  }
  // The count is the client's word, not yet backed by bytes: reserve at most 1024 slots up front
  // (as Redis's argv_len does) and let the vector grow as the arguments arrive. Reserving
  // "*1000000000" whole would allocate 16 GB for a 13-byte request.
  argv->reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
  for (int64_t i = 0; i < count; ++i) {
    if (pos >= input.size()) return Outcome::kNeedMore;
    if (input[pos] != '$') {
      *error = errors::ProtoExpectedBulk(input[pos]);
      return Outcome::kError;
    }
    size_t line_end = input.find('\r', pos);
    if (line_end == std::string_view::npos || line_end + 1 >= input.size()) {
      if (input.size() - pos > limits_.max_inline_len) {
        *error = errors::kProtoBigBulk;
        return Outcome::kError;
      }
      return Outcome::kNeedMore;
    }
    int64_t len;
    if (!ParseLength(input.substr(pos + 1, line_end - pos - 1), &len) || len < 0 ||
        len > limits_.max_bulk_len) {
      *error = errors::kProtoBadBulk;
      return Outcome::kError;
    }
    size_t body = line_end + 2;
    if (input.size() < body + static_cast<size_t>(len) + 2) return Outcome::kNeedMore;
    argv->emplace_back(input.data() + body, static_cast<size_t>(len));
    pos = body + static_cast<size_t>(len) + 2;  // Redis does not check the trailing CRLF either
  }
  *consumed = pos;
  return Outcome::kCommand;
}

RequestParser::Outcome RequestParser::ParseInline(std::string_view input,
                                                  std::vector<std::string_view>* argv,
                                                  size_t* consumed, std::string* error) {
  size_t eol = input.find('\n');
  if (eol == std::string_view::npos) {
    if (input.size() > limits_.max_inline_len) {
      *error = errors::kProtoBigInline;
      return Outcome::kError;
    }
    return Outcome::kNeedMore;
  }
  std::string_view line = input.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  inline_storage_.clear();
  if (!SplitArgs(line, &inline_storage_)) {
    *error = errors::kProtoUnbalancedQuotes;
    return Outcome::kError;
  }
  for (const std::string& s : inline_storage_) argv->emplace_back(s);
  *consumed = eol + 1;
  return Outcome::kCommand;
}

bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0, n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    std::string cur;
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      if (in_dq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          cur.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          char c = line[++i];
          switch (c) {
            case 'n': cur.push_back('\n'); break;
            case 'r': cur.push_back('\r'); break;
            case 't': cur.push_back('\t'); break;
            case 'b': cur.push_back('\b'); break;
            case 'a': cur.push_back('\a'); break;
            default: cur.push_back(c); break;
          }
        } else if (line[i] == '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else if (in_sq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': in_dq = true; break;
          case '\'': in_sq = true; break;
          default: cur.push_back(line[i]); break;
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(cur));
  }
}

void ReplyBuilder::Status(std::string_view s) {
  out_.push_back('+');
  out_.append(s);
  out_.append("\r\n");
}

void ReplyBuilder::Error(std::string_view msg) {
  out_.push_back('-');
  // As Redis's addReplyErrorFormat: CR and LF at either end are trimmed (sdstrim), the ones
  // inside become spaces (an error line cannot carry a newline).
  size_t first = msg.find_first_not_of("\r\n");
  msg = first == std::string_view::npos ? std::string_view() : msg.substr(first);
  msg = msg.substr(0, msg.find_last_not_of("\r\n") + 1);
  size_t start = out_.size();
  out_.append(msg);
  for (size_t i = start; i < out_.size(); ++i) {
    if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
  }
  out_.append("\r\n");
}

void ReplyBuilder::Integer(int64_t v) {
  char buf[kHeadMax];
  out_.append(buf, FormatHead(buf, ':', v));
}

void ReplyBuilder::Bulk(std::string_view s) {
  Header('$', s.size());
  out_.append(s);
  out_.append("\r\n", 2);
}

void ReplyBuilder::Double(double d) {
  if (!resp3_) {
    Bulk(FormatDouble(d));
    return;
  }
  out_.push_back(',');
  out_.append(FormatDouble(d));
  out_.append("\r\n");
}

void ReplyBuilder::Header(char type, size_t n) {
  char buf[kHeadMax];
  out_.append(buf, FormatHead(buf, type, n));
}

void ReplyBuilder::Array(size_t n) { Header('*', n); }

void ReplyBuilder::Map(size_t n) { resp3_ ? Header('%', n) : Header('*', 2 * n); }

void ReplyBuilder::Set(size_t n) { Header(resp3_ ? '~' : '*', n); }

void ReplyBuilder::Push(size_t n) { Header(resp3_ ? '>' : '*', n); }

void ReplyBuilder::Bool(bool b) {
  if (resp3_) {
    out_.append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_.append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::PairArray(size_t n, bool pairs) { Header('*', pairs && !resp3_ ? 2 * n : n); }

void ReplyBuilder::Raw(std::string_view bytes) {
  if (resp3_ && IsNull(bytes)) bytes = "_\r\n";
  out_.append(bytes);
}

// The header is reserved at its widest ("*" + 20 digits + CRLF would waste bytes on the wire), so
// it is written after the elements by inserting it at the recorded offset.
size_t ReplyBuilder::BeginArray() { return out_.size(); }

void ReplyBuilder::EndArray(size_t token, size_t n) {
  char buf[kHeadMax];
  out_.insert(token, buf, FormatHead(buf, '*', n));
}

std::string FormatDouble(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace racetrack::engine

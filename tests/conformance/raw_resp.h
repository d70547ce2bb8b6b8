// Raw RESP for the conformance tests: a minimal blocking client that returns each reply's exact
// bytes (so two servers' replies can be compared byte for byte), and helpers to compare array
// replies as multisets and to print replies readably.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace racetrack::conformance {

// ---------------------------------------------------------------------------------------------
// A minimal blocking RESP client: sends one command, reads one complete reply as raw bytes.
// ---------------------------------------------------------------------------------------------

class RespConnection {
 public:
  ~RespConnection() { Close(); }

  Status Connect(int port) {
    Close();
    port_ = port;
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Status::IoError("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return Status::Unavailable("cannot connect to port " + std::to_string(port));
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv{.tv_sec = 10, .tv_usec = 0};  // a missing reply fails the line, never hangs
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    buf_.clear();
    return Status::Ok();
  }
  Status Reconnect() { return Connect(port_); }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // Sends argv as a multibulk request and returns the raw bytes of one complete reply.
  Result<std::string> Call(const std::vector<std::string>& argv) {
    std::string req = "*" + std::to_string(argv.size()) + "\r\n";
    for (const std::string& a : argv) req += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    size_t sent = 0;
    while (sent < req.size()) {
      ssize_t n = send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Status::IoError("send failed (connection closed?)");
      sent += static_cast<size_t>(n);
    }
    while (true) {
      std::optional<size_t> end = ReplyEnd(buf_, 0);
      if (end) {
        std::string reply = buf_.substr(0, *end);
        buf_.erase(0, *end);
        return reply;
      }
      char chunk[16384];
      ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n == 0) return Status::IoError("connection closed before a complete reply");
      if (n < 0) return Status::IoError("no complete reply within 10 s");
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  // The end offset of the RESP2 or RESP3 value starting at pos, or nullopt if incomplete.
  static std::optional<size_t> ReplyEnd(const std::string& b, size_t pos) {
    size_t eol = b.find("\r\n", pos);
    if (pos >= b.size() || eol == std::string::npos) return std::nullopt;
    char type = b[pos];
    size_t after = eol + 2;
    if (type == '+' || type == '-' || type == ':') return after;
    long long n = std::atoll(b.c_str() + pos + 1);
    if (type == '$' || type == '=' || type == '!') {  // bulk, verbatim, bulk error
      if (n < 0) return after;
      size_t end = after + static_cast<size_t>(n) + 2;
      return b.size() >= end ? std::optional<size_t>(end) : std::nullopt;
    }
    if (type == '%' || type == '|') n *= 2;  // map, attribute: n key-value pairs
    if (type == '*' || type == '~' || type == '>' || type == '%' || type == '|') {
      size_t p = after;
      for (long long i = 0; i < n; ++i) {
        std::optional<size_t> e = ReplyEnd(b, p);
        if (!e) return std::nullopt;
        p = *e;
      }
      return p;
    }
    return after;  // unknown type byte: treat the line as the whole reply
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string buf_;
};

// Splits a top-level array reply into its elements' raw bytes; nullopt if not an array.
inline std::optional<std::vector<std::string>> ArrayElements(const std::string& reply) {
  if (reply.empty() || reply[0] != '*') return std::nullopt;
  size_t p = reply.find("\r\n") + 2;
  long long n = std::atoll(reply.c_str() + 1);
  std::vector<std::string> out;
  for (long long i = 0; i < n; ++i) {
    std::optional<size_t> e = RespConnection::ReplyEnd(reply, p);
    if (!e) return std::nullopt;
    out.push_back(reply.substr(p, *e - p));
    p = *e;
  }
  return out;
}

// For `~` lines: an array reply with its elements sorted, at every nesting level, so a reply
// whose order depends on hash-table layout (KEYS, SCAN's [cursor, [keys]], SMEMBERS) compares as
// a multiset. Non-array replies are returned unchanged.
inline std::string SortedReply(const std::string& reply) {
  std::optional<std::vector<std::string>> elements = ArrayElements(reply);
  if (!elements) return reply;
  for (std::string& e : *elements) e = SortedReply(e);
  std::sort(elements->begin(), elements->end());
  std::string out = "*" + std::to_string(elements->size()) + "\r\n";
  for (const std::string& e : *elements) out += e;
  return out;
}

inline std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 32 || c >= 127) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (out.size() > 600) out = out.substr(0, 600) + "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace racetrack::conformance

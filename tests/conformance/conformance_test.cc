// Conformance: the same command scripts against a throwaway real redis-server and against
// racetrack-server, replies compared byte for byte. One test per tests/conformance/scripts/*.redis
// file; the script format is described in tests/conformance/README.md.
//
// Skipped (with the reason) only when redis-server is not installed. Every mismatch is reported
// with file:line, the command and both replies (escaped), and the script goes on, so one run
// shows every difference.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/server_process.h"
#include "engine/resp.h"
#include "engine/ds/util.h"

namespace racetrack {
namespace {

namespace fs = std::filesystem;
using adapters::ProcessOptions;
using adapters::ServerProcess;

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

  // The end offset of the RESP2 value starting at pos, or nullopt if incomplete.
  static std::optional<size_t> ReplyEnd(const std::string& b, size_t pos) {
    size_t eol = b.find("\r\n", pos);
    if (pos >= b.size() || eol == std::string::npos) return std::nullopt;
    char type = b[pos];
    size_t after = eol + 2;
    if (type == '+' || type == '-' || type == ':') return after;
    long long n = std::atoll(b.c_str() + pos + 1);
    if (type == '$') {
      if (n < 0) return after;
      size_t end = after + static_cast<size_t>(n) + 2;
      return b.size() >= end ? std::optional<size_t>(end) : std::nullopt;
    }
    if (type == '*') {
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
std::optional<std::vector<std::string>> ArrayElements(const std::string& reply) {
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
std::string SortedReply(const std::string& reply) {
  std::optional<std::vector<std::string>> elements = ArrayElements(reply);
  if (!elements) return reply;
  for (std::string& e : *elements) e = SortedReply(e);
  std::sort(elements->begin(), elements->end());
  std::string out = "*" + std::to_string(elements->size()) + "\r\n";
  for (const std::string& e : *elements) out += e;
  return out;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\\') out += "\\\\";
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

// ---------------------------------------------------------------------------------------------
// The two servers, started once per test process.
// ---------------------------------------------------------------------------------------------

struct Servers {
  std::string temp_dir;
  std::unique_ptr<ServerProcess> redis, racetrack;
  int redis_port = 0, racetrack_port = 0;
  std::string error;  // non-empty: could not start (the test fails with this text)
  std::string skip;   // non-empty: redis-server is not installed

  Servers() = default;
  Servers(Servers&&) = default;
  ~Servers() {  // at process exit: stop both servers, then remove their directory
    racetrack.reset();
    redis.reset();
    std::error_code ec;
    if (!temp_dir.empty()) fs::remove_all(temp_dir, ec);
  }
};

Servers& TheServers() {
  // Function-local: started on first use by the first test, stopped at process exit.
  static Servers s = [] {
    Servers s;
    if (adapters::FindProgram("redis-server").empty()) {
      s.skip = "redis-server is not installed (apt-get install redis-server); the conformance "
               "suite compares racetrack-server with a real Redis";
      return s;
    }
    char templ[] = "/tmp/racetrack-conformance-XXXXXX";
    if (mkdtemp(templ) == nullptr) {
      s.error = "mkdtemp failed";
      return s;
    }
    s.temp_dir = templ;
    auto start = [&](ProcessOptions o, int* port_out, std::unique_ptr<ServerProcess>* out) {
      Result<int> port = adapters::FindFreePort();
      if (!port.ok()) return port.status().message();
      *port_out = *port;
      o.args.insert(o.args.begin(), {"--port", std::to_string(*port)});
      o.working_dir = s.temp_dir;
      o.log_path = s.temp_dir + "/" + fs::path(o.program).filename().string() + ".log";
      auto p = ServerProcess::Start(o);
      if (!p.ok()) return p.status().message();
      Status up = (*p)->WaitForPort(*port, std::chrono::seconds(20));
      *out = std::move(*p);
      return up.ok() ? std::string() : up.message();
    };
    s.error = start({.program = "redis-server", .args = {"--save", "", "--appendonly", "no",
                                                          "--bind", "127.0.0.1"}},
                    &s.redis_port, &s.redis);
    if (s.error.empty()) {
      s.error = start({.program = RACETRACK_BIN_DIR "/racetrack-server"}, &s.racetrack_port,
                      &s.racetrack);
    }
    return s;
  }();
  return s;
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

std::vector<std::string> ScriptFiles() {
  std::vector<std::string> out;
  fs::path dir = fs::path(RACETRACK_SOURCE_DIR) / "tests/conformance/scripts";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".redis") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceTest, RepliesMatchRedis) {
  Servers& servers = TheServers();
  if (!servers.skip.empty()) GTEST_SKIP() << servers.skip;
  ASSERT_TRUE(servers.error.empty()) << servers.error;

  RespConnection redis, ours;
  ASSERT_TRUE(redis.Connect(servers.redis_port).ok());
  ASSERT_TRUE(ours.Connect(servers.racetrack_port).ok());
  for (auto* c : {&redis, &ours}) {
    auto r = c->Call({"FLUSHALL"});
    ASSERT_TRUE(r.ok() && *r == "+OK\r\n") << "FLUSHALL failed before the script";
  }

  const std::string path = GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::string file = fs::path(path).filename().string();
  std::string line;
  int line_no = 0, mismatches = 0, commands = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string_view text = std::string_view(line).substr(first);
    std::string where = file + ":" + std::to_string(line_no);

    if (text.starts_with("!sleep")) {
      int64_t ms = 0;
      std::string_view arg = text.substr(6);
      arg.remove_prefix(std::min(arg.find_first_not_of(' '), arg.size()));
      ASSERT_TRUE(engine::ParseInt64(arg, &ms) && ms >= 0) << where << ": bad !sleep";
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      continue;
    }
    enum class Mode { kExact, kUnordered, kTypeOnly } mode = Mode::kExact;
    if (text.starts_with("~ ")) {
      mode = Mode::kUnordered;
      text.remove_prefix(2);
    } else if (text.starts_with("? ")) {
      mode = Mode::kTypeOnly;
      text.remove_prefix(2);
    }
    std::vector<std::string> argv;
    ASSERT_TRUE(engine::SplitArgs(text, &argv) && !argv.empty())
        << where << ": cannot parse (unbalanced quotes?): " << text;
    ++commands;

    Result<std::string> want = redis.Call(argv);
    Result<std::string> got = ours.Call(argv);
    ASSERT_TRUE(want.ok()) << where << ": redis-server: " << want.status().message() << "\n  "
                           << text;
    ASSERT_TRUE(got.ok()) << where << ": racetrack-server: " << got.status().message() << "\n  "
                          << text;
    bool same;
    switch (mode) {
      case Mode::kExact:
        same = *want == *got;
        break;
      case Mode::kTypeOnly:
        same = !want->empty() && !got->empty() && (*want)[0] == (*got)[0];
        break;
      case Mode::kUnordered:
        same = SortedReply(*want) == SortedReply(*got);
        break;
    }
    if (!same) {
      ++mismatches;
      ADD_FAILURE() << where << ": " << text << "\n  redis:     " << Escape(*want)
                    << "\n  racetrack: " << Escape(*got);
    }
    if (engine::EqualsIgnoreCase(argv[0], "quit")) {  // both closed the connection: reopen
      ASSERT_TRUE(redis.Reconnect().ok());
      ASSERT_TRUE(ours.Reconnect().ok());
    }
  }
  EXPECT_GT(commands, 0) << file << " has no commands";
  RecordProperty("commands", commands);
  RecordProperty("mismatches", mismatches);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string stem = fs::path(info.param).stem().string();
  for (char& c : stem) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return stem;
}

INSTANTIATE_TEST_SUITE_P(Scripts, ConformanceTest, ::testing::ValuesIn(ScriptFiles()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConformanceTest);

}  // namespace
}  // namespace racetrack

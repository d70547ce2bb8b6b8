// For the C++ conformance tests: a throwaway real redis-server and racetrack-server side by side
// (started once per test process, stopped and their temp folder removed at exit), and small
// hiredis helpers to send the same command to both.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "adapters/server_process.h"
#include "tests/raw_socket.h"
#include "tests/test_paths.h"

namespace racetrack::conformance {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Connection = std::unique_ptr<redisContext, ContextDeleter>;

// A connection to 127.0.0.1:port, or null.
inline Connection Connect(int port) {
  Connection c(redisConnect("127.0.0.1", port));
  if (c && c->err) c.reset();
  return c;
}

// Sends argv (binary-safe) and waits for its reply; null on a connection error.
inline Reply Command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
}

// The two servers. `skip` is set (and nothing started) when redis-server is not installed;
// `error` when either failed to start.
// A printable form of a reply. `mask_idle` replaces the third field of every 4-element array
// nested in the top-level array (XPENDING extended: id, consumer, idle ms, deliveries), whose
// value depends on timing.
inline std::string Show(const redisReply* r, bool mask_idle = false, int depth = 0) {
  if (r == nullptr) return "(no reply: connection error)";
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return "bulk(" + std::to_string(r->len) + "):" + std::string(r->str, r->len);
    case REDIS_REPLY_STATUS:
      return "+" + std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "-" + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return ":" + std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string s = "[";
      for (size_t i = 0; i < r->elements; ++i) {
        s += i ? ", " : "";
        if (mask_idle && depth == 1 && r->elements == 4 && i == 2 &&
            r->element[i]->type == REDIS_REPLY_INTEGER) {
          s += ":<idle>";
        } else {
          s += Show(r->element[i], mask_idle, depth + 1);
        }
      }
      return s + "]";
    }
    default:
      return "(type " + std::to_string(r->type) + ")";
  }
}

// Fails the test unless the two servers' transcripts (one line per step) are equal, step by step.
inline void ExpectSameTranscript(const std::vector<std::string>& redis,
                                 const std::vector<std::string>& ours) {
  ASSERT_EQ(redis.size(), ours.size());
  for (size_t i = 0; i < redis.size(); ++i) EXPECT_EQ(redis[i], ours[i]) << "step " << i;
}

// A transcript's lines, each ended by a newline, as one string to search.
inline std::string Joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  return all;
}

using racetrack::RawSocket;

// argv as a RESP multibulk request.
inline std::string Resp(const std::vector<std::string>& argv) {
  std::string s = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

// Starts `o` (redis-server or racetrack-server) with "--port <free port>" in `dir` (log there too)
// and waits until it accepts connections. Returns "" or the error.
inline std::string StartThrowawayServer(adapters::ProcessOptions o, const std::string& dir,
                                        int* port_out,
                                        std::unique_ptr<adapters::ServerProcess>* out) {
  Result<int> port = adapters::FindFreePort();
  if (!port.ok()) return port.status().message();
  *port_out = *port;
  o.args.insert(o.args.begin(), {"--port", std::to_string(*port)});
  o.working_dir = dir;
  o.log_path = dir + "/" + std::to_string(*port) + ".log";
  auto p = adapters::ServerProcess::Start(o);
  if (!p.ok()) return p.status().message();
  Status up = (*p)->WaitForPort(*port, std::chrono::seconds(20));
  *out = std::move(*p);
  return up.ok() ? std::string() : up.message();
}

class DualServers {
 public:
  static DualServers& Get() {
    static DualServers s;
    return s;
  }
  ~DualServers() {  // at exit: stop both servers, then remove their logs
    redis_.reset();
    ours_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  std::string skip, error;
  int redis_port = 0, ours_port = 0;

 private:
  DualServers() {
    if (adapters::FindProgram("redis-server").empty()) {
      skip = "redis-server is not installed (apt-get install redis-server)";
      return;
    }
    char templ[] = "/tmp/racetrack-conformance-XXXXXX";
    if (mkdtemp(templ) == nullptr) {
      error = "mkdtemp failed";
      return;
    }
    dir_ = templ;
    error = Start({.program = "redis-server",
                   .args = {"--save", "", "--appendonly", "no", "--bind", "127.0.0.1"}},
                  &redis_port, &redis_);
    if (error.empty()) {
      error = Start({.program = test_paths::BinDir() + "/racetrack-server"}, &ours_port, &ours_);
    }
  }

  std::string Start(adapters::ProcessOptions o, int* port_out,
                    std::unique_ptr<adapters::ServerProcess>* out) {
    return StartThrowawayServer(std::move(o), dir_, port_out, out);
  }

  std::string dir_;
  std::unique_ptr<adapters::ServerProcess> redis_, ours_;
};

// A test against both servers of DualServers: skips with the reason when they cannot be had,
// fails when they could not start, and opens one connection to each. A fixture that prepares
// more in its own SetUp calls this one first and returns if IsSkipped() || HasFatalFailure().
class DualServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DualServers& s = DualServers::Get();
    if (!s.skip.empty()) GTEST_SKIP() << s.skip;
    ASSERT_TRUE(s.error.empty()) << s.error;
    redis_ = Connect(s.redis_port);
    ours_ = Connect(s.ours_port);
    ASSERT_TRUE(redis_ && ours_) << "cannot connect";
    ports_ = {s.redis_port, s.ours_port};
  }

  // Runs argv on both servers; fails the test unless the replies are equal. Returns Redis's.
  std::string Both(const std::vector<std::string>& argv) {
    std::string a = Show(Command(redis_.get(), argv).get());
    std::string b = Show(Command(ours_.get(), argv).get());
    std::string cmd;
    for (const auto& w : argv) cmd += (cmd.empty() ? "" : " ") + w.substr(0, 20);
    EXPECT_EQ(a, b) << cmd;
    return a;
  }

  // Runs `transcript` (a function of the port returning one string, or one line per step) on
  // redis-server, then on racetrack-server; fails the test unless the two are equal (step by step)
  // and unless Redis's transcript contains each of `exercises`: the sanity check that the script
  // really exercised what it claims (a wrong script would compare two hangs). Returns Redis's.
  template <typename Transcript>
  auto SameOnBoth(Transcript transcript, std::initializer_list<std::string_view> exercises = {}) {
    auto redis = transcript(ports_[0]);
    auto ours = transcript(ports_[1]);
    ExpectSame(redis, ours);
    const std::string all = Searchable(redis);
    for (std::string_view e : exercises) EXPECT_NE(all.find(e), std::string::npos) << all;
    return redis;
  }

  Connection redis_, ours_;
  std::vector<int> ports_;  // [0] redis-server, [1] racetrack-server

 private:
  static void ExpectSame(const std::string& redis, const std::string& ours) {
    EXPECT_EQ(redis, ours);
  }
  static void ExpectSame(const std::vector<std::string>& redis,
                         const std::vector<std::string>& ours) {
    ExpectSameTranscript(redis, ours);
  }
  static std::string Searchable(const std::string& transcript) { return transcript; }
  static std::string Searchable(const std::vector<std::string>& lines) { return Joined(lines); }
};

}  // namespace racetrack::conformance

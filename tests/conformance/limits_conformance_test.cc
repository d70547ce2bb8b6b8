// Limits as Redis (issue 18): client-query-buffer-limit, proto-max-bulk-len, maxclients, timeout
// and client-output-buffer-limit. For each, a real redis-server 7.0 and racetrack-server are
// started with the same small limit; a client breaks it on each, and
//   - what that client receives before the server closes its connection is byte for byte the
//     same on both (Redis's error line where Redis sends one, nothing where it sends nothing;
//     for the output-buffer limit, where how much was flushed before the close depends on
//     timing, it must be a prefix of the replies with no error text in it on both),
//   - the connection is closed on both, and
//   - a second client connected before the breach is still served afterwards (PING → PONG).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/server_process.h"
#include "tests/test_paths.h"

namespace racetrack::conformance {
namespace {

// A throwaway server of either kind with extra arguments (Redis's names; racetrack-server takes
// the same ones).
class Server {
 public:
  static std::unique_ptr<Server> Start(bool redis, const std::vector<std::string>& args,
                                       std::string* error) {
    auto s = std::make_unique<Server>();
    char templ[] = "/tmp/racetrack-limits-XXXXXX";
    if (mkdtemp(templ) == nullptr) {
      *error = "mkdtemp failed";
      return nullptr;
    }
    s->dir_ = templ;
    Result<int> port = adapters::FindFreePort();
    if (!port.ok()) {
      *error = port.status().message();
      return nullptr;
    }
    s->port_ = *port;
    adapters::ProcessOptions o{
        .program = redis ? "redis-server" : test_paths::BinDir() + "/racetrack-server",
        .args = {"--port", std::to_string(*port), "--bind", "127.0.0.1"},
        .working_dir = s->dir_,
        .log_path = s->dir_ + "/server.log"};
    if (redis) o.args.insert(o.args.end(), {"--save", "", "--appendonly", "no"});
    o.args.insert(o.args.end(), args.begin(), args.end());
    auto p = adapters::ServerProcess::Start(o);
    if (!p.ok()) {
      *error = p.status().message();
      return nullptr;
    }
    s->process_ = std::move(*p);
    Status up = s->process_->WaitForPort(*port, std::chrono::seconds(20));
    if (!up.ok()) {
      *error = up.message();
      return nullptr;
    }
    return s;
  }
  ~Server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<adapters::ServerProcess> process_;
};

// A raw client socket. `rcvbuf` > 0 shrinks the kernel's receive buffer (set before connecting)
// so a client that does not read backs the server's output up quickly.
class Raw {
 public:
  explicit Raw(int port, int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Raw() { close(fd_); }
  bool connected() const { return connected_; }

  // Sends what it can (the server may hang up midway: that is not an error here).
  void Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // Reads until the server closes the connection (true) or `wait` passes without it (false);
  // everything received is appended to *got.
  bool ReadUntilClosed(std::chrono::milliseconds wait, std::string* got) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      timeval tv{.tv_sec = 0, .tv_usec = 100 * 1000};
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return true;  // reset: closed too
      if (n > 0) got->append(buf, static_cast<size_t>(n));
    }
    return false;
  }

  // One PING, answered +PONG within 5 s.
  bool Ping() {
    Send("PING\r\n");
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      timeval tv{.tv_sec = 0, .tv_usec = 100 * 1000};
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      char buf[256];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return false;
      if (n > 0) got.append(buf, static_cast<size_t>(n));
    }
    return got == "+PONG\r\n";
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// What a breach looked like on one server.
struct Breach {
  std::string received;  // by the client that broke the limit, until the close
  bool closed = false;
  bool bystander_served = false;
  bool bystander_checked = false;  // the scenario checked its own bystander
};

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (adapters::FindProgram("redis-server").empty()) {
      GTEST_SKIP() << "redis-server is not installed (apt-get install redis-server)";
    }
  }

  // Starts both servers with `args`, runs `breach` on each, returns {redis, racetrack}.
  template <typename F>
  std::pair<Breach, Breach> OnBoth(const std::vector<std::string>& args, F breach) {
    std::pair<Breach, Breach> out;
    for (bool redis : {true, false}) {
      std::string error;
      auto server = Server::Start(redis, args, &error);
      EXPECT_NE(server, nullptr) << (redis ? "redis-server: " : "racetrack-server: ") << error;
      if (server == nullptr) return out;
      Raw bystander(server->port());
      EXPECT_TRUE(bystander.connected() && bystander.Ping());
      Breach b = breach(server->port());
      if (!b.bystander_checked) b.bystander_served = bystander.Ping();
      (redis ? out.first : out.second) = b;
    }
    return out;
  }
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 200)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + (s.size() > 200 ? "...(" + std::to_string(s.size()) + " bytes)" : "");
}

void ExpectSame(const std::pair<Breach, Breach>& b) {
  const auto& [redis, ours] = b;
  EXPECT_TRUE(redis.closed) << "Redis did not close the client (the scenario is wrong)";
  EXPECT_TRUE(ours.closed) << "racetrack did not close the client";
  EXPECT_EQ(Escape(ours.received), Escape(redis.received)) << "bytes before the close";
  EXPECT_TRUE(redis.bystander_served);
  EXPECT_TRUE(ours.bystander_served) << "the other client was not served afterwards";
}

// What `c`, the client that broke the limit, receives until the server closes it (10 s at most).
Breach WaitForClose(Raw& c) {
  Breach b;
  b.closed = c.ReadUntilClosed(std::chrono::seconds(10), &b.received);
  return b;
}

// Sends `bytes` past a limit on a new connection; what comes back until the close.
Breach SendAndWaitForClose(int port, const std::string& bytes) {
  Raw c(port);
  c.Send(bytes);
  return WaitForClose(c);
}

// 1 MB is the smallest value Redis accepts for both buffer limits.
TEST_F(LimitsTest, QueryBufferLimitClosesTheClientWithoutAReply) {
  ExpectSame(OnBoth({"--client-query-buffer-limit", "1mb"}, [](int port) {
    // A 3 MB argument announced (under proto-max-bulk-len), 1.5 MB of it sent: past the limit.
    return SendAndWaitForClose(port,
                               "*2\r\n$3\r\nSET\r\n$3000000\r\n" + std::string(1500 * 1000, 'x'));
  }));
}

TEST_F(LimitsTest, ProtoMaxBulkLenAnswersInvalidBulkLengthAndCloses) {
  ExpectSame(OnBoth({"--proto-max-bulk-len", "1mb"}, [](int port) {
    return SendAndWaitForClose(port, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
  }));
}

TEST_F(LimitsTest, MaxClientsAnswersTheExtraClientAndClosesIt) {
  ExpectSame(OnBoth({"--maxclients", "3"}, [](int port) {
    Raw second(port), third(port);  // with the bystander: three, the limit
    second.Ping();
    third.Ping();
    Raw extra(port);
    return WaitForClose(extra);
  }));
}

TEST_F(LimitsTest, IdleTimeoutClosesTheIdleClientWithoutAReply) {
  ExpectSame(OnBoth({"--timeout", "1"}, [](int port) {
    Breach b;
    Raw idle(port);
    Raw talker(port);
    // The bystander of OnBoth is idle too; a talker keeps a second client alive meanwhile.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    while (!b.closed && std::chrono::steady_clock::now() < deadline) {
      b.closed = idle.ReadUntilClosed(std::chrono::milliseconds(300), &b.received);
      talker.Ping();
    }
    b.bystander_served = talker.Ping();
    b.bystander_checked = true;
    return b;
  }));
}

TEST_F(LimitsTest, OutputBufferLimitClosesTheClientThatDoesNotRead) {
  auto both = OnBoth({"--client-output-buffer-limit", "normal 1mb 0 0"}, [](int port) {
    Raw setter(port);
    std::string value(512 * 1024, 'v');
    setter.Send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" + value +
                "\r\n");
    std::string ok;
    setter.ReadUntilClosed(std::chrono::milliseconds(500), &ok);
    Raw reader(port, 4096);  // a tiny receive buffer, and it reads nothing for a while
    std::string gets;
    for (int i = 0; i < 40; ++i) gets += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
    reader.Send(gets);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return WaitForClose(reader);
  });
  const auto& [redis, ours] = both;
  EXPECT_TRUE(redis.closed) << "Redis did not close the client (the scenario is wrong)";
  EXPECT_TRUE(ours.closed) << "racetrack did not close the client";
  // 40 replies of 512 KB would be 20 MB: both must have stopped well before.
  std::string reply = "$" + std::to_string(512 * 1024) + "\r\n" + std::string(512 * 1024, 'v') + "\r\n";
  std::string all;
  for (int i = 0; i < 40; ++i) all += reply;
  for (const Breach* b : {&redis, &ours}) {
    EXPECT_LT(b->received.size(), all.size());
    EXPECT_EQ(all.compare(0, b->received.size(), b->received), 0)
        << "what was flushed before the close is not a prefix of the replies: "
        << Escape(b->received);
  }
  EXPECT_TRUE(redis.bystander_served);
  EXPECT_TRUE(ours.bystander_served);
}

}  // namespace
}  // namespace racetrack::conformance

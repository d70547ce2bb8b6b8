// Durability, measured with real processes: a client INCRs a counter against racetrack-server and
// remembers the last value the server acknowledged; the server is killed with SIGKILL at a random
// moment, restarted on the same files, and the counter read back. Acknowledged writes lost =
// last acknowledged - value after restart.
//
//   appendfsync always    must lose nothing, over 20+ kills (asserted)
//   appendfsync everysec  reported (a process crash keeps the page cache: expect 0; a power loss
//                         could cost up to ~1 s, which this test cannot simulate)
//   snapshots only        reported: the window since the last BGSAVE
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args) : args_(std::move(args)) {}
  ~ServerProcess() { Kill(); }
  bool Start(int port) {
    port_ = port;
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<std::string> a = {RACETRACK_BIN_DIR "/racetrack-server", "--port", std::to_string(port)};
      a.insert(a.end(), args_.begin(), args_.end());
      std::vector<char*> argv;
      for (auto& s : a) argv.push_back(s.data());
      argv.push_back(nullptr);
      freopen("/dev/null", "w", stderr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port_);
      bool ok = c && !c->err;
      if (c) redisFree(c);
      if (ok) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int st;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }
  pid_t pid() const { return pid_; }

 private:
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Round {
  long long acked = 0;
  long long recovered = 0;
  double seconds = 0;
};

// Runs `kills` rounds: write for a random 50..250 ms, kill -9 (from another thread, mid-stream),
// restart, read back.
std::vector<Round> RunKills(const fs::path& dir, std::vector<std::string> args, int kills,
                            uint64_t seed) {
  std::vector<Round> rounds;
  std::mt19937_64 rng(seed);
  args.insert(args.end(), {"--dir", dir.string()});
  int port = FreePort();
  for (int k = 0; k < kills; ++k) {
    ServerProcess server(args);
    if (!server.Start(port)) {
      ADD_FAILURE() << "server did not start (round " << k << ")";
      return rounds;
    }
    redisContext* c = redisConnect("127.0.0.1", port);
    Round r;
    redisReply* base = static_cast<redisReply*>(redisCommand(c, "GET counter"));
    long long start = base && base->type == REDIS_REPLY_STRING ? std::stoll(base->str) : 0;
    if (base) freeReplyObject(base);
    if (k > 0) rounds.back().recovered = start;
    r.acked = start;
    int after_ms = 50 + static_cast<int>(rng() % 200);
    auto t0 = Clock::now();
    std::thread killer([&server, after_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      kill(server.pid(), SIGKILL);
    });
    while (true) {
      redisReply* rep = static_cast<redisReply*>(redisCommand(c, "INCR counter"));
      if (rep == nullptr) break;
      if (rep->type == REDIS_REPLY_INTEGER) r.acked = rep->integer;
      freeReplyObject(rep);
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    killer.join();
    redisFree(c);
    server.Kill();
    rounds.push_back(r);
  }
  ServerProcess server(args);
  if (server.Start(port)) {
    redisContext* c = redisConnect("127.0.0.1", port);
    redisReply* rep = static_cast<redisReply*>(redisCommand(c, "GET counter"));
    rounds.back().recovered = rep && rep->type == REDIS_REPLY_STRING ? std::stoll(rep->str) : 0;
    if (rep) freeReplyObject(rep);
    redisFree(c);
  }
  return rounds;
}

struct Summary {
  long long lost_total = 0, lost_max = 0, acked_total = 0;
  double seconds = 0;
};

Summary Summarize(const char* mode, const std::vector<Round>& rounds) {
  Summary s;
  long long prev = 0;
  for (const auto& r : rounds) {
    long long lost = std::max(0LL, r.acked - r.recovered);
    s.lost_total += lost;
    s.lost_max = std::max(s.lost_max, lost);
    s.acked_total += r.acked - prev;
    prev = r.recovered;
    s.seconds += r.seconds;
  }
  double rate = s.seconds > 0 ? s.acked_total / s.seconds : 0;
  std::printf("[durability] %-22s kills=%zu acked_writes=%lld lost_total=%lld lost_max_per_kill=%lld "
              "write_rate=%.0f/s max_loss_window=%.3f s\n",
              mode, rounds.size(), s.acked_total, s.lost_total, s.lost_max, rate,
              rate > 0 ? s.lost_max / rate : 0.0);
  return s;
}

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rt-durability-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(DurabilityTest, AppendfsyncAlwaysLosesNoAcknowledgedWrite) {
  auto rounds = RunKills(dir_, {"--appendonly", "yes", "--appendfsync", "always", "--save", ""}, 20, 1);
  ASSERT_EQ(rounds.size(), 20u);
  Summary s = Summarize("appendfsync always", rounds);
  EXPECT_EQ(s.lost_total, 0);
  for (const auto& r : rounds) EXPECT_GE(r.recovered, r.acked);
}

TEST_F(DurabilityTest, AppendfsyncEverysecReportsLoss) {
  auto rounds = RunKills(dir_, {"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}, 8, 2);
  ASSERT_EQ(rounds.size(), 8u);
  Summary s = Summarize("appendfsync everysec", rounds);
  // A process kill cannot lose what write() already handed to the kernel; the bound Redis
  // documents (about one second) is for an OS crash / power loss.
  EXPECT_LE(s.lost_max, 0);
}

TEST_F(DurabilityTest, SnapshotsOnlyReportsTheLossWindow) {
  auto rounds = RunKills(dir_, {"--appendonly", "no", "--save", "1 1"}, 6, 3);
  ASSERT_EQ(rounds.size(), 6u);
  Summarize("snapshots (save 1 1)", rounds);
}

}  // namespace

// ServerProcess: spawning, waiting for a port, early-exit diagnostics, stopping, kill -9 and
// restart, running to completion, signalling the whole process group.
#include "adapters/server_process.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace racetrack::adapters {
namespace {

using std::chrono::milliseconds;

TEST(ServerProcessTest, MissingProgramIsNotFound) {
  auto p = ServerProcess::Start({.program = "no-such-program-racetrack"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Status::Code::kNotFound);
  EXPECT_NE(p.status().message().find("no-such-program-racetrack"), std::string::npos);
}

TEST(ServerProcessTest, EarlyExitReportsCodeAndLogTail) {
  auto p = ServerProcess::Start({.program = "sh",
                                 .args = {"-c", "echo \"bad config: $RT_WORD\" >&2; exit 3"},
                                 .env = {"RT_WORD=xyzzy"}});
  ASSERT_TRUE(p.ok()) << p.status().message();
  Result<int> port = FindFreePort();
  ASSERT_TRUE(port.ok());
  Status s = (*p)->WaitForPort(*port, milliseconds(5000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited with code 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("bad config: xyzzy"), std::string::npos) << s.message();
}

TEST(ServerProcessTest, StopsALongRunningChild) {
  auto p = ServerProcess::Start({.program = "sleep", .args = {"60"}});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)->Running());
  EXPECT_TRUE((*p)->Stop(milliseconds(2000)).ok());
  EXPECT_FALSE((*p)->Running());
  EXPECT_TRUE((*p)->Stop().ok());  // idempotent
}

TEST(ServerProcessTest, KillsAChildThatIgnoresSigterm) {
  auto p = ServerProcess::Start(
      {.program = "sh", .args = {"-c", "trap '' TERM; echo trapped; sleep 60"}});
  ASSERT_TRUE(p.ok());
  // Wait until the shell has installed its trap (a fixed 100 ms was too short on a loaded
  // machine, or under ASan: SIGTERM then ended the shell before it ignored the signal).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*p)->LogTail().find("trapped") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_NE((*p)->LogTail().find("trapped"), std::string::npos) << "the shell never started";
  Status s = (*p)->Stop(milliseconds(200));
  EXPECT_FALSE(s.ok());  // reported, but the child is gone
  EXPECT_FALSE((*p)->Running());
}

TEST(ServerProcessTest, WaitsForAListeningServer) {
  Result<int> port = FindFreePort();
  ASSERT_TRUE(port.ok());
  auto p = ServerProcess::Start(
      {.program = "redis-server",
       .args = {"--port", std::to_string(*port), "--save", "", "--appendonly", "no"},
       .working_dir = "/tmp"});
  if (!p.ok() && p.status().code() == Status::Code::kNotFound) GTEST_SKIP() << "no redis-server";
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)->WaitForPort(*port, milliseconds(10000)).ok()) << (*p)->LogTail();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Children that write files into a temp directory of their own.
class ServerProcessDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/racetrack-proc-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ServerProcessDirTest, KillThenRestartRunsTheSameCommandAgain) {
  const std::string marks = dir_ + "/marks";
  auto p = ServerProcess::Start({.program = "sh",
                                 .args = {"-c", "echo \"$RT_MARK\" >> marks; exec sleep 60"},
                                 .env = {"RT_MARK=up"},
                                 .working_dir = dir_});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE((*p)->WaitUntil([&] { return ReadFile(marks) == "up\n"; }, milliseconds(5000),
                              "write its mark")
                  .ok());
  const pid_t first = (*p)->pid();
  (*p)->Kill();
  EXPECT_FALSE((*p)->Running());
  EXPECT_EQ((*p)->DescribeExit(), "killed by signal 9");
  (*p)->Kill();  // idempotent
  ASSERT_TRUE((*p)->Restart().ok());
  EXPECT_TRUE((*p)->Running());
  EXPECT_NE((*p)->pid(), first);
  // Same working directory, environment and arguments: the mark is appended a second time.
  EXPECT_TRUE((*p)->WaitUntil([&] { return ReadFile(marks) == "up\nup\n"; }, milliseconds(5000),
                              "write its mark again")
                  .ok())
      << ReadFile(marks);
  EXPECT_TRUE((*p)->Stop(milliseconds(2000)).ok());
}

// The pattern a crash-recovery lesson needs: kill -9 a real PostgreSQL (run as the postgres user
// through runuser when we are root, so the whole process group matters) and restart it on the
// same data directory; it comes back and answers.
TEST_F(ServerProcessDirTest, PostgresKilledWithSigkillRestartsOnTheSameDataDir) {
  std::string bin;
  for (const char* v : {"17", "16", "15", "14", "13"}) {
    const std::string dir = std::string("/usr/lib/postgresql/") + v + "/bin";
    if (bin.empty() && !FindProgram(dir + "/postgres").empty()) bin = dir;
  }
  if (bin.empty()) GTEST_SKIP() << "PostgreSQL server binaries are not installed";
  std::string user;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) GTEST_SKIP() << "running as root without a postgres user";
    ASSERT_EQ(chown(dir_.c_str(), pw->pw_uid, pw->pw_gid), 0);
    user = "postgres";
  }
  Status init = ServerProcess::Run({.program = bin + "/initdb",
                                    .args = {"-D", dir_ + "/data", "-N", "--auth=trust"},
                                    .run_as_user = user,
                                    .log_path = dir_ + "/initdb.log"},
                                   std::chrono::seconds(120));
  ASSERT_TRUE(init.ok()) << init.message();
  Result<int> port = FindFreePort();
  ASSERT_TRUE(port.ok());
  auto pg = ServerProcess::Start({.program = bin + "/postgres",
                                  .args = {"-D", dir_ + "/data", "-p", std::to_string(*port), "-k",
                                           dir_, "-c", "listen_addresses=127.0.0.1"},
                                  .run_as_user = user,
                                  .log_path = dir_ + "/server.log",
                                  .stop_signal = SIGINT});
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  ASSERT_TRUE((*pg)->WaitForPort(*port, std::chrono::seconds(30)).ok()) << (*pg)->LogTail();
  (*pg)->Kill();
  EXPECT_EQ((*pg)->DescribeExit(), "killed by signal 9");
  ASSERT_TRUE((*pg)->Restart().ok());
  Status up = (*pg)->WaitForPort(*port, std::chrono::seconds(30));
  EXPECT_TRUE(up.ok()) << up.message();
  EXPECT_TRUE((*pg)->Stop(std::chrono::seconds(15)).ok()) << (*pg)->LogTail();
}

TEST(ServerProcessTest, SignalFromAnotherThreadEndsAWait) {
  auto p = ServerProcess::Start({.program = "sleep", .args = {"60"}});
  ASSERT_TRUE(p.ok());
  std::thread killer([&] {
    std::this_thread::sleep_for(milliseconds(100));
    (*p)->Signal(SIGKILL);
  });
  Status s = (*p)->WaitUntil([] { return false; }, milliseconds(10000), "become ready");
  killer.join();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("killed by signal 9 before it would become ready"), std::string::npos)
      << s.message();
}

TEST_F(ServerProcessDirTest, StopReachesTheWholeProcessGroup) {
  const std::string pidfile = dir_ + "/grandchild";
  // A wrapper (like runuser) whose child is the real server.
  auto p = ServerProcess::Start({.program = "sh",
                                 .args = {"-c", "sleep 60 & echo $! > grandchild; wait"},
                                 .working_dir = dir_});
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->WaitUntil([&] { return !ReadFile(pidfile).empty(); }, milliseconds(5000),
                              "start its child")
                  .ok());
  const pid_t grandchild = std::stoi(ReadFile(pidfile));
  EXPECT_TRUE((*p)->Stop(milliseconds(2000)).ok());
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {  // reparented to init, which reaps it
    gone = kill(grandchild, 0) != 0;
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone);
}

TEST(ServerProcessTest, RunWaitsForCompletionAndReportsFailure) {
  EXPECT_TRUE(ServerProcess::Run({.program = "true"}, milliseconds(5000)).ok());
  Status s = ServerProcess::Run({.program = "sh", .args = {"-c", "echo disk full >&2; exit 4"}},
                                milliseconds(5000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited with code 4"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("disk full"), std::string::npos) << s.message();
  Status slow = ServerProcess::Run({.program = "sleep", .args = {"60"}}, milliseconds(100));
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.message().find("did not finish within 100 ms"), std::string::npos);
}

TEST(ServerProcessTest, FreePortIsFreeAndPortAnswersTellsListeningFromNot) {
  Result<int> port = FindFreePort();
  ASSERT_TRUE(port.ok());
  EXPECT_GT(*port, 0);
  EXPECT_FALSE(PortAnswers(*port));
  EXPECT_FALSE(PortAnswers(*port, "not-an-address"));
}

}  // namespace
}  // namespace racetrack::adapters

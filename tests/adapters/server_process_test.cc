// ServerProcess: spawning, waiting for a port, early-exit diagnostics, stopping.
#include "adapters/server_process.h"

#include <gtest/gtest.h>

#include <chrono>
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
  auto p = ServerProcess::Start(
      {.program = "sh", .args = {"-c", "echo \"bad config: $RT_WORD\" >&2; exit 3"},
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
  auto p = ServerProcess::Start({.program = "sh", .args = {"-c", "trap '' TERM; sleep 60"}});
  ASSERT_TRUE(p.ok());
  std::this_thread::sleep_for(milliseconds(100));  // let the shell install its trap
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

}  // namespace
}  // namespace racetrack::adapters

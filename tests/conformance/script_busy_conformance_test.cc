// A runaway script, two clients, a real redis-server 7.0.15 and racetrack-server side by side
// (issue 17): client A runs a script that never ends; once busy-reply-threshold has passed client
// B is answered BUSY, SCRIPT KILL stops a script that has not written, FUNCTION KILL a function,
// each refuses the other kind, a script that has written is UNKILLABLE and only SHUTDOWN NOSAVE
// ends it. Every reply B and A get is compared between the two servers (durations masked).
//
// Each test starts its own pair of throwaway servers (SHUTDOWN NOSAVE ends them). Skipped only
// when redis-server is not installed.
#include <hiredis/hiredis.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "adapters/server_process.h"
#include "tests/conformance/dual_servers.h"
#include "tests/test_paths.h"

namespace racetrack::conformance {
namespace {

constexpr int kThresholdMs = 100;

struct Server {
  std::unique_ptr<adapters::ServerProcess> process;
  int port = 0;
};

class ScriptBusyConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (adapters::FindProgram("redis-server").empty()) {
      GTEST_SKIP() << "redis-server is not installed (apt-get install redis-server)";
    }
    char templ[] = "/tmp/racetrack-busy-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    ASSERT_EQ(Start({.program = "redis-server",
                     .args = {"--save", "", "--appendonly", "no", "--bind", "127.0.0.1"}},
                    &servers_[0]),
              "");
    ASSERT_EQ(Start({.program = test_paths::BinDir() + "/racetrack-server"}, &servers_[1]), "");
    for (Server& s : servers_) {
      Connection c = Connect(s.port);
      ASSERT_TRUE(c);
      ASSERT_EQ(Show(Command(c.get(), {"config", "set", "busy-reply-threshold",
                                       std::to_string(kThresholdMs)})
                         .get()),
                "+OK");
    }
  }
  void TearDown() override {
    for (Server& s : servers_) {
      if (s.process) (void)s.process->Stop();
    }
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string Start(adapters::ProcessOptions o, Server* out) {
    return conformance::StartThrowawayServer(std::move(o), dir_, &out->port, &out->process);
  }

  // On each server: client A sends `script` (it does not return while the script runs), the test
  // waits past the threshold, runs `during` on a second connection B and records every reply;
  // then waits for A's reply (which `during` must have caused). Returns, per server, B's replies
  // followed by A's.
  std::vector<std::string> Scenario(const std::vector<std::string>& script,
                                    const std::vector<std::vector<std::string>>& setup,
                                    const std::vector<std::vector<std::string>>& during,
                                    bool a_may_get_no_reply = false) {
    std::vector<std::string> out;
    for (Server& s : servers_) {
      Connection a = Connect(s.port), b = Connect(s.port);
      EXPECT_TRUE(a && b);
      if (!a || !b) return out;
      for (const auto& cmd : setup) Command(a.get(), cmd);
      redisContext* actx = a.get();
      auto pending = std::async(std::launch::async, [actx, script] {
        return Show(Command(actx, script).get());
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(kThresholdMs + 300));
      std::string replies;
      for (const auto& cmd : during) {
        std::string r = Show(Command(b.get(), cmd).get());
        // FUNCTION STATS: the running time differs from run to run.
        size_t d = r.find("bulk(11):duration_ms, :");
        if (d != std::string::npos) {
          size_t end = r.find_first_of(",]", d + 23);
          r.replace(d + 23, end - (d + 23), "<ms>");
        }
        replies += r + "\n";
      }
      if (pending.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        ADD_FAILURE() << "the script on port " << s.port << " did not end";
        // Leave: the servers are killed in TearDown, which unblocks the pending read.
        servers_[0].process->Kill();
        servers_[1].process->Kill();
        pending.wait();
        return out;
      }
      std::string a_reply = pending.get();
      if (a_may_get_no_reply && a_reply.rfind("(no reply", 0) == 0) a_reply = "(no reply)";
      replies += "A: " + a_reply;
      out.push_back(replies);
    }
    return out;
  }

  std::string dir_;
  Server servers_[2];
};

TEST_F(ScriptBusyConformance, ScriptKillStopsAScriptThatHasNotWritten) {
  std::vector<std::string> r = Scenario(
      {"eval", "local i = 0 while true do i = i + 1 end", "0"}, {},
      {{"ping"},
       {"get", "k"},
       {"function", "stats"},
       {"function", "kill"},
       {"multi"},
       {"get", "k"},
       {"exec"},
       {"script", "kill"}});
  // (A second SCRIPT KILL right away would race the script's next hook on Redis: OK or NOTBUSY.)
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]) << "redis-server (first) vs racetrack-server";
  EXPECT_NE(r[1].find("-BUSY Redis is busy running a script. You can only call SCRIPT KILL"),
            std::string::npos)
      << r[1];
  EXPECT_NE(r[1].find("A: -ERR Script killed by user with SCRIPT KILL..."), std::string::npos)
      << r[1];
  // And both serve normally afterwards.
  for (Server& s : servers_) {
    Connection c = Connect(s.port);
    ASSERT_TRUE(c);
    EXPECT_EQ(Show(Command(c.get(), {"ping"}).get()), "+PONG");
  }
}

TEST_F(ScriptBusyConformance, ScriptKilledInsidePcallStaysKilled) {
  std::vector<std::string> r = Scenario(
      {"eval", "while true do pcall(function() while true do end end) end", "0"}, {},
      {{"script", "kill"}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]);
}

TEST_F(ScriptBusyConformance, FunctionKillStopsAFunction) {
  std::string lib =
      "#!lua name=spinlib\n"
      "redis.register_function('spin', function(keys, args)\n"
      "  while true do end\n"
      "end)";
  std::vector<std::string> r = Scenario(
      {"fcall", "spin", "1", "somekey", "arg"}, {{"function", "load", "replace", lib}},
      {{"ping"}, {"script", "kill"}, {"function", "stats"}, {"function", "kill"}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]);
  EXPECT_NE(r[1].find("You can only call FUNCTION KILL"), std::string::npos) << r[1];
  EXPECT_NE(r[1].find("bulk(4):spin"), std::string::npos) << r[1];
}

TEST_F(ScriptBusyConformance, ScriptThatWroteIsUnkillableUntilShutdownNosave) {
  std::vector<std::string> r = Scenario(
      {"eval", "redis.call('set', 'w', '1') while true do end", "0"}, {},
      {{"script", "kill"}, {"get", "w"}, {"shutdown"}, {"shutdown", "nosave"}},
      /*a_may_get_no_reply=*/true);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]);
  EXPECT_NE(r[1].find("-UNKILLABLE Sorry the script already executed write commands"),
            std::string::npos)
      << r[1];
  for (Server& s : servers_) {
    bool stopped = false;
    for (int i = 0; i < 500 && !stopped; ++i) {
      stopped = !s.process->Running();
      if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(stopped) << "server on port " << s.port << " still runs after SHUTDOWN NOSAVE";
  }
}

}  // namespace
}  // namespace racetrack::conformance

// Conformance: the same command scripts against a throwaway real redis-server and against
// racetrack-server, replies compared byte for byte. One test per tests/conformance/scripts/*.redis
// file; the script format is described in tests/conformance/README.md.
//
// Skipped (with the reason) only when redis-server is not installed. Every mismatch is reported
// with file:line, the command and both replies (escaped), and the script goes on, so one run
// shows every difference.
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

#include "engine/resp.h"
#include "engine/ds/util.h"
#include "tests/conformance/dual_servers.h"
#include "tests/conformance/raw_resp.h"
#include "tests/test_paths.h"

namespace racetrack {
namespace {

namespace fs = std::filesystem;
using conformance::DualServers;  // the two servers, started once per test process
using conformance::Escape;
using conformance::RespConnection;
using conformance::SortedReply;

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

std::vector<std::string> ScriptFiles() {
  std::vector<std::string> out;
  fs::path dir = fs::path(test_paths::SourceDir()) / "tests/conformance/scripts";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".redis") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceTest, RepliesMatchRedis) {
  DualServers& servers = DualServers::Get();
  if (!servers.skip.empty()) GTEST_SKIP() << servers.skip;
  ASSERT_TRUE(servers.error.empty()) << servers.error;

  RespConnection redis, ours;
  ASSERT_TRUE(redis.Connect(servers.redis_port).ok());
  ASSERT_TRUE(ours.Connect(servers.ours_port).ok());
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

// Issue 17's extras that one script line cannot compare, each against a real redis-server 7.0.15
// beside racetrack-server:
//
//  - aclfile: both servers start with the same users file (in their own folders, under the same
//    relative name, so error texts naming the file agree); ACL LOAD / ACL SAVE, the file written,
//    the texts of a file with errors and of a missing file, and what happens to a client logged
//    in as a user the load replaced.
//  - CLIENT INFO / CLIENT LIST: the same fields in the same order, and the same values where they
//    do not depend on the process.
//  - LATENCY HISTOGRAM: after CONFIG RESETSTAT and a known set of calls, the same commands with
//    the same call counts; each bucket list is checked for Redis's bucket bounds and cumulative
//    counts ending at the calls (the bucket a call lands in depends on its duration).
//
// Each test starts its own pair of servers. Skipped only when redis-server is not installed.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "adapters/server_process.h"
#include "tests/conformance/dual_servers.h"
#include "tests/test_paths.h"

namespace racetrack::conformance {
namespace {

namespace fs = std::filesystem;

struct Server {
  std::string dir;
  std::unique_ptr<adapters::ServerProcess> process;
  int port = 0;
  Connection conn;
};

class BreadthConformance : public ::testing::Test {
 protected:
  void TearDown() override {
    for (Server& s : servers_) {
      s.conn.reset();
      s.process.reset();
    }
    std::error_code ignored;
    if (!root_.empty()) fs::remove_all(root_, ignored);
  }

  // Starts both servers, each in its own folder holding `files` (name → content), with `args`.
  void StartBoth(const std::vector<std::pair<std::string, std::string>>& files,
                 const std::vector<std::string>& args) {
    if (adapters::FindProgram("redis-server").empty()) {
      GTEST_SKIP() << "redis-server is not installed (apt-get install redis-server)";
    }
    char templ[] = "/tmp/racetrack-breadth-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    root_ = templ;
    const std::array<std::string, 2> names = {"redis", "ours"};
    for (size_t i = 0; i < 2; ++i) {
      Server& s = servers_[i];
      s.dir = root_ + "/" + names[i];
      fs::create_directory(s.dir);
      for (const auto& [name, content] : files) WriteFile(s.dir + "/" + name, content);
      adapters::ProcessOptions o;
      if (i == 0) {
        o.program = "redis-server";
        o.args = {"--save", "", "--appendonly", "no", "--bind", "127.0.0.1"};
      } else {
        o.program = test_paths::BinDir() + "/racetrack-server";
      }
      o.args.insert(o.args.end(), args.begin(), args.end());
      ASSERT_EQ(StartThrowawayServer(o, s.dir, &s.port, &s.process), "") << names[i];
      s.conn = Connect(s.port);
      ASSERT_TRUE(s.conn) << names[i];
    }
  }

  static void WriteFile(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Writes `content` as `name` in both servers' folders.
  void WriteBoth(const std::string& name, const std::string& content) {
    for (Server& s : servers_) WriteFile(s.dir + "/" + name, content);
  }
  // Writes `users` as both servers' users.acl and runs ACL LOAD on both (replies compared).
  void AclLoadBoth(const std::string& users) {
    WriteBoth("users.acl", users);
    Both({"acl", "load"});
  }

  // Runs argv on `conns` (one per server); fails unless both replies are equal. Returns Redis's.
  std::string Both(std::array<redisContext*, 2> conns, const std::vector<std::string>& argv) {
    std::string a = Show(Command(conns[0], argv).get());
    std::string b = Show(Command(conns[1], argv).get());
    std::string cmd;
    for (const auto& w : argv) cmd += (cmd.empty() ? "" : " ") + w;
    EXPECT_EQ(a, b) << cmd;
    return a;
  }
  std::string Both(const std::vector<std::string>& argv) {
    return Both({servers_[0].conn.get(), servers_[1].conn.get()}, argv);
  }

  std::string root_;
  std::array<Server, 2> servers_;
};

constexpr char kUsers[] =
    "user default on nopass ~* &* +@all\n"
    "user cache on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~cache:* "
    "resetchannels -@all +get\n";  // password "pw"

TEST_F(BreadthConformance, AclFileLoadAndSave) {
  StartBoth({{"users.acl", kUsers}}, {"--aclfile", "users.acl"});
  if (IsSkipped() || HasFatalFailure()) return;

  // The file's users are there at startup, with the rules as written.
  Both({"acl", "list"});
  Both({"acl", "getuser", "cache"});
  Both({"config", "get", "aclfile"});
  Both({"config", "set", "aclfile", "other.acl"});

  // A second client per server logs in as `cache`: GET on cache:* only.
  std::array<Connection, 2> cache = {Connect(servers_[0].port), Connect(servers_[1].port)};
  ASSERT_TRUE(cache[0] && cache[1]);
  std::array<redisContext*, 2> as_cache = {cache[0].get(), cache[1].get()};
  Both(as_cache, {"auth", "cache", "pw"});
  Both(as_cache, {"get", "cache:1"});
  Both(as_cache, {"set", "cache:1", "x"});
  Both(as_cache, {"get", "other"});

  // ACL SAVE writes every user in name order, in ACL LIST's words: the same bytes.
  Both({"acl", "setuser", "writer", "on", ">w", "~*", "&*", "-@all", "+@hash", "+@set"});
  Both({"acl", "save"});
  EXPECT_EQ(ReadFile(servers_[0].dir + "/users.acl"), ReadFile(servers_[1].dir + "/users.acl"));
  EXPECT_NE(ReadFile(servers_[1].dir + "/users.acl").find("user writer on "), std::string::npos);

  // A file with errors changes nothing and names each problem with its line.
  AclLoadBoth(
      "user default on nopass ~* &* +@all\n"
      "\n"
      "user bad on +nosuchcommand -nosuchtoo\n"
      "nouser here\n"
      "user twice on\n"
      "user twice off\n"
      "user syntax on ~* %X~y allkeys\n"
      "user\n");
  Both({"acl", "users"});
  Both(as_cache, {"get", "cache:1"});  // still logged in: nothing changed

  // A good file replaces every user; the client logged in as a replaced user is closed.
  AclLoadBoth(
      "user default on nopass ~* &* +@all\n"
      "  user cache on nopass ~cache:* resetchannels -@all +get  \r\n"
      "user (sel) on\n"
      "user reader on nopass %R~* resetchannels -@all +@read (~other:* +set)\n");
  Both({"acl", "list"});
  Both(as_cache, {"get", "cache:1"});  // both: the connection is gone
  Both({"acl", "whoami"});

  // No `default` line: default becomes Redis's initial one (on nopass ~* &* +@all).
  Both({"acl", "setuser", "default", "resetpass", ">secret"});
  AclLoadBoth("user solo on nopass ~* +@all\n");
  Both({"acl", "getuser", "default"});

  // A missing file.
  for (Server& s : servers_) fs::remove(s.dir + "/users.acl");
  Both({"acl", "load"});
  Both({"acl", "users"});
}

TEST_F(BreadthConformance, ServerWithABadAclFileDoesNotStart) {
  if (adapters::FindProgram("redis-server").empty()) {
    GTEST_SKIP() << "redis-server is not installed (apt-get install redis-server)";
  }
  char templ[] = "/tmp/racetrack-breadth-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  root_ = templ;
  WriteFile(root_ + "/users.acl", "user x on +nosuchcommand\n");
  adapters::ProcessOptions o{.program = test_paths::BinDir() + "/racetrack-server",
                             .args = {"--aclfile", "users.acl"}};
  std::unique_ptr<adapters::ServerProcess> p;
  int port = 0;
  EXPECT_NE(StartThrowawayServer(o, root_, &port, &p), "");
  std::string log = ReadFile(root_ + "/" + std::to_string(port) + ".log");
  EXPECT_NE(log.find("users.acl:1: Error in applying operation '+nosuchcommand'"),
            std::string::npos)
      << log;
}

// Redis's LATENCY HISTOGRAM bucket bounds in µs: hdr's highest value equivalent to 1024·2^k ns
// (k = 0..19), then the histogram's last bucket.
std::set<long long> BucketBounds() {
  std::set<long long> out;
  for (long long k = 0; k < 20; ++k) out.insert(((1032LL << k) - 1) / 1000);
  out.insert(1073741);
  return out;
}

// Checks one "histogram_usec" array and returns the reply with it replaced by "<buckets>".
std::string MaskHistogram(const redisReply* r, std::string* problems) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return Show(r);
  std::string s = "[";
  for (size_t i = 0; i < r->elements; ++i) {
    s += i ? ", " : "";
    const redisReply* e = r->element[i];
    if (i > 0 && r->element[i - 1]->type == REDIS_REPLY_STRING &&
        std::string(r->element[i - 1]->str) == "histogram_usec" && e->type == REDIS_REPLY_ARRAY) {
      static const std::set<long long> bounds = BucketBounds();
      long long previous = 0;
      for (size_t j = 0; j + 1 < e->elements; j += 2) {
        if (!bounds.count(e->element[j]->integer)) {
          *problems += " bound " + std::to_string(e->element[j]->integer);
        }
        if (e->element[j + 1]->integer <= previous) *problems += " not increasing";
        previous = e->element[j + 1]->integer;
      }
      // The last cumulative count equals "calls", the element two before.
      if (i >= 2 && r->element[i - 2]->integer != previous) *problems += " last != calls";
      s += "<buckets>";
    } else {
      s += MaskHistogram(e, problems);
    }
  }
  return s + "]";
}

TEST_F(BreadthConformance, LatencyHistogramCountsEveryCall) {
  StartBoth({}, {});
  if (IsSkipped() || HasFatalFailure()) return;
  Both({"config", "resetstat"});
  for (int i = 0; i < 3; ++i) Both({"set", "k", "v"});
  for (int i = 0; i < 5; ++i) Both({"get", "k"});
  Both({"config", "get", "maxmemory"});
  Both({"lpush", "k", "x"});  // WRONGTYPE: still a call
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"latency", "histogram", "set", "get", "lpush", "config|get"},
        {"latency", "histogram", "GET", "nosuch", "get|x", "set"},
        {"latency", "histogram", "config|resetstat"}}) {
    std::string problems[2];
    std::string a = MaskHistogram(Command(servers_[0].conn.get(), argv).get(), &problems[0]);
    std::string b = MaskHistogram(Command(servers_[1].conn.get(), argv).get(), &problems[1]);
    EXPECT_EQ(a, b) << argv[2];
    EXPECT_EQ(problems[0], "") << "redis-server " << argv[2];
    EXPECT_EQ(problems[1], "") << "racetrack-server " << argv[2];
  }
  Both({"config", "set", "latency-tracking", "no"});
  Both({"config", "resetstat"});
  Both({"get", "k"});
  Both({"latency", "histogram", "get"});
  Both({"config", "get", "latency-tracking"});
}

// "k=v k=v ...\n" as (k, v) pairs in order.
std::vector<std::pair<std::string, std::string>> Fields(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(line);
  std::string word;
  while (in >> word) {
    const size_t eq = word.find('=');
    out.emplace_back(word.substr(0, eq), eq == std::string::npos ? "" : word.substr(eq + 1));
  }
  return out;
}

// CLIENT INFO / CLIENT LIST: the same fields in the same order as redis-server 7.0.15, and the same
// values for every field that does not depend on the process (ids, addresses, ages, buffer sizes,
// memory and fd are left out of the value comparison).
TEST_F(BreadthConformance, ClientInfoAndListFieldsAsRedis) {
  StartBoth({}, {});
  if (IsSkipped() || HasFatalFailure()) return;
  static const std::set<std::string> kVarying = {
      "id", "addr", "laddr", "fd", "age", "idle", "qbuf", "qbuf-free", "argv-mem", "rbs", "rbp",
      "obl", "oll", "omem", "tot-mem", "multi-mem"};
  auto compare = [&](const std::vector<std::string>& argv) {
    std::string text[2];
    for (size_t i = 0; i < 2; ++i) {
      Reply r = Command(servers_[i].conn.get(), argv);
      ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING) << Show(r.get());
      text[i].assign(r->str, r->len);
    }
    auto theirs = Fields(text[0]), mine = Fields(text[1]);
    std::string keys[2], values[2];
    for (size_t i = 0; i < 2; ++i) {
      for (const auto& [k, v] : i == 0 ? theirs : mine) {
        keys[i] += k + " ";
        if (!kVarying.count(k)) values[i] += k + "=" + v + " ";
      }
    }
    std::string cmd;
    for (const auto& w : argv) cmd += w + " ";
    EXPECT_EQ(keys[1], keys[0]) << cmd << "\n redis: " << text[0] << "\n ours:  " << text[1];
    EXPECT_EQ(values[1], values[0]) << cmd;
    EXPECT_EQ(text[1].back(), text[0].back()) << cmd << ": the line ends alike";
  };
  compare({"client", "info"});
  Both({"client", "setname", "breadth"});
  Both({"select", "3"});
  compare({"client", "info"});
  compare({"client", "list"});
  compare({"client", "list", "type", "normal"});
  Both({"multi"});
  Both({"ping"});
  Both({"exec"});
  compare({"client", "info"});
}

}  // namespace
}  // namespace racetrack::conformance

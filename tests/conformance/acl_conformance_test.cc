// ACL across several connections, which one-connection scripts cannot cover, against a real
// redis-server and racetrack-server side by side (issue 17, part C):
//   - a permission matrix: three users (GET on cache:* only; everything but @dangerous; Pub/Sub on
//     news.* only), each on its own authenticated connection, run the same commands; every reply
//     must be identical on both servers;
//   - a subscriber whose user loses the channel is disconnected, and DELUSER disconnects the
//     user's connections, on both;
//   - MONITOR's lines (time stamps and client ports masked) are identical.
// Both servers are throwaway processes on free loopback ports; skipped only when redis-server is
// not installed.
#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "tests/conformance/dual_servers.h"

namespace racetrack::conformance {
namespace {

class AclConformance : public DualServerTest {};

std::string Run(redisContext* c, const std::vector<std::string>& argv) {
  return Show(Command(c, argv).get());
}

// The ACL log's entries, newest first, as "log: count=... reason=... object=...": the fields that
// do not depend on time or on the connection (age-seconds and client-info are left out).
std::vector<std::string> LogLines(redisContext* c) {
  std::vector<std::string> out;
  Reply log = Command(c, {"ACL", "LOG", "50"});
  if (log == nullptr || log->type != REDIS_REPLY_ARRAY) return {"(no ACL LOG reply)"};
  for (size_t i = 0; i < log->elements; ++i) {
    const redisReply* e = log->element[i];
    std::string line = "log:";
    for (size_t f = 0; f + 1 < e->elements; f += 2) {
      std::string field(e->element[f]->str, e->element[f]->len);
      if (field == "age-seconds" || field == "client-info") continue;
      line += " " + field + "=" + Show(e->element[f + 1]);
    }
    out.push_back(line);
  }
  return out;
}

// Creates the three users and returns, per user and command, "user: command => reply".
std::vector<std::string> MatrixTranscript(int port) {
  std::vector<std::string> t;
  Connection admin = Connect(port);
  if (!admin) return {"(cannot connect)"};
  Run(admin.get(), {"ACL", "DELUSER", "cachereader", "safe", "newsonly"});
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "cachereader", "on", ">pw", "~cache:*", "+get"}));
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "safe", "on", ">pw", "~*", "&*", "+@all",
                                "-@dangerous"}));
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "newsonly", "on", ">pw", "resetchannels",
                                "&news.*", "+subscribe", "+publish", "+ping"}));
  t.push_back(Run(admin.get(), {"SET", "cache:1", "cached"}));
  t.push_back(Run(admin.get(), {"SET", "private", "secret"}));
  const std::vector<std::vector<std::string>> commands = {
      {"GET", "cache:1"},          {"GET", "private"},         {"GET", "cache:missing"},
      {"SET", "cache:1", "x"},     {"MGET", "cache:1"},        {"DEL", "cache:1"},
      {"KEYS", "*"},               {"FLUSHALL"},               {"CONFIG", "GET", "maxmemory"},
      {"SHUTDOWN"},                {"PUBLISH", "news.world", "m"},
      {"PUBLISH", "sports", "m"},  {"ACL", "WHOAMI"},          {"ACL", "LIST"},
      {"PING"},                    {"CLIENT", "KILL", "ID", "999999"},
      {"INCR", "counter"},         {"HSET", "h", "f", "v"},
      {"EVAL", "return redis.call('get','private')", "0"},
  };
  for (const char* user : {"cachereader", "safe", "newsonly"}) {
    Connection c = Connect(port);
    if (!c) return {"(cannot connect as user)"};
    t.push_back(std::string(user) + ": AUTH => " + Run(c.get(), {"AUTH", user, "pw"}));
    for (const auto& argv : commands) {
      std::string line = std::string(user) + ":";
      for (const auto& a : argv) line += " " + a;
      t.push_back(line + " => " + Run(c.get(), argv));
    }
    // SUBSCRIBE to an allowed and a forbidden channel (the reply is checked, then the
    // connection is dropped: it is in subscribed mode).
    t.push_back(std::string(user) + ": SUBSCRIBE news.a => " +
                Run(c.get(), {"SUBSCRIBE", "news.a"}));
    Connection d = Connect(port);
    Run(d.get(), {"AUTH", user, "pw"});
    t.push_back(std::string(user) + ": SUBSCRIBE sports => " +
                Run(d.get(), {"SUBSCRIBE", "sports"}));
  }
  // The denials are in the ACL log.
  for (std::string& line : LogLines(admin.get())) t.push_back(std::move(line));
  Run(admin.get(), {"ACL", "LOG", "RESET"});
  Run(admin.get(), {"ACL", "DELUSER", "cachereader", "safe", "newsonly"});
  Run(admin.get(), {"DEL", "cache:1", "private", "counter", "h"});
  return t;
}

TEST_F(AclConformance, PermissionMatrixMatchesRedis) {
  // Sanity on Redis's side: the matrix really has allowed and denied cells of every kind.
  SameOnBoth(
      MatrixTranscript,
      {"cachereader: GET cache:1 => bulk(6):cached",
       "cachereader: GET private => -NOPERM this user has no permissions to access one of "
       "the keys used as arguments",
       "safe: FLUSHALL => -NOPERM this user has no permissions to run the 'flushall' command",
       "newsonly: PUBLISH sports m => -NOPERM this user has no permissions to access one of "
       "the channels used as arguments"});
}

// Whether the connection still answers (a closed one gives no reply).
bool Alive(redisContext* c) {
  Reply r = Command(c, {"PING"});
  return r != nullptr && c->err == 0;
}

std::vector<std::string> DisconnectTranscript(int port) {
  std::vector<std::string> t;
  Connection admin = Connect(port);
  if (!admin) return {"(cannot connect)"};
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "temp", "on", ">pw", "~*", "&*", "+@all"}));
  Connection a = Connect(port), b = Connect(port);
  t.push_back(Run(a.get(), {"AUTH", "temp", "pw"}));
  t.push_back(Run(b.get(), {"AUTH", "temp", "pw"}));
  t.push_back(Run(b.get(), {"SUBSCRIBE", "news.a"}));
  // Narrowing the channels to ones b does not hold disconnects b (a is not subscribed).
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "temp", "resetchannels", "&other"}));
  t.push_back(std::string("a alive after channel change: ") + (Alive(a.get()) ? "yes" : "no"));
  t.push_back(std::string("b alive after channel change: ") + (Alive(b.get()) ? "yes" : "no"));
  t.push_back(Run(admin.get(), {"ACL", "DELUSER", "temp"}));
  t.push_back(std::string("a alive after deluser: ") + (Alive(a.get()) ? "yes" : "no"));
  t.push_back(Run(admin.get(), {"ACL", "WHOAMI"}));
  return t;
}

// acllog-max-len: four denials with a limit of 2 keep the newest two, on both servers.
std::vector<std::string> LogLimitTranscript(int port) {
  Connection admin = Connect(port), user = Connect(port);
  if (!admin || !user) return {"(cannot connect)"};
  std::vector<std::string> t;
  Run(admin.get(), {"ACL", "LOG", "RESET"});
  t.push_back(Run(admin.get(), {"CONFIG", "SET", "acllog-max-len", "2"}));
  t.push_back(Run(admin.get(), {"ACL", "SETUSER", "lim", "on", ">pw", "~k*", "+get"}));
  t.push_back(Run(user.get(), {"AUTH", "lim", "pw"}));
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"SET", "k1", "v"}, {"INCR", "k1"}, {"GET", "zz"}, {"DEL", "k1"}}) {
    t.push_back(Run(user.get(), argv));
  }
  for (std::string& line : LogLines(admin.get())) t.push_back(std::move(line));
  Run(admin.get(), {"CONFIG", "SET", "acllog-max-len", "128"});
  Run(admin.get(), {"ACL", "LOG", "RESET"});
  Run(admin.get(), {"ACL", "DELUSER", "lim"});
  return t;
}

TEST_F(AclConformance, LogKeepsAcllogMaxLenEntries) {
  const std::vector<std::string> redis = SameOnBoth(LogLimitTranscript);
  ASSERT_GE(redis.size(), 2u);
  EXPECT_EQ(redis.size(), 9u);  // 7 replies + 2 log entries
  EXPECT_NE(redis.back().find("object=bulk(2):zz"), std::string::npos) << redis.back();
}

TEST_F(AclConformance, RevokedUsersAreDisconnectedAsInRedis) {
  const std::vector<std::string> redis = SameOnBoth(DisconnectTranscript);
  EXPECT_EQ(redis[5], "a alive after channel change: yes");
  EXPECT_EQ(redis[6], "b alive after channel change: no");
  EXPECT_EQ(redis[8], "a alive after deluser: no");
}

// What a MONITOR connection receives while another connection runs commands, with the time stamp
// and the client's port masked.
std::string MonitorTranscript(int port) {
  RawSocket monitor(port);
  if (!monitor.ok()) return "(cannot connect)";
  if (!monitor.Send(Resp({"MONITOR"}))) return "(write failed)";
  Connection c = Connect(port);
  Run(c.get(), {"SET", "mon:k", "a \"quoted\"\n\x01 value"});
  Run(c.get(), {"GET", "mon:k"});
  Run(c.get(), {"SELECT", "2"});
  Run(c.get(), {"PING"});
  Run(c.get(), {"CONFIG", "GET", "maxmemory"});  // admin: not shown
  Run(c.get(), {"AUTH", "default", "secret"});   // redacted
  Run(c.get(), {"SELECT", "0"});
  Run(c.get(), {"EVAL", "return redis.call('get','mon:k')", "0"});  // EVAL hidden, its call shown
  Run(c.get(), {"DEL", "mon:k"});
  std::string out = monitor.ReadUntilQuiet();
  out = std::regex_replace(out, std::regex(R"(\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\])"),
                           "+<time> [$1 <client>]");
  return std::regex_replace(out, std::regex(R"(\+\d+\.\d{6} \[(\d+) lua\])"), "+<time> [$1 lua]");
}

TEST_F(AclConformance, MonitorLinesMatchRedis) {
  SameOnBoth(MonitorTranscript,
             {"+<time> [0 <client>] \"SET\" \"mon:k\"", "[0 lua] \"get\" \"mon:k\""});
}

}  // namespace
}  // namespace racetrack::conformance

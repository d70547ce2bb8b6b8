// Multi-connection conformance for messaging (issue 8) and for what waits on other connections
// (issue 17: shard channels, BZPOPMIN/BZPOPMAX, CLIENT PAUSE), which one-connection scripts cannot
// cover: a Pub/Sub subscriber on two channels and one pattern must receive byte-identical RESP
// (confirmations, message and pmessage frames, their order) from a real redis-server and from
// racetrack-server while another connection publishes; and a stream consumer group where one
// consumer reads and disconnects without XACK must show the same pending-entry list, XCLAIM and
// XAUTOCLAIM replies when a second consumer takes over (idle times, which depend on timing, are
// masked).
//
// Both servers are throwaway processes on free loopback ports. Skipped only when redis-server is
// not installed.
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/server_process.h"
#include "tests/conformance/dual_servers.h"

namespace racetrack::conformance {
namespace {

class MessagingConformance : public DualServerTest {};

using Argv = std::vector<std::string>;

// A subscriber's session: what it sends to subscribe, what another connection then runs (each
// reply is in the transcript, labelled by the command and its first argument), what the
// subscriber sends to unsubscribe, and one more command after that.
struct SubscriberScript {
  std::vector<Argv> subscribe;
  std::vector<Argv> publish;
  std::vector<Argv> unsubscribe;
  Argv publish_after;
};

// What one server sends a subscriber running `script`, and what the other connection's commands
// answered, as one transcript.
std::string SubscriberTranscript(int port, const SubscriberScript& script) {
  RawSocket sub(port);
  Connection pub = Connect(port);
  if (!sub.ok() || !pub) return "(cannot connect)";
  std::string t;
  for (const Argv& argv : script.subscribe) sub.Send(Resp(argv));
  t += "[subscribed] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  for (const Argv& argv : script.publish) {
    t += "[" + argv[0] + " " + argv[1] + "] " + Show(Command(pub.get(), argv).get()) + "\n";
  }
  t += "[received] " + sub.ReadUntilQuiet(std::chrono::milliseconds(1000)) + "\n";
  for (const Argv& argv : script.unsubscribe) sub.Send(Resp(argv));
  t += "[unsubscribed] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  t += "[after] " + Show(Command(pub.get(), script.publish_after).get()) + "\n";
  t += "[received] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  return t;
}

// Two channels and a pattern; unsubscribing from everything is confirmed frame by frame too.
const SubscriberScript kPubSub = {
    .subscribe = {{"SUBSCRIBE", "news", "sport"}, {"PSUBSCRIBE", "n*"}},
    .publish = {{"PUBLISH", "news", "hello"},
                {"PUBLISH", "sport", "goal"},
                {"PUBLISH", "nope", "unheard"},
                {"PUBLISH", "news", ""},
                {"PUBLISH", "nothing", "p-only"},
                {"PUBLISH", "sport", "a\r\nb"},
                {"PUBLISH", "news", std::string(1000, 'x')}},
    .unsubscribe = {{"UNSUBSCRIBE", "sport"}, {"PUNSUBSCRIBE"}},
    .publish_after = {"PUBLISH", "news", "still"}};

TEST_F(MessagingConformance, SubscriberReceivesIdenticalBytes) {
  // Sanity: the transcript really contains both kinds of frame.
  SameOnBoth([](int port) { return SubscriberTranscript(port, kPubSub); },
             {"$7\r\nmessage\r\n", "$8\r\npmessage\r\n"});
}

// Replaces every integer of 13 or more digits (a Unix time in ms: delivery and seen times) by
// ":<time>".
std::string MaskTimestamps(const std::string& shown) {
  std::string out;
  for (size_t i = 0; i < shown.size();) {
    size_t digits = 0;
    if (shown[i] == ':') {
      while (i + 1 + digits < shown.size() && std::isdigit(static_cast<unsigned char>(shown[i + 1 + digits]))) {
        ++digits;
      }
    }
    if (digits >= 13) {
      out += ":<time>";
      i += 1 + digits;
    } else {
      out += shown[i++];
    }
  }
  return out;
}

// A consumer that read two entries and died; another consumer inspects and claims them.
std::vector<std::string> StreamTranscript(int port) {
  std::vector<std::string> t;
  Connection b = Connect(port);
  if (!b) return {"(cannot connect)"};
  auto run = [&](const std::vector<std::string>& argv, bool mask_idle = false) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    t.push_back(line + "=> " + Show(Command(b.get(), argv).get(), mask_idle));
  };
  run({"DEL", "orders"});
  for (const char* id : {"1-1", "2-1", "3-1", "4-1", "5-0"}) {
    run({"XADD", "orders", id, "item", std::string("i") + id, "qty", "1"});
  }
  run({"XADD", "orders", "3-0", "item", "too-old"});  // error: ID not greater than the last
  run({"XGROUP", "CREATE", "orders", "workers", "0"});
  {
    Connection a = Connect(port);
    if (!a) return {"(cannot connect consumer A)"};
    t.push_back("A: " + Show(Command(a.get(), {"XREADGROUP", "GROUP", "workers", "alice", "COUNT",
                                                "2", "STREAMS", "orders", ">"})
                                 .get()));
  }  // alice disconnects without XACK
  run({"XPENDING", "orders", "workers"});
  run({"XPENDING", "orders", "workers", "-", "+", "10"}, true);
  run({"XPENDING", "orders", "workers", "-", "+", "10", "alice"}, true);
  run({"XPENDING", "orders", "workers", "IDLE", "0", "-", "+", "10"}, true);
  run({"XCLAIM", "orders", "workers", "bob", "0", "1-1", "JUSTID"});
  run({"XPENDING", "orders", "workers", "-", "+", "10"}, true);
  run({"XCLAIM", "orders", "workers", "bob", "0", "2-1", "9-9"});
  run({"XPENDING", "orders", "workers", "-", "+", "10"}, true);
  run({"XREADGROUP", "GROUP", "workers", "carol", "COUNT", "1", "STREAMS", "orders", ">"});
  run({"XAUTOCLAIM", "orders", "workers", "bob", "0", "0-0", "COUNT", "10"});
  run({"XAUTOCLAIM", "orders", "workers", "bob", "0", "0-0", "COUNT", "1", "JUSTID"});
  run({"XPENDING", "orders", "workers"});
  run({"XPENDING", "orders", "workers", "-", "+", "10", "bob"}, true);
  run({"XACK", "orders", "workers", "1-1", "2-1", "9-9"});
  run({"XPENDING", "orders", "workers"});
  run({"XACK", "orders", "workers", "3-1"});
  run({"XPENDING", "orders", "workers"});
  run({"XPENDING", "orders", "workers", "-", "+", "10"}, true);
  run({"XREADGROUP", "GROUP", "workers", "bob", "STREAMS", "orders", ">"});
  // XINFO STREAM FULL: the groups' PELs and consumers; wall-clock times are masked.
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"XINFO", "STREAM", "orders", "FULL"},
        std::vector<std::string>{"XINFO", "STREAM", "orders", "FULL", "COUNT", "1"}}) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    t.push_back(line + "=> " + MaskTimestamps(Show(Command(b.get(), argv).get())));
  }
  return t;
}

TEST_F(MessagingConformance, PendingEntriesAfterConsumerDiesAndAnotherClaims) {
  // Sanity: the scenario really exercised what it claims (on Redis, hence on both).
  const std::vector<std::string> redis = SameOnBoth(
      StreamTranscript,
      {"XPENDING orders workers => [:2, bulk(3):1-1, bulk(3):2-1, [[bulk(5):alice, bulk(1):2]]]",
       "XACK orders workers 1-1 2-1 9-9 => :2", "bulk(9):seen-time, :<time>"});
  if (std::getenv("RACETRACK_SHOW_TRANSCRIPT") != nullptr) std::cerr << Joined(redis);
}

// A subscriber that never reads while 16 MB are published to it: with client-output-buffer-limit
// pubsub at 1 MB hard the server disconnects it, and PUBLISH then reaches nobody; with the limit
// off (0 0 0) it stays subscribed. The same outcome, and the same CONFIG GET text, on both.
std::string SlowSubscriberTranscript(int port, const std::string& limit) {
  Connection admin = Connect(port);
  if (!admin) return "(cannot connect)";
  std::string t;
  t += "[config set] " + Show(Command(admin.get(), {"CONFIG", "SET", "client-output-buffer-limit",
                                                    limit}).get()) + "\n";
  t += "[config get] " +
       Show(Command(admin.get(), {"CONFIG", "GET", "client-output-buffer-limit"}).get()) + "\n";
  {
    RawSocket sub(port);
    if (!sub.ok()) return "(cannot connect the subscriber)";
    sub.Send(Resp({"SUBSCRIBE", "slow"}));
    sub.ReadUntilQuiet(std::chrono::milliseconds(200));  // the confirmation; then it never reads
    t += "[numsub before] " + Show(Command(admin.get(), {"PUBSUB", "NUMSUB", "slow"}).get()) + "\n";
    const std::string payload(1024, 'x');
    for (int batch = 0; batch < 16; ++batch) {
      for (int i = 0; i < 1000; ++i) {
        redisAppendCommand(admin.get(), "PUBLISH slow %b", payload.data(), payload.size());
      }
      for (int i = 0; i < 1000; ++i) {
        void* r = nullptr;
        if (redisGetReply(admin.get(), &r) != REDIS_OK) return t + "(publisher lost)";
        freeReplyObject(r);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    t += "[numsub after] " + Show(Command(admin.get(), {"PUBSUB", "NUMSUB", "slow"}).get()) + "\n";
    t += "[publish after] " + Show(Command(admin.get(), {"PUBLISH", "slow", "x"}).get()) + "\n";
  }
  Command(admin.get(), {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60"});
  return t;
}

TEST_F(MessagingConformance, SlowSubscriberIsDisconnectedAtTheOutputBufferLimit) {
  SameOnBoth([](int port) { return SlowSubscriberTranscript(port, "pubsub 1mb 512kb 60"); },
             {"[numsub after] [bulk(4):slow, :0]", "pubsub 1048576 524288 60"});
}

TEST_F(MessagingConformance, WithoutALimitTheSlowSubscriberStays) {
  SameOnBoth([](int port) { return SlowSubscriberTranscript(port, "pubsub 0 0 0"); },
             {"[numsub after] [bulk(4):slow, :1]"});
}

// Shard channels: an SSUBSCRIBEr that is also subscribed to the same name as a plain channel and
// to a matching pattern gets only `smessage` frames from SPUBLISH, and only message/pmessage from
// PUBLISH; PUBSUB's shard introspection sees the shard side only.
const SubscriberScript kShardPubSub = {
    .subscribe = {{"SSUBSCRIBE", "orders"},
                  {"SUBSCRIBE", "orders"},
                  {"PSUBSCRIBE", "ord*"},
                  {"SSUBSCRIBE", "audit"}},
    .publish = {{"SPUBLISH", "orders", "shard-only"},
                {"PUBLISH", "orders", "plain-and-pattern"},
                {"SPUBLISH", "audit", "a\r\nb"},
                {"SPUBLISH", "nobody", "x"},
                {"PUBSUB", "SHARDNUMSUB", "orders", "audit", "nobody"},
                {"PUBSUB", "NUMSUB", "orders", "audit"},
                {"PUBSUB", "SHARDCHANNELS", "ord*"},
                {"PUBSUB", "CHANNELS", "aud*"}},
    .unsubscribe = {{"SUNSUBSCRIBE", "orders"}, {"PING"}},
    .publish_after = {"SPUBLISH", "orders", "x"}};

TEST_F(MessagingConformance, ShardSubscriberReceivesIdenticalBytes) {
  SameOnBoth([](int port) { return SubscriberTranscript(port, kShardPubSub); },
             {"$8\r\nsmessage\r\n$6\r\norders\r\n$10\r\nshard-only"});
}

// BZPOPMIN/BZPOPMAX that wait: woken by a ZADD from another connection, or timing out.
std::string BlockingZPopTranscript(int port) {
  RawSocket waiter(port);
  Connection other = Connect(port);
  if (!waiter.ok() || !other) return "(cannot connect)";
  std::string t;
  Command(other.get(), {"DEL", "bz:a", "bz:b"});
  waiter.Send(Resp({"BZPOPMIN", "bz:a", "bz:b", "10"}));
  t += "[waiting] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(200)) + "\n";
  t += "[zadd] " + Show(Command(other.get(), {"ZADD", "bz:b", "3", "c", "1", "a", "2", "b"}).get()) +
       "\n";
  t += "[woken] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  waiter.Send(Resp({"BZPOPMAX", "bz:a", "bz:b", "10"}));
  t += "[served at once] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(300)) + "\n";
  t += "[left] " + Show(Command(other.get(), {"ZRANGE", "bz:b", "0", "-1", "WITHSCORES"}).get()) + "\n";
  waiter.Send(Resp({"BZPOPMAX", "bz:none", "0.2"}));
  t += "[timed out] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(1500)) + "\n";
  Command(other.get(), {"DEL", "bz:b"});
  return t;
}

TEST_F(MessagingConformance, BlockedZPopIsWokenByZAdd) {
  SameOnBoth(BlockingZPopTranscript,
             {"[woken] *3\r\n$4\r\nbz:b\r\n$1\r\na\r\n$1\r\n1\r\n", "[timed out] *-1\r\n"});
}

// CLIENT PAUSE: under WRITE a write (also one being queued in MULTI, and what was pipelined behind
// it) waits while reads run, until CLIENT UNPAUSE; under ALL every command waits — CLIENT UNPAUSE
// included — until the timeout. Only what arrives and in which order is compared, not when.
std::string ClientPauseTranscript(int port) {
  RawSocket writer(port), other(port);
  Connection admin = Connect(port);
  if (!writer.ok() || !other.ok() || !admin) return "(cannot connect)";
  std::string t;
  auto run = [&](const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    t += "[admin " + line + "] " + Show(Command(admin.get(), argv).get()) + "\n";
  };
  const auto kHeld = std::chrono::milliseconds(300);
  const auto kLong = std::chrono::milliseconds(10000);
  run({"DEL", "pz"});
  run({"CLIENT", "PAUSE", "20000", "WRITE"});
  writer.Send(Resp({"SET", "pz", "1"}) + Resp({"GET", "pz"}));
  t += "[writer held] " + writer.ReadUntilQuiet(kHeld) + "\n";
  run({"GET", "pz"});
  run({"EVAL_RO", "return redis.call('get', KEYS[1])", "1", "pz"});
  run({"CLIENT", "UNPAUSE"});
  t += "[writer resumed] " + writer.ReadFirstThenQuiet(kLong) + "\n";
  run({"CLIENT", "PAUSE", "20000", "WRITE"});
  writer.Send(Resp({"MULTI"}));
  t += "[multi] " + writer.ReadFirstThenQuiet(kLong) + "\n";
  writer.Send(Resp({"INCR", "pz"}));
  t += "[queuing held] " + writer.ReadUntilQuiet(kHeld) + "\n";
  run({"CLIENT", "UNPAUSE"});
  t += "[queued] " + writer.ReadFirstThenQuiet(kLong) + "\n";
  writer.Send(Resp({"EXEC"}));
  t += "[exec] " + writer.ReadFirstThenQuiet(kLong) + "\n";
  run({"CLIENT", "PAUSE", "3000", "ALL"});
  writer.Send(Resp({"PING"}));
  other.Send(Resp({"CLIENT", "UNPAUSE"}));
  t += "[ping held] " + writer.ReadUntilQuiet(kHeld) + "\n";
  t += "[unpause held] " + other.ReadUntilQuiet(kHeld) + "\n";
  t += "[unpause after the timeout] " + other.ReadFirstThenQuiet(kLong) + "\n";
  t += "[ping after the timeout] " + writer.ReadFirstThenQuiet(kLong) + "\n";
  run({"GET", "pz"});
  run({"CLIENT", "PAUSE", "10", "sometimes"});
  run({"CLIENT", "PAUSE", "-1"});
  run({"CLIENT", "PAUSE", "soon", "WRITE"});
  run({"CLIENT", "PAUSE", "10", "WRITE", "extra"});
  run({"CLIENT", "UNPAUSE", "extra"});
  run({"CLIENT", "PAUSE", "0", "ALL"});
  run({"PING"});
  return t;
}

TEST_F(MessagingConformance, ClientPauseHoldsCommandsUntilItEnds) {
  SameOnBoth(ClientPauseTranscript, {"[writer held] \n", "[writer resumed] +OK\r\n$1\r\n1\r\n",
                                     "[ping after the timeout] +PONG"});
}

}  // namespace
}  // namespace racetrack::conformance

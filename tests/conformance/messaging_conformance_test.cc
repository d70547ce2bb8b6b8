// Multi-connection conformance for messaging (issue 8), which one-connection scripts cannot
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

// What one server sends a subscriber, and what PUBLISH answered, as one transcript.
std::string PubSubTranscript(int port) {
  RawSocket sub(port);
  Connection pub = Connect(port);
  if (!sub.ok() || !pub) return "(cannot connect)";
  std::string t;
  sub.Send(Resp({"SUBSCRIBE", "news", "sport"}));
  sub.Send(Resp({"PSUBSCRIBE", "n*"}));
  t += "[subscribed] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  const std::vector<std::pair<std::string, std::string>> messages = {
      {"news", "hello"},   {"sport", "goal"},  {"nope", "unheard"}, {"news", ""},
      {"nothing", "p-only"}, {"sport", "a\r\nb"}, {"news", std::string(1000, 'x')}};
  for (const auto& [channel, message] : messages) {
    t += "[publish " + channel + "] " + Show(Command(pub.get(), {"PUBLISH", channel, message}).get()) +
         "\n";
  }
  t += "[received] " + sub.ReadUntilQuiet(std::chrono::milliseconds(1000)) + "\n";
  // Unsubscribing from everything is confirmed frame by frame too.
  sub.Send(Resp({"UNSUBSCRIBE", "sport"}));
  sub.Send(Resp({"PUNSUBSCRIBE"}));
  t += "[unsubscribed] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  t += "[publish after] " + Show(Command(pub.get(), {"PUBLISH", "news", "still"}).get()) + "\n";
  t += "[received] " + sub.ReadUntilQuiet(std::chrono::milliseconds(500)) + "\n";
  return t;
}

TEST_F(MessagingConformance, SubscriberReceivesIdenticalBytes) {
  std::string redis = PubSubTranscript(ports_[0]);
  std::string ours = PubSubTranscript(ports_[1]);
  EXPECT_EQ(redis, ours);
  // Sanity: the transcript really contains both kinds of frame.
  EXPECT_NE(redis.find("$7\r\nmessage\r\n"), std::string::npos) << redis;
  EXPECT_NE(redis.find("$8\r\npmessage\r\n"), std::string::npos) << redis;
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
  return t;
}

TEST_F(MessagingConformance, PendingEntriesAfterConsumerDiesAndAnotherClaims) {
  std::vector<std::string> redis = StreamTranscript(ports_[0]);
  std::vector<std::string> ours = StreamTranscript(ports_[1]);
  ExpectSameTranscript(redis, ours);
  // Sanity: the scenario really exercised what it claims (on Redis, hence on both).
  const std::string all = Joined(redis);
  EXPECT_NE(all.find("XPENDING orders workers => [:2, bulk(3):1-1, bulk(3):2-1, [[bulk(5):alice, "
                     "bulk(1):2]]]"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("XACK orders workers 1-1 2-1 9-9 => :2"), std::string::npos) << all;
  if (std::getenv("RACETRACK_SHOW_TRANSCRIPT") != nullptr) std::cerr << all;
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
  const std::string redis = SlowSubscriberTranscript(ports_[0], "pubsub 1mb 512kb 60");
  const std::string ours = SlowSubscriberTranscript(ports_[1], "pubsub 1mb 512kb 60");
  EXPECT_EQ(redis, ours);
  EXPECT_NE(redis.find("[numsub after] [bulk(4):slow, :0]"), std::string::npos) << redis;
  EXPECT_NE(redis.find("pubsub 1048576 524288 60"), std::string::npos) << redis;
}

TEST_F(MessagingConformance, WithoutALimitTheSlowSubscriberStays) {
  const std::string redis = SlowSubscriberTranscript(ports_[0], "pubsub 0 0 0");
  const std::string ours = SlowSubscriberTranscript(ports_[1], "pubsub 0 0 0");
  EXPECT_EQ(redis, ours);
  EXPECT_NE(redis.find("[numsub after] [bulk(4):slow, :1]"), std::string::npos) << redis;
}

}  // namespace
}  // namespace racetrack::conformance

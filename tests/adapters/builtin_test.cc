#include <gtest/gtest.h>

#include <thread>

#include "adapters/client.h"
#include "adapters/target.h"

namespace racetrack::adapters {
namespace {

TEST(ReplyTest, ParsesRespReplies) {
  Reply r;
  auto n = ParseReply("*3\r\n:1\r\n$3\r\nabc\r\n$-1\r\nrest", &r);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 22u);
  EXPECT_EQ(r.ToString(), "[1, \"abc\", (nil)]");
  EXPECT_EQ(*ParseReply("$5\r\nab", &r), 0u);  // incomplete
  EXPECT_FALSE(ParseReply("?x\r\n", &r).ok());
  ASSERT_TRUE(ParseReply("-ERR no\r\n", &r).ok());
  EXPECT_TRUE(r.is_error());
}

TEST(BuiltinTest, VocabularyPipelineAndTransactions) {
  auto target = MakeBuiltinTarget();
  EXPECT_EQ(target->name(), "builtin");
  auto c = target->Connect();
  ASSERT_TRUE(c.ok());
  Client& client = **c;
  ASSERT_TRUE(client.Set("k", "v").ok());
  EXPECT_EQ(client.Get("k")->value(), "v");
  EXPECT_FALSE(client.Get("missing")->has_value());
  if (client.capabilities() & kCapIncr) {
    EXPECT_EQ(*client.Incr("n"), 1);
    EXPECT_EQ(*client.Incr("n", 5), 6);
    auto wrong = client.Incr("k");
    EXPECT_FALSE(wrong.ok());
  }
  const std::vector<Argv> batch = {{"SET", "a", "1"}, {"GET", "a"}, {"NOSUCHCMD"}};
  auto replies = client.Pipeline(batch);
  ASSERT_TRUE(replies.ok());
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[1].str, "1");
  EXPECT_TRUE((*replies)[2].is_error());
  EXPECT_EQ(*client.Del("a"), 1);
  // SQL is not spoken here: a clear error naming the target.
  auto sql = client.Query({"", "SELECT 1"}, {});
  ASSERT_FALSE(sql.ok());
  EXPECT_NE(sql.status().message().find("builtin"), std::string::npos);
}

TEST(BuiltinTest, WatchDetectsAConcurrentWrite) {
  auto target = MakeBuiltinTarget();
  if (!(target->capabilities() & kCapWatchMulti)) GTEST_SKIP() << "engine lacks WATCH";
  auto a = target->Connect();
  auto b = target->Connect();
  ASSERT_TRUE((*a)->Set("w", "1").ok());
  const std::vector<std::string> keys{"w"};
  ASSERT_TRUE((*a)->Watch(keys).ok());
  ASSERT_TRUE((*b)->Set("w", "2").ok());
  const std::vector<Argv> queued{{"SET", "w", "3"}};
  auto aborted = (*a)->Exec(queued);
  ASSERT_TRUE(aborted.ok());
  EXPECT_FALSE(aborted->has_value());
  auto done = (*a)->Exec(queued);
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ((*a)->Get("w")->value(), "3");
}

TEST(BuiltinTest, ConcurrentIncrementsStayAtomic) {
  auto target = MakeBuiltinTarget();
  if (!(target->capabilities() & kCapIncr)) GTEST_SKIP() << "engine lacks INCR";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto c = target->Connect();
      for (int i = 0; i < 1000; ++i) ASSERT_TRUE((*c)->Incr("hot").ok());
    });
  }
  for (auto& t : threads) t.join();
  auto c = target->Connect();
  EXPECT_EQ((*c)->Get("hot")->value(), "4000");
}

}  // namespace
}  // namespace racetrack::adapters

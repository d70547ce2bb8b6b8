#include "adapters/url.h"

#include <gtest/gtest.h>

namespace racetrack::adapters {
namespace {

TEST(UrlTest, ParsesRedisAndPostgresUrls) {
  auto r = ParseUrl("redis://alice:s3cret@127.0.0.1:6380/2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scheme, "redis");
  EXPECT_EQ(r->user, "alice");
  EXPECT_EQ(r->password, "s3cret");
  EXPECT_TRUE(r->has_password);
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 6380);
  EXPECT_EQ(r->path, "2");

  auto p = ParseUrl("postgresql://u:p%40ss@[::1]:5433/db?sslmode=disable");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->port, 5433);
  EXPECT_EQ(p->path, "db");
  EXPECT_EQ(p->query, "sslmode=disable");

  auto nopass = ParseUrl("redis://localhost");
  ASSERT_TRUE(nopass.ok());
  EXPECT_FALSE(nopass->has_password);
  EXPECT_EQ(nopass->port, 0);
}

TEST(UrlTest, GarbageIsAOneLineErrorWithoutThePassword) {
  for (const char* bad : {"", "localhost:6379", "redis://", "redis://h:notaport",
                          "redis://h:99999", "redis://u:topsecret@:1"}) {
    auto r = ParseUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos);
  }
}

TEST(UrlTest, RedactHidesPasswordsOnly) {
  EXPECT_EQ(Redact("redis://:pw@h:1/0"), "redis://:***@h:1/0");
  EXPECT_EQ(Redact("postgresql://bob:pa/ss@h:5432/db"), "postgresql://bob:***@h:5432/db");
  EXPECT_EQ(Redact("postgresql://bob@h/db"), "postgresql://bob@h/db");
  EXPECT_EQ(Redact("redis://h:1"), "redis://h:1");
  EXPECT_EQ(Redact("--redis-url=redis://u:p@h:1"), "--redis-url=redis://u:***@h:1");
  EXPECT_EQ(Redact("postgresql://h/db?user=x&password=hunter2&sslmode=off"),
            "postgresql://h/db?user=x&password=***&sslmode=off");
  EXPECT_EQ(RedactSecret("auth failed for hunter2", "hunter2"), "auth failed for ***");
}

}  // namespace
}  // namespace racetrack::adapters

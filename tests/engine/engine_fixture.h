// EngineTest: a fixture where a command test reads like a redis-cli session.
//
//   EXPECT_EQ(Run({"incr", "k"}), ":1\r\n");
//   EXPECT_EQ(Run({"get", "k"}), Bulk("1"));
//   EXPECT_THAT(Run({"hget", "s", "f"}), IsError("WRONGTYPE"));
//
// Run returns the raw RESP reply, so tests pin the exact bytes a client would receive. The engine
// runs on a ManualClock (clock_), so TTL tests advance time instead of sleeping.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/client.h"
#include "engine/base/clock.h"
#include "engine/engine.h"

namespace racetrack::engine {

class EngineTest : public ::testing::Test {
 protected:
  explicit EngineTest(EngineConfig config = {}) : engine_(std::move(config), &clock_) {
    engine_.AddClient(&client_);
  }
  ~EngineTest() override { engine_.RemoveClient(&client_); }

  std::string Run(std::initializer_list<std::string_view> argv) { return engine_.Run(client_, argv); }
  std::string Run(ClientState& client, std::initializer_list<std::string_view> argv) {
    return engine_.Run(client, argv);
  }
  std::string RunV(const std::vector<std::string>& argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    engine_.Execute(client_, Args(views));
    return Take(client_);
  }
  // Takes what is in a client's reply buffer: what the engine pushed to it outside its own
  // commands (messages, a blocked command's reply).
  static std::string Take(ClientState& c) {
    std::string out = std::move(c.reply.buffer());
    c.reply.Clear();
    return out;
  }

  // Expected-reply builders, so a test states the value rather than its RESP framing.
  static std::string Bulk(std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
  }
  static std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
  static std::string Err(std::string_view msg) { return "-" + std::string(msg) + "\r\n"; }
  static std::string Status(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
  static std::string Ok() { return "+OK\r\n"; }
  static std::string Nil() { return "$-1\r\n"; }
  // An array of bulk strings.
  static std::string Arr(std::initializer_list<std::string_view> items) {
    std::string out = "*" + std::to_string(items.size()) + "\r\n";
    for (std::string_view s : items) out += Bulk(s);
    return out;
  }

  ManualClock clock_;
  Engine engine_;
  ClientState client_;
};

// EngineTest with a second connection, other_ (WATCH from elsewhere, blocked clients, pub/sub).
class TwoClientEngineTest : public EngineTest {
 protected:
  TwoClientEngineTest() { engine_.AddClient(&other_); }
  ~TwoClientEngineTest() override { engine_.RemoveClient(&other_); }

  ClientState other_;
};

// Matches an error reply whose text starts with `prefix` ("WRONGTYPE", "ERR syntax error").
MATCHER_P(IsError, prefix, "is an error reply starting with " + std::string(prefix)) {
  std::string_view s(arg);
  return s.size() > 1 && s[0] == '-' && s.substr(1).starts_with(std::string_view(prefix));
}

}  // namespace racetrack::engine

// Connection commands: PING ECHO SELECT AUTH HELLO QUIT RESET CLIENT.
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

using ConnectionFamilyTest = EngineTest;

TEST_F(ConnectionFamilyTest, PingEchoQuit) {
  EXPECT_EQ(Run({"ping"}), Status("PONG"));
  EXPECT_EQ(Run({"PING", "hi"}), Bulk("hi"));
  EXPECT_EQ(Run({"ping", "a", "b"}), Err("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(Run({"echo", "x y"}), Bulk("x y"));
  EXPECT_EQ(Run({"echo"}), Err("ERR wrong number of arguments for 'echo' command"));
  EXPECT_EQ(Run({"quit"}), Ok());
  EXPECT_TRUE(client_.close_after_reply);
}

TEST_F(ConnectionFamilyTest, Select) {
  Run({"set", "k", "0"});
  EXPECT_EQ(Run({"select", "15"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Nil());
  EXPECT_EQ(Run({"select", "16"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(Run({"select", "-1"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(Run({"select", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"select", "99999999999"}),
            Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  EXPECT_EQ(Run({"select", "0"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("0"));
}

TEST_F(ConnectionFamilyTest, AuthWithoutPassword) {
  EXPECT_EQ(Run({"auth", "x"}),
            Err("ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(Run({"auth", "default", "anything"}), Ok());
  EXPECT_EQ(Run({"auth", "bob", "x"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(Run({"auth", "a", "b", "c"}), Err("ERR syntax error"));
}

class AuthTest : public EngineTest {
 protected:
  AuthTest() : EngineTest(EngineConfig{.requirepass = "secret"}) {}
};

TEST_F(AuthTest, RequirePass) {
  EXPECT_EQ(Run({"get", "k"}), Err("NOAUTH Authentication required."));
  EXPECT_EQ(Run({"hello", "2"}),
            Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
                "select the RESP protocol version at the same time"));
  EXPECT_EQ(Run({"auth", "wrong"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(Run({"auth", "secret"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Nil());
  EXPECT_EQ(Run({"reset"}), Status("RESET"));
  EXPECT_EQ(Run({"get", "k"}), Err("NOAUTH Authentication required."));
  std::string hello = Run({"hello", "2", "auth", "default", "secret", "setname", "me"});
  EXPECT_EQ(hello.substr(0, 5), "*14\r\n");
  EXPECT_EQ(Run({"client", "getname"}), Bulk("me"));
}

TEST_F(ConnectionFamilyTest, Hello) {
  std::string expected = "*14\r\n" + Bulk("server") + Bulk("redis") + Bulk("version") +
                         Bulk("7.0.15") + Bulk("proto") + Int(2) + Bulk("id") +
                         Int(static_cast<int64_t>(client_.id)) + Bulk("mode") +
                         Bulk("standalone") + Bulk("role") + Bulk("master") + Bulk("modules") +
                         "*0\r\n";
  EXPECT_EQ(Run({"hello"}), expected);
  EXPECT_EQ(Run({"hello", "2"}), expected);
  // HELLO 3 switches this connection's replies to RESP3 (a map here, `_` for a null); HELLO 2
  // switches back.
  std::string hello3 = Run({"hello", "3"});
  EXPECT_EQ(hello3.substr(0, 4), "%7\r\n");
  EXPECT_NE(hello3.find(Bulk("proto") + Int(3)), std::string::npos);
  EXPECT_EQ(Run({"get", "nokey"}), "_\r\n");
  EXPECT_EQ(Run({"hello", "2"}), expected);
  EXPECT_EQ(Run({"get", "nokey"}), "$-1\r\n");
  EXPECT_EQ(Run({"hello", "4"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(Run({"hello", "1"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(Run({"hello", "x"}), Err("ERR Protocol version is not an integer or out of range"));
  EXPECT_EQ(Run({"hello", "2", "foo"}), Err("ERR Syntax error in HELLO option 'foo'"));
  EXPECT_EQ(Run({"hello", "2", "setname", "a b"}),
            Err("ERR Client names cannot contain spaces, newlines or special characters."));
}

TEST_F(ConnectionFamilyTest, ClientReplyOffAndSkipDropReplies) {
  EXPECT_EQ(Run({"client", "reply", "off"}), "");
  EXPECT_EQ(Run({"set", "k", "v"}), "");
  EXPECT_EQ(Run({"client", "reply", "on"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "reply", "skip"}), "");
  EXPECT_EQ(Run({"get", "k"}), "");
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"client", "reply", "maybe"}), Err("ERR syntax error"));
}

TEST_F(ConnectionFamilyTest, ClientCommands) {
  EXPECT_EQ(Run({"client", "id"}), Int(static_cast<int64_t>(client_.id)));
  EXPECT_EQ(Run({"client", "getname"}), Nil());
  EXPECT_EQ(Run({"client", "setname", "worker-1"}), Ok());
  EXPECT_EQ(Run({"client", "getname"}), Bulk("worker-1"));
  EXPECT_EQ(Run({"client", "setname", "a b"}),
            Err("ERR Client names cannot contain spaces, newlines or special characters."));
  clock_.AdvanceMs(3000);
  std::string info = Run({"client", "info"});
  std::string line = "id=" + std::to_string(client_.id) +
                     " addr=internal:0 laddr=internal:0 fd=-1 name=worker-1 age=3 idle=0 flags=N "
                     "db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 "
                     "rbs=0 rbp=0 obl=0 oll=0 omem=0";
  EXPECT_EQ(info.substr(0, info.find("\r\n") + 2 + line.size()),
            "$" + std::to_string(info.size() - info.find("\r\n") - 4) + "\r\n" + line);
  EXPECT_NE(info.find(" cmd=client|info user=default redir=-1 resp=2\n"), std::string::npos);

  ClientState other;
  engine_.AddClient(&other);
  std::string list = Run({"client", "list"});
  EXPECT_NE(list.find("name=worker-1"), std::string::npos);
  EXPECT_NE(list.find("id=" + std::to_string(other.id) + " "), std::string::npos);
  // cmd= of another client: its last command's full name, "NULL" before its first.
  auto other_cmd = [&] {
    std::string line = RunV({"client", "list", "id", std::to_string(other.id)});
    size_t at = line.find(" cmd=");
    return at == std::string::npos ? std::string() : line.substr(at + 5, line.find(' ', at + 1) - at - 5);
  };
  EXPECT_EQ(other_cmd(), "NULL");
  Run(other, {"GET", "k"});
  EXPECT_EQ(other_cmd(), "get");
  Run(other, {"config", "GET", "maxmemory"});
  EXPECT_EQ(other_cmd(), "config|get");
  Run(other, {"get"});  // rejected (arity): not a command it ran
  EXPECT_EQ(other_cmd(), "config|get");
  std::string by_id = RunV({"client", "list", "id", std::to_string(other.id)});
  EXPECT_EQ(by_id.find("worker-1"), std::string::npos);
  EXPECT_EQ(Run({"client", "list", "type", "foo"}), Err("ERR Unknown client type 'foo'"));
  EXPECT_EQ(Run({"client", "list", "id", "x"}), Err("ERR Invalid client ID"));
  EXPECT_EQ(RunV({"client", "kill", "id", std::to_string(other.id)}), Int(1));
  EXPECT_TRUE(other.close_after_reply);
  EXPECT_EQ(Run({"client", "kill", "1.2.3.4:5"}), Err("ERR No such client"));
  EXPECT_EQ(Run({"client", "bogus"}), Err("ERR unknown subcommand 'bogus'. Try CLIENT HELP."));
  engine_.RemoveClient(&other);
}

TEST_F(ConnectionFamilyTest, ResetClearsState) {
  Run({"select", "3"});
  Run({"client", "setname", "n"});
  EXPECT_EQ(Run({"reset"}), Status("RESET"));
  EXPECT_EQ(client_.db, 0);
  EXPECT_EQ(Run({"client", "getname"}), Nil());
}

}  // namespace
}  // namespace racetrack::engine

// The every-command robustness test (issue 11): one request from one client must never bring
// racetrack-server down, hang it, or garble its replies.
//
// Against a real racetrack-server process (append-only log on, in a temp dir), it takes every
// command name the server knows — COMMAND's list with every subcommand — plus every lower-case
// word the blocking, transaction and scripting sources quote (the names they run as nested
// commands, e.g. BLMPOP's inner LMPOP, and whatever else: unknown names must get an error), and
// sends each
//   - with no arguments, one, and three arbitrary ones (five different triples), and, for
//     blocking commands, in their blocking form with a 10 ms timeout;
//   - with the key it names ("k") missing or holding each of the six types;
//   - plainly, inside MULTI/EXEC, and through redis.pcall in an EVAL script.
// After each, the connection must be answering in step (PING <marker> is answered with the marker,
// so a missing or extra reply shows), every reply must parse as RESP, and the process must live.
// Commands that end or change the connection (QUIT, RESET, HELLO, SUBSCRIBE & co, MONITOR,
// SYNC, CLIENT KILL, SHUTDOWN with arguments) each get a connection of their own, which may close.
//
// Then the server is restarted on its append-only log (replaying everything the battery wrote).
// The other tests, each on its own server: clients blocked in each blocking form are woken by a
// write of the right type, of the wrong type, and by deletion; a crafted log holding every command
// line is replayed; plain SHUTDOWN ends the process cleanly.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <strings.h>
#include <string>
#include <thread>
#include <vector>

#include "adapters/server_process.h"
#include "tests/test_paths.h"

namespace racetrack::engine {
namespace {

namespace fs = std::filesystem;
using Argv = std::vector<std::string>;

// Blocking forms, 10 ms timeouts. Every command COMMAND flags "blocking" must have one here (the
// test fails otherwise), so a new blocking command cannot miss this test.
const std::map<std::string, Argv>& BlockingForms() {
  static const auto* forms = new std::map<std::string, Argv>{
      {"blpop", {"blpop", "k", "0.01"}},
      {"brpop", {"brpop", "k", "0.01"}},
      {"blmove", {"blmove", "k", "v", "LEFT", "RIGHT", "0.01"}},
      {"brpoplpush", {"brpoplpush", "k", "v", "0.01"}},
      {"blmpop", {"blmpop", "0.01", "2", "nokey", "k", "RIGHT", "COUNT", "2"}},
      {"bzmpop", {"bzmpop", "0.01", "2", "nokey", "k", "MAX", "COUNT", "2"}},
      {"bzpopmin", {"bzpopmin", "nokey", "k", "0.01"}},
      {"bzpopmax", {"bzpopmax", "nokey", "k", "0.01"}},
      {"xread", {"xread", "BLOCK", "10", "STREAMS", "k", "$"}},
      {"xreadgroup", {"xreadgroup", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "k", ">"}},
  };
  return *forms;
}

// Names sent on a connection of their own: they close it, switch it to another protocol or mode,
// may kill connections, or answer one reply per argument (the UNSUBSCRIBE family), so the test
// reads until its marker comes back instead of counting replies.
bool ChangesConnection(const std::string& name) {
  static const std::set<std::string> kNames = {
      "quit",        "reset",        "hello",       "monitor",     "subscribe",
      "psubscribe",  "ssubscribe",   "unsubscribe", "punsubscribe", "sunsubscribe",
      "sync",        "psync",        "replicaof",   "slaveof",     "shutdown",
      "client|kill", "client|reply", "client|pause", "debug",      "failover"};
  return kNames.contains(name);
}

const std::vector<Argv>& ArgSets() {
  static const auto* sets = new std::vector<Argv>{
      {},
      {"k"},
      {"k", "1", "v"},
      {"-1", "0", ""},
      {"k", "*", std::string("\xff\0*", 3)},
      {"k", "1", "k"},  // the same key as source and destination (SMOVE, ZUNIONSTORE, LMOVE, ...)
      {"k", "k", "k"}};
  return *sets;
}

// Key "k" before each case: missing, or one of the six types (a stream with group g).
const std::vector<std::vector<Argv>>& States() {
  static const auto* states = new std::vector<std::vector<Argv>>{
      {},
      {{"set", "k", "12"}},
      {{"rpush", "k", "a", "b", "c"}},
      {{"hset", "k", "f", "1", "g", "2"}},
      {{"sadd", "k", "a", "b", "1"}},
      {{"zadd", "k", "1", "a", "2", "b"}},
      {{"xadd", "k", "1-1", "f", "v"}, {"xgroup", "create", "k", "g", "0"}},
  };
  return *states;
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

// Empty if r is a well-formed RESP2 reply (hiredis has already rejected bad framing); else what is
// wrong with it.
std::string CheckWellFormed(const redisReply* r, int depth = 0) {
  if (depth > 64) return "nested deeper than 64";
  switch (r->type) {
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      if (r->len == 0) return "empty status or error line";
      for (size_t i = 0; i < r->len; ++i) {
        if (r->str[i] == '\r' || r->str[i] == '\n') return "line break inside a status or error";
      }
      return "";
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_INTEGER:
    case REDIS_REPLY_NIL:
      return "";
    case REDIS_REPLY_ARRAY:
      for (size_t i = 0; i < r->elements; ++i) {
        std::string e = CheckWellFormed(r->element[i], depth + 1);
        if (!e.empty()) return e;
      }
      return "";
    default:
      return "unknown reply type " + std::to_string(r->type);
  }
}

std::string Printable(const Argv& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (unsigned char c : a) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", c);
        out += buf;
      }
    }
    out += '"';
  }
  return out;
}

class Connection {
 public:
  explicit Connection(int port) {
    timeval tv{5, 0};  // a reply later than this counts as a hang
    c_ = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c_ != nullptr && c_->err == 0) redisSetTimeout(c_, tv);
  }
  ~Connection() {
    if (c_ != nullptr) redisFree(c_);
  }
  bool ok() const { return c_ != nullptr && c_->err == 0; }
  std::string error() const { return c_ == nullptr ? "no context" : c_->errstr; }
  // True when the server closed the connection (EOF), as opposed to a timeout or a bad reply.
  bool closed_by_server() const { return c_ != nullptr && c_->err == REDIS_ERR_EOF; }

  void Append(const Argv& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  }
  // The next reply, or null (see error()).
  Reply Read() {
    void* r = nullptr;
    if (redisGetReply(c_, &r) != REDIS_OK) return nullptr;
    return Reply(static_cast<redisReply*>(r));
  }
  Reply Call(const Argv& argv) {
    Append(argv);
    return Read();
  }

 private:
  redisContext* c_ = nullptr;
};

class EveryCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char templ[] = "/tmp/racetrack-every-command-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  static void TearDownTestSuite() {
    server_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Starts racetrack-server with its append-only log in `dir` (created if needed).
  static void StartServer(const std::string& dir) {
    fs::create_directories(dir);
    Result<int> port = adapters::FindFreePort();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
    adapters::ProcessOptions o{
        .program = test_paths::BinDir() + "/racetrack-server",
        .args = {"--port", std::to_string(port_), "--dir", dir, "--appendonly", "yes",
                 "--appendfsync", "no"},
        .working_dir = dir,
        .log_path = dir + "/server.log"};
    auto p = adapters::ServerProcess::Start(o);
    ASSERT_TRUE(p.ok()) << p.status().message();
    server_ = std::move(*p);
    Status up = server_->WaitForPort(port_, std::chrono::seconds(20));
    ASSERT_TRUE(up.ok()) << up.message();
  }

  // The server's command names, subcommands as "parent|sub", and the blocking ones.
  static void ReadCommandTable(Connection& c, std::vector<std::string>* names,
                               std::set<std::string>* blocking) {
    Reply r = c.Call({"command"});
    ASSERT_TRUE(r != nullptr && r->type == REDIS_REPLY_ARRAY) << c.error();
    auto add = [&](const redisReply* e) {
      ASSERT_EQ(e->type, REDIS_REPLY_ARRAY);
      ASSERT_GE(e->elements, 3u);
      std::string name(e->element[0]->str, e->element[0]->len);
      names->push_back(name);
      for (size_t i = 0; i < e->element[2]->elements; ++i) {
        if (std::string_view(e->element[2]->element[i]->str) == "blocking") blocking->insert(name);
      }
    };
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* e = r->element[i];
      add(e);
      if (e->elements > 9 && e->element[9]->type == REDIS_REPLY_ARRAY) {
        for (size_t j = 0; j < e->element[9]->elements; ++j) add(e->element[9]->element[j]);
      }
    }
  }

  // Lower-case words quoted in the engine's blocking, transaction and scripting sources: the
  // commands they run as nested calls are among them. Searched by file name under engine/, so the
  // scan follows the files if they move to subfolders.
  static std::set<std::string> NamesQuotedInSources(size_t* files) {
    std::set<std::string> out;
    std::regex literal("\"([a-z][a-z_|]{1,29})\"");
    *files = 0;
    const std::string engine_dir = test_paths::SourceDir() + "/engine";
    for (const auto& entry : fs::recursive_directory_iterator(engine_dir)) {
      std::string file = entry.path().filename().string();
      if (entry.path().extension() != ".cc") continue;
      if (file.find("blocking") == std::string::npos &&
          file.find("transaction") == std::string::npos &&
          file.find("scripting") == std::string::npos) {
        continue;
      }
      ++*files;
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) {
        out.insert((*it)[1].str());
      }
    }
    return out;
  }

  // "client|kill" -> {"client", "kill"}.
  static Argv NameArgv(const std::string& name) {
    size_t bar = name.find('|');
    if (bar == std::string::npos) return {name};
    return {name.substr(0, bar), name.substr(bar + 1)};
  }

  enum class Mode { kPlain, kMulti, kScript };

  static std::vector<Argv> Body(const Argv& argv, Mode mode) {
    switch (mode) {
      case Mode::kPlain:
        // A MULTI that opened a transaction would queue the marker PING: close it again.
        if (argv.size() == 1 && argv[0] == "multi") return {argv, {"discard"}};
        return {argv};
      case Mode::kMulti:
        return {{"multi"}, argv, {"exec"}};
      case Mode::kScript: {
        Argv eval = {"eval", "return redis.pcall(unpack(ARGV))", "0"};
        eval.insert(eval.end(), argv.begin(), argv.end());
        return {eval};
      }
    }
    return {};
  }

  static const char* ModeName(Mode m) {
    return m == Mode::kPlain ? "plain" : m == Mode::kMulti ? "in MULTI" : "via redis.pcall";
  }

  // One case on the shared connection: state setup, the body, then PING <marker>, pipelined.
  // Returns what went wrong, or empty.
  std::string RunOnMain(const std::vector<Argv>& setup, const std::vector<Argv>& body) {
    if (!main_ || !main_->ok()) main_ = std::make_unique<Connection>(port_);
    if (!main_->ok()) return "cannot connect: " + main_->error();
    std::string marker = "marker-" + std::to_string(++markers_);
    main_->Append({"select", "0"});
    main_->Append({"flushall"});
    for (const auto& a : setup) main_->Append(a);
    for (const auto& a : body) main_->Append(a);
    main_->Append({"ping", marker});
    size_t expected = 2 + setup.size() + body.size() + 1;
    for (size_t i = 0; i < expected; ++i) {
      Reply r = main_->Read();
      if (r == nullptr) {
        std::string why = main_->closed_by_server() ? "the server closed the connection"
                                                    : "no reply: " + main_->error();
        main_.reset();
        return why;
      }
      std::string bad = CheckWellFormed(r.get());
      if (!bad.empty()) return "malformed reply: " + bad;
      if (i == expected - 1 &&
          (r->type != REDIS_REPLY_STRING || std::string(r->str, r->len) != marker)) {
        main_.reset();  // out of step: start the next case on a fresh connection
        return "replies out of step (a missing or extra reply)";
      }
    }
    return "";
  }

  // One case on a connection of its own; it may be closed by the command. The state is set up on
  // the shared connection first.
  std::string RunAlone(const std::vector<Argv>& setup, const std::vector<Argv>& body) {
    std::string e = RunOnMain(setup, {});
    if (!e.empty()) return "setup: " + e;
    Connection c(port_);
    if (!c.ok()) return "cannot connect: " + c.error();
    std::string marker = "marker-" + std::to_string(++markers_);
    for (const auto& a : body) c.Append(a);
    c.Append({"ping", marker});
    // SYNC/PSYNC that succeed turn the connection into a replica's: the snapshot payload and the
    // replication stream follow, not replies (and a replica's own commands get none), so the
    // handshake's first answer is the end of what can be read as RESP replies.
    bool handshake = false;
    for (const auto& a : body) {
      handshake |= !a.empty() && (strcasecmp(a[0].c_str(), "sync") == 0 ||
                                  strcasecmp(a[0].c_str(), "psync") == 0);
    }
    // Read until the marker comes back (plain or, when subscribed, as ["pong", marker]) or the
    // server closes the connection.
    for (int i = 0; i < 1000; ++i) {
      Reply r = c.Read();
      if (r == nullptr) {
        if (c.closed_by_server()) return "";
        return "no reply: " + c.error();
      }
      std::string bad = CheckWellFormed(r.get());
      if (!bad.empty()) return "malformed reply: " + bad;
      if (handshake && ((r->type == REDIS_REPLY_STATUS &&
                         std::string_view(r->str, r->len).starts_with("FULLRESYNC")) ||
                        r->type == REDIS_REPLY_STRING)) {
        return "";
      }
      if (r->type == REDIS_REPLY_STRING && std::string(r->str, r->len) == marker) return "";
      if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[1]->type == REDIS_REPLY_STRING &&
          std::string(r->element[1]->str, r->element[1]->len) == marker) {
        return "";
      }
    }
    return "more than 1000 replies";
  }

  // Records a failure; false if the server process died (then nothing more can be tested).
  bool Note(const std::string& failure, const std::string& what) {
    if (!failure.empty()) failures_.push_back(what + ": " + failure);
    if (!server_->Running()) {
      failures_.push_back("the server process died after " + what + "\n" + server_->LogTail());
      return false;
    }
    return true;
  }

  // Sanitizer builds (the debug preset): UBSan reports and goes on, so its reports in the server's
  // log count as failures too, as do ASan's and a failed invariant's.
  static void ExpectCleanServerLog() {
    if (server_ == nullptr) return;
    std::ifstream in(server_->log_path());
    std::string line;
    int shown = 0;
    while (std::getline(in, line)) {
      if (line.find("runtime error:") != std::string::npos ||
          line.find("AddressSanitizer") != std::string::npos ||
          line.find("LeakSanitizer") != std::string::npos ||
          line.find("invariant failed") != std::string::npos) {
        ADD_FAILURE() << "server log: " << line;
        if (++shown == 10) break;
      }
    }
  }

  void ExpectNoFailures() {
    ExpectCleanServerLog();
    std::string all;
    for (size_t i = 0; i < failures_.size() && i < 30; ++i) all += "\n  " + failures_[i];
    EXPECT_TRUE(failures_.empty()) << failures_.size() << " failures:" << all;
  }

  static inline std::string dir_;
  static inline int port_ = 0;
  static inline std::unique_ptr<adapters::ServerProcess> server_;
  std::unique_ptr<Connection> main_;
  uint64_t markers_ = 0;
  std::vector<std::string> failures_;
};

TEST_F(EveryCommandTest, EveryCommandEveryArityEveryModeLeavesTheServerAnswering) {
  StartServer(dir_ + "/battery");
  Connection probe(port_);
  ASSERT_TRUE(probe.ok()) << probe.error();
  std::vector<std::string> names;
  std::set<std::string> blocking;
  ReadCommandTable(probe, &names, &blocking);
  ASSERT_GT(names.size(), 100u) << "COMMAND listed too few commands";
  for (const auto& b : blocking) {
    EXPECT_TRUE(BlockingForms().contains(b)) << b << " is blocking: add its blocking form above";
  }
  size_t files = 0;
  std::set<std::string> quoted = NamesQuotedInSources(&files);
  ASSERT_GE(files, 3u) << "blocking, transaction and scripting sources not found under engine/";
  std::set<std::string> known(names.begin(), names.end());
  size_t extra = 0;
  for (const auto& q : quoted) {
    if (!known.contains(q)) {
      names.push_back(q);
      ++extra;
    }
  }

  size_t cases = 0;
  for (const auto& name : names) {
    std::vector<Argv> lines;
    for (const auto& args : ArgSets()) {
      Argv argv = NameArgv(name);
      if (name == "shutdown" && args.empty()) continue;  // the last test sends it
      argv.insert(argv.end(), args.begin(), args.end());
      lines.push_back(argv);
    }
    auto form = BlockingForms().find(name);
    if (form != BlockingForms().end()) lines.push_back(form->second);
    bool alone = ChangesConnection(name);
    // Names found only in the sources are mostly not commands: one state is enough for them.
    size_t states = known.contains(name) ? States().size() : 1;
    for (size_t s = 0; s < states; ++s) {
      for (const Argv& argv : lines) {
        // COMMAND, COMMAND INFO and COMMAND DOCS carry Redis's key specs and documentation,
        // nested as deep as redis-server's (up to 13: arguments within arguments); hiredis's
        // reader stops at depth 7. command_table_test compares them with redis-server instead.
        if (argv[0] == "command" &&
            (argv.size() == 1 || argv[1] == "docs" || argv[1] == "info")) {
          continue;
        }
        for (Mode mode : {Mode::kPlain, Mode::kMulti, Mode::kScript}) {
          std::vector<Argv> body = Body(argv, mode);
          std::string failure =
              alone ? RunAlone(States()[s], body) : RunOnMain(States()[s], body);
          ++cases;
          std::string what = Printable(argv) + " " + ModeName(mode) + " (state " +
                             std::to_string(s) + ")";
          if (!Note(failure, what)) {
            ExpectNoFailures();
            return;
          }
        }
      }
    }
  }
  std::printf("[ info ] %zu command names (%zu more quoted in the sources), %zu cases\n",
              known.size(), extra, cases);
  ExpectNoFailures();

  // Everything the battery wrote is in the append-only log: a restart replays it.
  main_.reset();
  ASSERT_TRUE(server_->Stop().ok());
  ASSERT_TRUE(fs::exists(dir_ + "/battery/appendonly.aof"));
  StartServer(dir_ + "/battery");
  Connection c(port_);
  Reply r = c.Call({"ping"});
  ASSERT_TRUE(r != nullptr) << c.error() << "\n" << server_->LogTail();
  EXPECT_EQ(std::string(r->str, r->len), "PONG");
  ExpectCleanServerLog();
}

// A client blocked in each blocking form, then the key it waits on is written with the right type,
// the wrong type, renamed onto, deleted or flushed: the blocked client gets one well-formed reply
// (served, an error, or its timeout), and the server goes on.
TEST_F(EveryCommandTest, BlockedClientsWokenByAnyWriteGetOneWellFormedReply) {
  if (server_ == nullptr || !server_->Running()) StartServer(dir_ + "/battery");
  const std::vector<std::vector<Argv>> wakers = {
      {{"rpush", "k", "x", "y", "z"}},
      {{"xadd", "k", "*", "f", "v"}},
      {{"set", "k", "string"}},
      {{"hset", "k", "f", "v"}},
      {{"zadd", "k", "1", "a", "2", "b"}},
      {{"rpush", "k", "x"}, {"del", "k"}},
      {{"rpush", "nokey", "x"}, {"rename", "nokey", "k"}},
      {{"xadd", "k", "*", "f", "v"}, {"xgroup", "create", "k", "g", "$"}, {"xadd", "k", "*", "a", "b"}},
      {{"rpush", "k", "x"}, {"flushall"}},
  };
  Connection writer(port_);
  ASSERT_TRUE(writer.ok()) << writer.error();
  for (const auto& [name, form] : BlockingForms()) {
    Argv longer = form;  // 10 ms -> 100 ms: long enough for the waker to come first
    for (auto& a : longer) {
      if (a == "0.01") a = "0.1";
      if (a == "10") a = "100";
    }
    for (size_t w = 0; w < wakers.size(); ++w) {
      std::string what = Printable(longer) + " woken by " + Printable(wakers[w].front());
      std::string e;
      writer.Call({"flushall"});
      Connection blocked(port_);
      blocked.Append(longer);
      blocked.Append({"ping", "after"});
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      for (const auto& a : wakers[w]) {
        Reply r = writer.Call(a);
        if (r == nullptr) e = "the writer got no reply: " + writer.error();
      }
      Reply r = blocked.Read();
      if (r == nullptr) {
        e = "the blocked client got no reply: " + blocked.error();
      } else if (std::string bad = CheckWellFormed(r.get()); !bad.empty()) {
        e = "malformed reply: " + bad;
      } else {
        Reply pong = blocked.Read();
        if (pong == nullptr || pong->type != REDIS_REPLY_STRING ||
            std::string(pong->str, pong->len) != "after") {
          e = "replies out of step after the wake-up";
        }
      }
      if (!Note(e, what)) {
        ExpectNoFailures();
        return;
      }
    }
  }
  ExpectNoFailures();
}

// A log holding every command line of the battery (not only what a real server would log) is
// replayed: an odd line gets an error reply that the loader drops, never an abort.
TEST_F(EveryCommandTest, ReplayOfALogHoldingEveryCommandLine) {
  std::string dir = dir_ + "/crafted";
  fs::create_directories(dir);
  if (server_ == nullptr || !server_->Running()) StartServer(dir_ + "/probe");
  {
    Connection probe(port_);
    ASSERT_TRUE(probe.ok()) << probe.error();
    std::vector<std::string> names;
    std::set<std::string> blocking;
    ReadCommandTable(probe, &names, &blocking);
    std::ofstream aof(dir + "/appendonly.aof", std::ios::binary);
    auto write = [&aof](const Argv& argv) {
      aof << '*' << argv.size() << "\r\n";
      for (const auto& a : argv) aof << '$' << a.size() << "\r\n" << a << "\r\n";
    };
    for (const auto& state : States()) {
      for (const auto& name : names) {
        for (const auto& args : ArgSets()) {
          if (name == "shutdown" && args.empty()) continue;
          write({"flushall"});
          for (const auto& a : state) write(a);
          Argv argv = NameArgv(name);
          argv.insert(argv.end(), args.begin(), args.end());
          write(argv);
        }
        auto form = BlockingForms().find(name);
        if (form != BlockingForms().end()) write(form->second);
      }
    }
    write({"select", "0"});
  }
  server_.reset();
  StartServer(dir);
  Connection c(port_);
  // PUBLISH and SET reach whatever the log's SUBSCRIBE and WATCH lines registered.
  for (const Argv& probe : std::vector<Argv>{
           {"ping"}, {"publish", "k", "m"}, {"publish", "1", "m"}, {"set", "k", "v"}, {"ping"}}) {
    Reply r = c.Call(probe);
    ASSERT_TRUE(r != nullptr) << c.error() << "\n" << server_->LogTail();
    EXPECT_EQ(CheckWellFormed(r.get()), "");
  }
  EXPECT_TRUE(server_->Running()) << server_->LogTail();
  ExpectCleanServerLog();
}

// Last: plain SHUTDOWN ends the server cleanly (exit status 0), after a reply-less close.
TEST_F(EveryCommandTest, PlainShutdownEndsTheServer) {
  if (server_ == nullptr || !server_->Running()) StartServer(dir_ + "/shutdown");
  Connection c(port_);
  ASSERT_TRUE(c.ok()) << c.error();
  Reply r = c.Call({"shutdown"});
  EXPECT_TRUE(r == nullptr && c.closed_by_server()) << "SHUTDOWN should close the connection";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(server_->Running()) << "the server did not exit after SHUTDOWN";
  EXPECT_TRUE(WIFEXITED(server_->exit_status()) && WEXITSTATUS(server_->exit_status()) == 0)
      << "exit status " << server_->exit_status() << "\n" << server_->LogTail();
  ExpectCleanServerLog();
}

}  // namespace
}  // namespace racetrack::engine

// RESP2 targets over hiredis (0.14: RESP2 reply types only): `redis` (a real Redis) and `builtin-tcp` (racetrack-server).
//
// One redisContext per Client, blocking, with a connect timeout and a command timeout so a dead or
// stalled server turns into an error instead of a hang. Once hiredis reports an I/O error the
// context is unusable; the client remembers the error and fails every later call fast with it.
//
// Capabilities are probed once, when the target is opened, by sending each command with no
// arguments: a server that knows it answers with an arity error, one that does not answers
// "ERR unknown command" (the probe never executes anything).
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "adapters/url.h"

namespace racetrack::adapters {

namespace {

timeval ToTimeval(double seconds) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = r->type == REDIS_REPLY_STRING   ? Reply::Type::kString
                 : r->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                 : Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

struct Endpoint {
  TargetKind kind;
  Url url;
  std::string redacted;
  double connect_timeout_s;
  double command_timeout_s;
};

class RespClient final : public Client {
 public:
  RespClient(const Endpoint& ep, uint32_t caps) : ep_(ep), caps_(caps) {}
  ~RespClient() override {
    if (ctx_ != nullptr) redisFree(ctx_);
  }

  // Connects, authenticates and selects the db. The Status names the endpoint.
  Status Open() {
    const int port = ep_.url.port == 0 ? 6379 : ep_.url.port;
    ctx_ = redisConnectWithTimeout(ep_.url.host.c_str(), port, ToTimeval(ep_.connect_timeout_s));
    if (ctx_ == nullptr) return Fail(Status::Unavailable(Prefix() + "out of memory"));
    if (ctx_->err != 0) {
      return Fail(Status::Unavailable(Prefix() + "cannot connect: " + ctx_->errstr));
    }
    redisSetTimeout(ctx_, ToTimeval(ep_.command_timeout_s));
    if (ep_.url.has_password) {
      Argv auth = ep_.url.user.empty() ? Argv{"AUTH", ep_.url.password}
                                       : Argv{"AUTH", ep_.url.user, ep_.url.password};
      auto r = Command(auth);
      if (!r.ok()) return r.status();
      if (r->is_error()) {
        return Fail(Status::Unavailable(
            Prefix() + "authentication failed: " + RedactSecret(r->str, ep_.url.password)));
      }
    }
    if (!ep_.url.path.empty() && ep_.url.path != "0") {
      auto r = Command({"SELECT", ep_.url.path});
      if (!r.ok()) return r.status();
      if (r->is_error()) return Fail(Status::InvalidArgument(Prefix() + "SELECT: " + r->str));
    }
    auto r = Command({"PING"});
    if (!r.ok()) return r.status();
    if (r->is_error()) {
      // NOAUTH without a password in the URL, or a server that refuses us.
      return Fail(Status::Unavailable(Prefix() + r->str));
    }
    return Status::Ok();
  }

  std::string_view target_name() const override { return TargetName(ep_.kind); }
  uint32_t capabilities() const override { return caps_; }

  Result<Reply> Command(const Argv& argv) override {
    if (!broken_.ok()) return broken_;
    Prepare(argv);
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        ctx_, static_cast<int>(argv.size()), ptrs_.data(), lens_.data()));
    if (raw == nullptr) return Fail(IoStatus());
    ReplyPtr reply(raw);
    return Convert(reply.get());
  }

  Result<std::vector<Reply>> Pipeline(std::span<const Argv> commands) override {
    if (!broken_.ok()) return broken_;
    for (const Argv& argv : commands) {
      Prepare(argv);
      if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs_.data(),
                                 lens_.data()) != REDIS_OK) {
        return Fail(IoStatus());
      }
    }
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return Fail(IoStatus());
      ReplyPtr reply(static_cast<redisReply*>(raw));
      replies.push_back(Convert(reply.get()));
    }
    return replies;
  }

  Status Subscribe(std::string_view channel) override {
    auto r = Command({"SUBSCRIBE", std::string(channel)});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::InvalidArgument(Prefix() + r->str);
    return Status::Ok();
  }

  // Reads pushes without hiredis's blocking read: its socket timeout would break the context,
  // so wait for readability with poll() and hand hiredis only bytes that are there.
  Result<std::optional<PushMessage>> Receive(double timeout_s) override {
    if (!broken_.ok()) return broken_;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::microseconds(static_cast<int64_t>(timeout_s * 1e6));
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return Fail(IoStatus());
      if (raw == nullptr) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{ctx_->fd, POLLIN, 0};
        const int n = poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
        if (n <= 0) return std::optional<PushMessage>();  // timeout (or EINTR: try again later)
        if (redisBufferRead(ctx_) != REDIS_OK) return Fail(IoStatus());
        continue;
      }
      ReplyPtr reply(static_cast<redisReply*>(raw));
      Reply r = Convert(reply.get());
      if (r.type == Reply::Type::kArray && r.elements.size() == 3 &&
          r.elements[0].str == "message") {
        return std::optional<PushMessage>(
            PushMessage{std::move(r.elements[1].str), std::move(r.elements[2].str)});
      }
    }
  }

  void Abort() override {
    if (ctx_ == nullptr || !broken_.ok()) return;
    shutdown(ctx_->fd, SHUT_RDWR);
    broken_ = Status::Unavailable(Prefix() + "connection cut by the client (Abort)");
  }

 private:
  std::string Prefix() const { return std::string(TargetName(ep_.kind)) + " " + ep_.redacted + ": "; }

  Status IoStatus() const {
    std::string why = ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection lost";
    if (ctx_->err == REDIS_ERR_EOF) why = "server closed the connection";
    if (ctx_->err == REDIS_ERR_IO && (why.find("timed out") != std::string::npos ||
                                      why.find("Resource temporarily") != std::string::npos)) {
      why = "no reply within the command timeout";
    }
    return Status::Unavailable(Prefix() + why);
  }

  Status Fail(Status s) {
    broken_ = s;
    return s;
  }

  void Prepare(const Argv& argv) {
    ptrs_.resize(argv.size());
    lens_.resize(argv.size());
    for (size_t i = 0; i < argv.size(); ++i) {
      ptrs_[i] = argv[i].data();
      lens_[i] = argv[i].size();
    }
  }

  Endpoint ep_;
  uint32_t caps_;
  redisContext* ctx_ = nullptr;
  Status broken_;
  std::vector<const char*> ptrs_;
  std::vector<size_t> lens_;
};

class RespTarget final : public Target {
 public:
  RespTarget(Endpoint ep, uint32_t caps, std::string version)
      : ep_(std::move(ep)), caps_(caps), version_(std::move(version)) {}
  TargetKind kind() const override { return ep_.kind; }
  uint32_t capabilities() const override { return caps_; }
  std::string endpoint() const override { return ep_.redacted; }
  std::string server_version() const override { return version_; }
  std::string dial_url() const override {  // for adapters/delay_proxy.h (h7)
    const Url& u = ep_.url;
    std::string auth = u.has_password ? u.user + ":" + u.password + "@"
                                      : (u.user.empty() ? "" : u.user + "@");
    return u.scheme + "://" + auth + u.host + ":" + std::to_string(u.port == 0 ? 6379 : u.port) +
           (u.path.empty() ? "" : "/" + u.path);
  }
  Result<std::unique_ptr<Client>> Connect() override {
    auto client = std::make_unique<RespClient>(ep_, caps_);
    Status s = client->Open();
    if (!s.ok()) return s;
    return std::unique_ptr<Client>(std::move(client));
  }

 private:
  Endpoint ep_;
  uint32_t caps_;
  std::string version_;
};

}  // namespace

Result<std::unique_ptr<Target>> MakeRespTarget(TargetKind kind, std::string_view url_text,
                                               const TargetOptions& options) {
  auto url = ParseUrlOfScheme(url_text, {"redis"}, "redis://[user:password@]host:port[/db]");
  if (!url.ok()) return url.status();
  Endpoint ep{kind, *url, Redact(url_text), options.connect_timeout_s, options.command_timeout_s};
  RespClient probe(ep, 0);
  Status s = probe.Open();
  if (!s.ok()) return s;

  uint32_t caps = kCapStrings | kCapPipeline;
  auto knows = [&](const char* name) -> Result<bool> {
    auto r = probe.Command({name});
    if (!r.ok()) return r.status();
    return !(r->is_error() && r->str.rfind("ERR unknown command", 0) == 0);
  };
  const std::pair<const char*, uint32_t> probes[] = {
      {"INCRBY", kCapIncr}, {"HINCRBY", kCapHashes}, {"WATCH", kCapWatchMulti},
      {"EVAL", kCapScripting}, {"ZADD", kCapSortedSets}, {"PFMERGE", kCapHyperLogLog},
      {"PUBLISH", kCapPubSub}, {"XAUTOCLAIM", kCapStreams}, {"LMOVE", kCapLists}};
  for (const auto& [name, bit] : probes) {
    auto k = knows(name);
    if (!k.ok()) return k.status();
    if (*k) caps |= bit;
  }
  {  // bitmaps need both commands
    auto setbit = knows("SETBIT");
    if (!setbit.ok()) return setbit.status();
    auto bitcount = knows("BITCOUNT");
    if (!bitcount.ok()) return bitcount.status();
    if (*setbit && *bitcount) caps |= kCapBitmaps;
  }

  std::string version = "unknown";
  auto info = probe.Command({"INFO", "server"});
  if (info.ok() && info->type == Reply::Type::kString) {
    // racetrack-server answers redis_version too (the Redis it is compatible with): its own
    // version comes first.
    for (const char* field : {"racetrack_version:", "redis_version:"}) {
      const size_t p = info->str.find(field);
      if (p == std::string::npos) continue;
      const size_t start = p + std::string_view(field).size();
      const size_t end = info->str.find_first_of("\r\n", start);
      version = info->str.substr(start, end - start);
      if (std::string_view(field) == "racetrack_version:") version = "racetrack " + version;
      break;
    }
  }
  // A local racetrack-server or redis-server binary is what the persistence lesson starts,
  // kills and restarts (adapters/killable_server.h); which kind this is decides which one.
  caps |= kCapOwnProcess;
  return std::unique_ptr<Target>(std::make_unique<RespTarget>(std::move(ep), caps, version));
}

}  // namespace racetrack::adapters

#include "engine/server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "engine/acl.h"
#include "engine/blocking.h"
#include "engine/ds/util.h"
#include "engine/errors.h"
#include "engine/resp.h"
#include "engine/scripting.h"

namespace racetrack::engine {

struct Server::Connection {
  int fd = -1;
  std::string in;        // bytes received, not yet parsed
  size_t out_sent = 0;   // bytes of client.reply already written
  bool want_write = false;
  bool closing = false;
  bool postponed = false;  // in postponed_: its next command waits for CLIENT PAUSE to end
  int64_t soft_limit_since_ms = 0;  // pubsub output over the soft limit since (0 = not over)
  ClientState client;
  RequestParser parser;
  std::vector<std::string_view> argv;
};

namespace {

constexpr size_t kReadChunk = 16 * 1024;
// Before AUTH, Redis accepts only small requests, so an unauthenticated peer cannot make the server
// allocate much.
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16384;

// Redis's islocalClient: 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool IsLoopback(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::string Endpoint(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

Server::Server(Engine* engine) : engine_(engine) {
  engine_->on_shutdown = [this](bool nosave) {
    shutdown_nosave_ = nosave;
    Stop();
  };
  engine_->process_events_while_blocked = [this] { ProcessEventsWhileBlocked(); };
}

Server::~Server() {
  for (auto& [fd, conn] : conns_) {
    engine_->RemoveClient(&conn->client);
    close(fd);
  }
  conns_.clear();
  if (listen_fd_ >= 0) close(listen_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (signal_fd_ >= 0) close(signal_fd_);
  engine_->on_shutdown = nullptr;
  engine_->process_events_while_blocked = nullptr;
}

Status Server::Listen() {
  const EngineConfig& cfg = engine_->config();
  sockaddr_storage ss{};
  socklen_t len;
  if (cfg.bind.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(cfg.port));
    if (inet_pton(AF_INET6, cfg.bind.c_str(), &a->sin6_addr) != 1) {
      return Status::InvalidArgument("bind: not an IP address: " + cfg.bind);
    }
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(cfg.port));
    if (inet_pton(AF_INET, cfg.bind.c_str(), &a->sin_addr) != 1) {
      return Status::InvalidArgument("bind: not an IPv4/IPv6 address: " + cfg.bind);
    }
    len = sizeof(sockaddr_in);
  }
  listen_fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IoError(std::string("socket: ") + strerror(errno));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    return Status::IoError("could not bind " + cfg.bind + ":" + std::to_string(cfg.port) + ": " +
                           strerror(errno));
  }
  if (listen(listen_fd_, 511) != 0) return Status::IoError(std::string("listen: ") + strerror(errno));
  sockaddr_storage bound{};
  socklen_t blen = sizeof(bound);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = bound.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  engine_->config().port = port_;

  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::IoError("epoll/eventfd setup failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  return Status::Ok();
}

Status Server::HandleSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return Status::IoError("sigprocmask failed");
  signal_fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return Status::IoError("signalfd failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = signal_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev);
  return Status::Ok();
}

void Server::Stop() {
  stop_.store(true);
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof(one));
    (void)n;
  }
}

void Server::Run() {
  signal(SIGPIPE, SIG_IGN);
  std::vector<epoll_event> events(1024);
  int64_t cron_interval_us = 1'000'000 / std::max(1, engine_->config().hz);
  int64_t next_cron = MonotonicUs() + cron_interval_us;
  while (!stop_.load()) {
    engine_->BeforeSleep();  // the append-only log is written before any reply leaves
    FlushPending();
    int64_t now = MonotonicUs();
    // Rounded up, as Redis's aeApiPoll: rounding down would turn the last millisecond before the
    // cron into a busy loop of epoll_wait(0) calls (about a thousand empty calls per cron tick).
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, (next_cron - now + 999) / 1000));
    int64_t deadline = engine_->blocking().NextDeadlineMs();
    if (deadline > 0) {
      int64_t until = deadline - engine_->clock().NowMs();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(until, 0, timeout_ms));
    }
    int64_t pause_end = engine_->client_pause().end_ms();
    if (!postponed_.empty() && pause_end > 0) {  // wake up when the pause ends
      int64_t until = pause_end + 1 - engine_->clock().NowMs();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(until, 0, timeout_ms));
    }
    wait_count_.store(wait_count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) Dispatch(events[i], nullptr);
    ResumePostponed();
    engine_->blocking().HandleTimeouts(engine_->clock().NowMs());
    engine_->BeforeSleep();
    FlushPending();
    graveyard_.clear();
    now = MonotonicUs();
    if (now >= next_cron) {
      CloseIdleClients();
      engine_->Cron();
      next_cron = now + cron_interval_us;
    }
  }
  engine_->BeforeSleep();
  FlushPending();
  for (auto& [fd, conn] : conns_) {
    engine_->RemoveClient(&conn->client);
    close(fd);
  }
  conns_.clear();
  open_connections_.store(0);
  pending_.clear();
  graveyard_.clear();
}

void Server::ProcessEventsWhileBlocked() {
  // Called from a script's hook while it runs past busy-reply-threshold (Redis's
  // processEventsWhileBlocked): one non-blocking turn of the loop. Other clients' commands run
  // through Engine::Execute, which answers BUSY to all but allow-busy ones (SCRIPT KILL, ...). The
  // script's own connection is left alone — it is in the middle of ProcessInput up the stack, and
  // its next commands must wait for the script's reply.
  RunningScript* run = engine_->running_script();
  ClientState* caller = run != nullptr ? run->caller : nullptr;
  epoll_event events[128];
  int n = epoll_wait(epoll_fd_, events, 128, 0);
  for (int i = 0; i < n; ++i) Dispatch(events[i], caller);
  if (stop_.load() && run != nullptr) run->kill = true;
  // Flush everyone's replies but the caller's (its buffer is being built up the stack).
  Connection* caller_conn = nullptr;
  for (Connection* c : pending_) {
    if (&c->client == caller) caller_conn = c;
  }
  if (caller_conn != nullptr) pending_.erase(caller_conn);
  FlushPending();
  if (caller_conn != nullptr) pending_.insert(caller_conn);
}

void Server::ResumePostponed() {
  // Oldest first, so held commands run in the order they arrived; one still held re-queues itself.
  if (postponed_.empty()) return;
  std::vector<Connection*> held;
  held.swap(postponed_);
  for (Connection* c : held) c->postponed = false;
  for (Connection* c : held) {
    if (c->closing) continue;
    ProcessInput(c);
    if (!c->closing && !c->client.reply.buffer().empty()) pending_.insert(c);
  }
}

void Server::Dispatch(const epoll_event& ev, const ClientState* skip) {
  int fd = ev.data.fd;
  if (fd == listen_fd_) {
    Accept();
    return;
  }
  if (fd == wake_fd_) {
    uint64_t v;
    ssize_t r = read(wake_fd_, &v, sizeof(v));
    (void)r;
    return;
  }
  if (fd == signal_fd_) {
    signalfd_siginfo si;
    ssize_t r = read(signal_fd_, &si, sizeof(si));
    (void)r;
    stop_.store(true);
    return;
  }
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  Connection* c = it->second.get();
  if (&c->client == skip) return;
  if (ev.events & (EPOLLERR | EPOLLHUP)) {
    Close(c);
    return;
  }
  if (ev.events & EPOLLIN) OnReadable(c);
  if (!c->closing && (ev.events & EPOLLOUT)) Flush(c);
}

void Server::Accept() {
  while (true) {
    sockaddr_storage peer{};
    socklen_t plen = sizeof(peer);
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &plen,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: drained; other errors (EMFILE, ...): try again next round
    if (static_cast<int64_t>(conns_.size()) >= engine_->config().maxclients) {
      std::string msg = "-" + std::string(errors::kMaxClients) + "\r\n";
      ssize_t w = write(fd, msg.data(), msg.size());
      (void)w;
      close(fd);
      ++engine_->stats().rejected_connections;
      continue;
    }
    if (engine_->config().protected_mode &&
        (engine_->acl().default_user()->flags & AclUser::kNoPass) && !IsLoopback(peer)) {
      // protected-mode: explain, close, count it (Redis's acceptCommonHandler).
      ssize_t w = write(fd, errors::kProtectedModeDenied.data(), errors::kProtectedModeDenied.size());
      (void)w;
      close(fd);
      ++engine_->stats().rejected_connections;
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    conn->client.fd = fd;
    conn->client.addr = Endpoint(peer);
    sockaddr_storage local{};
    socklen_t llen = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    conn->client.laddr = Endpoint(local);
    Connection* raw = conn.get();
    conn->client.wake = [this, raw] { pending_.insert(raw); };
    conn->client.pausable = true;
    engine_->AddClient(&conn->client);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    conns_.emplace(fd, std::move(conn));
    open_connections_.store(conns_.size());
  }
}

void Server::OnReadable(Connection* c) {
  // Into one shared buffer, not c->in: growing c->in by a chunk would zero-fill 16 KB per read
  // (std::string::resize), the largest single cost of a small request in a profile.
  if (!read_buf_) read_buf_ = std::make_unique<char[]>(kReadChunk);
  char* buf = read_buf_.get();
  ssize_t n = read(c->fd, buf, kReadChunk);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) Close(c);
    return;
  }
  c->client.last_interaction_ms = engine_->clock().NowMs();  // a partial request counts too
  if (c->in.empty()) {
    // The common case: whole requests, parsed in place; only an incomplete tail is kept.
    std::string_view data(buf, static_cast<size_t>(n));
    size_t used = ProcessBuffer(c, data);
    if (!c->closing && used < data.size()) c->in.assign(data.substr(used));
  } else {
    c->in.append(buf, static_cast<size_t>(n));
    ProcessInput(c);
  }
  if (c->closing) return;
  if (static_cast<int64_t>(c->in.size()) > engine_->config().client_query_buffer_limit) {
    // As Redis: the client is closed without a reply ("closing client that reached max query
    // buffer length" goes to the log).
    std::fprintf(stderr, "racetrack-server: closing client %s that reached max query buffer length\n",
                 c->client.addr.c_str());
    Close(c);
    return;
  }
  // Replies go out after the event batch, once the append-only log has been written (BeforeSleep).
  if (!c->client.reply.buffer().empty()) pending_.insert(c);
}

void Server::ProcessInput(Connection* c) {
  size_t pos = ProcessBuffer(c, c->in);
  c->in.erase(0, pos);
}

size_t Server::ProcessBuffer(Connection* c, std::string_view in) {
  size_t pos = 0;
  std::string error;
  while (pos < in.size() && !c->client.close_after_reply && !c->client.is_blocked()) {
    ParserLimits limits;
    limits.max_bulk_len = engine_->config().proto_max_bulk_len;
    if (!c->client.authenticated) {
      limits.max_multibulk_len = kUnauthMaxMultibulk;
      limits.max_bulk_len = std::min<int64_t>(limits.max_bulk_len, kUnauthMaxBulk);
    }
    if (limits.max_bulk_len != c->parser.limits().max_bulk_len ||
        limits.max_multibulk_len != c->parser.limits().max_multibulk_len) {
      c->parser = RequestParser(limits);
    }
    size_t consumed = 0;
    auto outcome = c->parser.Parse(in.substr(pos), &c->argv, &consumed, &error);
    if (outcome == RequestParser::Outcome::kNeedMore) break;
    if (outcome == RequestParser::Outcome::kError) {
      c->client.reply.Error(errors::ProtocolErrorReply(error));
      c->client.close_after_reply = true;
      pos = in.size();
      break;
    }
    pos += consumed;
    if (!c->argv.empty()) engine_->Execute(c->client, Args(c->argv));
    if (c->client.postponed) {
      // CLIENT PAUSE holds it: leave it unread; ResumePostponed sends it again.
      c->client.postponed = false;
      if (!c->postponed) {
        c->postponed = true;
        postponed_.push_back(c);
      }
      return pos - consumed;
    }
    // As Redis (it checks on every reply it adds): a pipeline whose replies pass the output
    // limit closes the client before anything is written, not after the kernel took a part.
    if (OverOutputLimit(c)) return pos;  // closing: the rest is never read
  }
  return pos;
}

bool Server::Flush(Connection* c) {
  std::string& out = c->client.reply.buffer();
  while (c->out_sent < out.size()) {
    ssize_t n = write(c->fd, out.data() + c->out_sent, out.size() - c->out_sent);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      Close(c);
      return false;
    }
    c->out_sent += static_cast<size_t>(n);
  }
  if (c->out_sent == out.size()) {
    out.clear();
    c->out_sent = 0;
    if (c->client.close_after_reply) {
      Close(c);
      return false;
    }
    UpdateInterest(c, false);
    // Input left unparsed while the reply was large (or a blocked client was released).
    if (!c->in.empty() && !c->client.is_blocked()) {
      ProcessInput(c);
      if (c->closing) return false;
      engine_->BeforeSleep();  // log first, then the replies
      if (!c->client.reply.buffer().empty()) pending_.insert(c);
    }
  } else {
    if (OverOutputLimit(c)) return false;
    // Keep memory bounded: drop what was sent once it dominates the buffer.
    if (c->out_sent > (1 << 20) && c->out_sent * 2 > out.size()) {
      out.erase(0, c->out_sent);
      c->out_sent = 0;
    }
    UpdateInterest(c, true);
  }
  return true;
}

bool Server::OverOutputLimit(Connection* c) {
  // client-output-buffer-limit: past the class's hard limit, or past its soft limit for longer
  // than soft-seconds, the client is disconnected (as Redis's checkClientOutputBufferLimits), so
  // one slow reader cannot exhaust the server's memory. A subscriber is of class pubsub, every
  // other client normal (whose default, 0 0 0, is no limit).
  const EngineConfig& cfg = engine_->config();
  const bool pubsub = c->client.subscription_count() > 0;
  const int64_t hard_limit = pubsub ? cfg.pubsub_output_hard_limit : cfg.normal_output_hard_limit;
  const int64_t soft_limit = pubsub ? cfg.pubsub_output_soft_limit : cfg.normal_output_soft_limit;
  const int64_t soft_seconds =
      pubsub ? cfg.pubsub_output_soft_seconds : cfg.normal_output_soft_seconds;
  int64_t pending = static_cast<int64_t>(c->client.reply.size() - c->out_sent);
  bool hard = hard_limit > 0 && pending >= hard_limit;
  bool soft = false;
  if (soft_limit > 0 && pending >= soft_limit) {
    int64_t now = engine_->clock().NowMs();
    if (c->soft_limit_since_ms == 0) c->soft_limit_since_ms = now;
    soft = now - c->soft_limit_since_ms >= soft_seconds * 1000;
  } else {
    c->soft_limit_since_ms = 0;
  }
  if (!hard && !soft) return false;
  std::fprintf(stderr,
               "racetrack-server: client %s scheduled to be closed ASAP for overcoming of output "
               "buffer limits (%s, %lld bytes pending)\n",
               c->client.addr.c_str(), pubsub ? "pubsub" : "normal",
               static_cast<long long>(pending));
  Close(c);
  return true;
}

void Server::CloseIdleClients() {
  // `timeout` as Redis's clientsCronHandleTimeout: a client idle for longer than the setting is
  // closed without a reply, unless it is blocked (its command's own timeout applies) or
  // subscribed (a subscriber waits for messages by design).
  const int64_t timeout_s = engine_->config().timeout;
  if (timeout_s <= 0) return;
  const int64_t now = engine_->clock().NowMs();
  std::vector<Connection*> idle;
  for (auto& [fd, conn] : conns_) {
    const ClientState& cl = conn->client;
    if (conn->closing || cl.is_blocked() || cl.subscription_count() > 0) continue;
    if (now - cl.last_interaction_ms > timeout_s * 1000) idle.push_back(conn.get());
  }
  for (Connection* c : idle) Close(c);
}

void Server::UpdateInterest(Connection* c, bool want_write) {
  if (c->want_write == want_write) return;
  c->want_write = want_write;
  epoll_event ev{};
  ev.events = want_write ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  ev.data.fd = c->fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void Server::FlushPending() {
  while (!pending_.empty()) {
    Connection* c = *pending_.begin();
    pending_.erase(pending_.begin());
    if (!c->closing) Flush(c);
  }
}

void Server::Close(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  engine_->RemoveClient(&c->client);
  pending_.erase(c);
  if (c->postponed) postponed_.erase(std::find(postponed_.begin(), postponed_.end(), c));
  // Freed after the event batch: callers up the stack may still hold c. Leaving conns_ now means a
  // new connection that reuses the fd number is not confused with this one.
  auto it = conns_.find(c->fd);
  graveyard_.push_back(std::move(it->second));
  conns_.erase(it);
  open_connections_.store(conns_.size());
}

}  // namespace racetrack::engine

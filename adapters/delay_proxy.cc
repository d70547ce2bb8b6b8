// DelayProxy: why it is built the way it is.
//
// - One thread and ppoll() for all connections: the pipeline lesson opens a handful of
//   connections, and a single loop keeps the added delay independent of thread scheduling (on a
//   2-core machine a thread per direction would add its own wake-up jitter).
// - Every read becomes a chunk stamped "due at read time + RTT/2"; the delay is the same for all
//   chunks, so each direction's queue is already in due order and only its front matters.
// - The timeout passed to ppoll is the earliest due time with nanosecond resolution, and the
//   thread's timer slack is set to 1 µs (the default 50 µs would be a visible error at RTT 0.1 ms).
// - Sockets are non-blocking with TCP_NODELAY: a held chunk goes out the moment it is due; a write
//   that would block waits for POLLOUT without delaying the other connections.
// - EOF from one side is forwarded as a half-close (shutdown SHUT_WR) after the queued bytes, so a
//   client that closes its socket sees the server's last reply and both sides finish cleanly.
// - Reading stops while more than kMaxQueuedBytes are held for one direction (back-pressure), so
//   a bulk load through a slow proxy cannot grow memory without bound.
#include "adapters/delay_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <deque>
#include <list>
#include <vector>

#include "adapters/url.h"

namespace racetrack::adapters {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxQueuedBytes = 16 * 1024 * 1024;

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void SetNonBlockingNoDelay(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Dials host:port (blocking: on loopback connect() completes at once).
int Dial(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

struct Chunk {
  int64_t due_ns;
  std::string data;
  size_t offset = 0;  // bytes of data already written
};

// One proxied connection. Side 0 = the client, side 1 = the upstream server. queue[d] holds what
// was read from side d, to be written to side 1 - d.
struct Conn {
  int fd[2] = {-1, -1};
  std::deque<Chunk> queue[2];
  size_t queued_bytes[2] = {0, 0};
  bool read_eof[2] = {false, false};   // side d sent EOF
  bool write_shut[2] = {false, false};  // we half-closed side d
  bool want_write[2] = {false, false};  // writing to side d would block
  bool dead = false;

  ~Conn() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
};

// Step 1 of the loop: writes whatever is due, forwards EOFs, drops finished connections.
// Returns the earliest due time still queued, or -1 when nothing waits.
int64_t WriteDue(std::list<Conn>& conns, int64_t now) {
  int64_t next_due = -1;
  for (auto it = conns.begin(); it != conns.end();) {
    Conn& c = *it;
    for (int d = 0; d < 2 && !c.dead; ++d) {
      const int to = 1 - d;
      auto& q = c.queue[d];
      while (!q.empty() && q.front().due_ns <= now && !c.want_write[to]) {
        Chunk& ch = q.front();
        ssize_t w = send(c.fd[to], ch.data.data() + ch.offset, ch.data.size() - ch.offset,
                         MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c.want_write[to] = true;
          } else if (errno != EINTR) {
            c.dead = true;
          }
          break;
        }
        ch.offset += static_cast<size_t>(w);
        if (ch.offset == ch.data.size()) {
          c.queued_bytes[d] -= ch.data.size();
          q.pop_front();
        }
      }
      if (c.dead) break;
      if (q.empty() && c.read_eof[d] && !c.write_shut[to]) {
        shutdown(c.fd[to], SHUT_WR);
        c.write_shut[to] = true;
      }
      if (!q.empty() && !c.want_write[to]) {
        const int64_t due = q.front().due_ns;
        if (next_due < 0 || due < next_due) next_due = due;
      }
    }
    if (c.dead || (c.write_shut[0] && c.write_shut[1])) {
      it = conns.erase(it);
    } else {
      ++it;
    }
  }
  return next_due;
}

// Step 2: the poll set — the listener, the wake fd, then each side of each connection that wants
// input (and has room to queue it) or output; owners[i] is (conn, side) of fds[i + 2].
void BuildPollSet(int listen_fd, int wake_fd, std::list<Conn>& conns, std::vector<pollfd>* fds,
                  std::vector<std::pair<Conn*, int>>* owners) {
  fds->clear();
  owners->clear();
  fds->push_back({listen_fd, POLLIN, 0});
  fds->push_back({wake_fd, POLLIN, 0});
  for (Conn& c : conns) {
    for (int side = 0; side < 2; ++side) {
      short events = 0;
      if (!c.read_eof[side] && c.queued_bytes[side] < kMaxQueuedBytes) events |= POLLIN;
      if (c.want_write[side]) events |= POLLOUT;
      if (events == 0) continue;
      fds->push_back({c.fd[side], events, 0});
      owners->emplace_back(&c, side);
    }
  }
}

// Step 3: reads every ready side; each chunk is stamped with the time it is due on the other
// side (read time + half the RTT).
void ReadReady(const std::vector<pollfd>& fds, const std::vector<std::pair<Conn*, int>>& owners,
               int64_t half_ns, std::vector<char>& buf) {
  const int64_t read_at = MonotonicNs();
  for (size_t i = 2; i < fds.size(); ++i) {
    auto [c, side] = owners[i - 2];
    if (c->dead) continue;
    if (fds[i].revents & POLLOUT) c->want_write[side] = false;
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!(fds[i].events & POLLIN)) {
        if (fds[i].revents & POLLERR) c->dead = true;
        continue;
      }
      ssize_t r = recv(c->fd[side], buf.data(), buf.size(), 0);
      if (r > 0) {
        c->queue[side].push_back(
            Chunk{read_at + half_ns, std::string(buf.data(), static_cast<size_t>(r))});
        c->queued_bytes[side] += static_cast<size_t>(r);
      } else if (r == 0) {
        c->read_eof[side] = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        c->dead = true;
      }
    }
  }
}

}  // namespace

struct DelayProxy::Loop {
  std::list<Conn> conns;
};

Result<std::unique_ptr<DelayProxy>> DelayProxy::Start(std::string upstream_host,
                                                      int upstream_port, double rtt_ms) {
  if (!(rtt_ms >= 0 && rtt_ms <= kMaxRttMs)) {
    return Status::InvalidArgument("delay proxy RTT must be between 0 and " +
                                   std::to_string(static_cast<int>(kMaxRttMs)) + " ms");
  }
  if (upstream_port <= 0 || upstream_port > 65535) {
    return Status::InvalidArgument("delay proxy upstream port must be between 1 and 65535");
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IoError(std::string("delay proxy: socket: ") + strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 128) != 0) {
    std::string err = strerror(errno);
    close(fd);
    return Status::IoError("delay proxy: bind/listen on 127.0.0.1: " + err);
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  return std::unique_ptr<DelayProxy>(
      new DelayProxy(fd, port, std::move(upstream_host), upstream_port, rtt_ms));
}

DelayProxy::DelayProxy(int listen_fd, int port, std::string host, int upstream_port,
                       double rtt_ms)
    : listen_fd_(listen_fd),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      port_(port),
      upstream_host_(std::move(host)),
      upstream_port_(upstream_port),
      rtt_ms_(rtt_ms) {
  thread_ = std::thread([this] { Run(); });
}

DelayProxy::~DelayProxy() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  close(wake_fd_);
}

void DelayProxy::Run() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const int64_t half_ns = std::llround(rtt_ms_ * 1e6 / 2);
  Loop loop;
  std::vector<pollfd> fds;
  std::vector<std::pair<Conn*, int>> owners;  // per pollfd past the first two: (conn, side)
  std::vector<char> buf(kReadChunk);

  for (;;) {
    // Steps 1-2 (see above), then wait for input, writability or the next due chunk.
    const int64_t next_due = WriteDue(loop.conns, MonotonicNs());
    BuildPollSet(listen_fd_, wake_fd_, loop.conns, &fds, &owners);
    timespec timeout{};
    timespec* tp = nullptr;
    if (next_due >= 0) {
      const int64_t wait = std::max<int64_t>(0, next_due - MonotonicNs());
      timeout.tv_sec = wait / 1'000'000'000;
      timeout.tv_nsec = wait % 1'000'000'000;
      tp = &timeout;
    }
    int n = ppoll(fds.data(), fds.size(), tp, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a broken poll set is a bug we cannot recover from; connections close on destroy
    }
    if (fds[1].revents & POLLIN) return;  // stop requested

    ReadReady(fds, owners, half_ns, buf);

    // Step 4: accept new connections and dial the upstream for each.
    if (fds[0].revents & POLLIN) {
      for (;;) {
        int cfd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd < 0) break;
        int sfd = Dial(upstream_host_, upstream_port_);
        if (sfd < 0) {
          close(cfd);  // the client sees the connection closed, as if the server refused it
          continue;
        }
        SetNonBlockingNoDelay(cfd);
        SetNonBlockingNoDelay(sfd);
        Conn& c = loop.conns.emplace_back();
        c.fd[0] = cfd;
        c.fd[1] = sfd;
        connections_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
}

namespace {

// A Target whose connections go through a DelayProxy it owns.
class DelayedTarget final : public Target {
 public:
  DelayedTarget(std::unique_ptr<DelayProxy> proxy, std::unique_ptr<Target> inner)
      : proxy_(std::move(proxy)), inner_(std::move(inner)) {}
  ~DelayedTarget() override {
    inner_.reset();  // its connections close before the proxy goes
  }
  TargetKind kind() const override { return inner_->kind(); }
  uint32_t capabilities() const override { return inner_->capabilities(); }
  std::string endpoint() const override {
    char rtt[32];
    std::snprintf(rtt, sizeof(rtt), "%g", proxy_->rtt_ms());
    return inner_->endpoint() + " (via delay proxy, +" + rtt + " ms RTT)";
  }
  std::string server_version() const override { return inner_->server_version(); }
  std::string dial_url() const override { return inner_->dial_url(); }
  Result<std::unique_ptr<Client>> Connect() override { return inner_->Connect(); }

 private:
  std::unique_ptr<DelayProxy> proxy_;
  std::unique_ptr<Target> inner_;
};

// `url` with its host[:port] replaced by 127.0.0.1:port (user, password, path, query kept as
// written, so no re-encoding can change them).
std::string WithHostPort(const std::string& url, int port) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t end = url.find_first_of("/?", start);
  if (end == std::string::npos) end = url.size();
  const size_t at = url.rfind('@', end);
  const size_t host_start = (at != std::string::npos && at >= start) ? at + 1 : start;
  return url.substr(0, host_start) + "127.0.0.1:" + std::to_string(port) + url.substr(end);
}

}  // namespace

Result<std::unique_ptr<Target>> MakeDelayedTarget(const Target& base, double rtt_ms,
                                                  const TargetOptions& options) {
  const std::string url_text = base.dial_url();
  if (url_text.empty()) {
    if (base.kind() == TargetKind::kBuiltin) {
      return Status::InvalidArgument(
          "builtin is in-process: there is no network to delay; use builtin-tcp");
    }
    return Status::InvalidArgument(std::string(base.name()) +
                                   " does not expose its URL (Target::dial_url)");
  }
  auto url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  const bool pg = base.kind() == TargetKind::kPostgres;
  const int upstream_port = url->port != 0 ? url->port : (pg ? 5432 : 6379);
  auto proxy = DelayProxy::Start(url->host.empty() ? "127.0.0.1" : url->host, upstream_port,
                                 rtt_ms);
  if (!proxy.ok()) return proxy.status();
  const std::string via = WithHostPort(url_text, (*proxy)->port());
  auto inner = pg ? MakePostgresTarget(via, options) : MakeRespTarget(base.kind(), via, options);
  if (!inner.ok()) return inner.status();
  return std::unique_ptr<Target>(new DelayedTarget(std::move(*proxy), std::move(*inner)));
}

Result<double> MeasureClientRttMs(Client& client, int n) {
  if (n < 1) n = 1;
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(n));
  static const SqlStatement kSelect1{"racetrack_rtt_probe", "SELECT 1"};
  const bool sql = (client.capabilities() & kCapSql) != 0;
  for (int i = 0; i < n; ++i) {
    const int64_t t0 = MonotonicNs();
    if (sql) {
      auto r = client.Query(kSelect1, {});
      if (!r.ok()) return r.status();
    } else {
      auto r = client.Command({"PING"});
      if (!r.ok()) return r.status();
      if (r->is_error()) return Status::InvalidArgument("PING failed: " + r->str);
    }
    ms.push_back(static_cast<double>(MonotonicNs() - t0) / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

bool RttWithinTolerance(double asked_ms, double measured_ms, double base_ms) {
  return std::fabs(measured_ms - asked_ms) <= 0.1 * asked_ms + std::max(0.0, base_ms);
}

}  // namespace racetrack::adapters

// Server: the engine behind RESP2 on TCP — what `racetrack-server` runs, and what redis-cli and
// redis-benchmark talk to.
//
// One thread, one epoll loop, non-blocking sockets, as Redis does it: read what a socket has, parse
// every complete command in the buffer (so a pipeline of 10,000 commands costs one read and one
// write, not 10,000 round trips), execute each in order, then write the replies back in one go
// before waiting again. The loop also runs Engine::Cron() config().hz times a second.
//
// Bad input never crashes the server: a protocol error gets "-ERR Protocol error: ..." and closes
// that connection only; a query buffer past client-query-buffer-limit closes it; an unknown command
// is an ordinary error reply.
//
// Thread-safety: Run() on one thread. Stop() may be called from any thread or a signal handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/base/status.h"
#include "engine/engine.h"

struct epoll_event;
namespace racetrack::engine {

class Server {
 public:
  // REQUIRES: engine outlives the server.
  explicit Server(Engine* engine);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds engine->config().bind : engine->config().port (0 picks a free port) and listens.
  Status Listen();
  // The port actually bound (after Listen).
  int port() const { return port_; }
  // Also stop on SIGINT/SIGTERM (used by racetrack-server; tests embedding a Server skip it).
  Status HandleSignals();

  // Serves until Stop() or SHUTDOWN. Closes every connection before returning.
  void Run();
  // Asks Run() to return soon. Async-signal-safe.
  void Stop();

  // Open client connections; safe to read from any thread (tests watch it for leaks).
  size_t connection_count() const { return open_connections_.load(); }
  // Times Run() has waited for events (epoll_wait calls); safe to read from any thread. An idle
  // server waits about config().hz times a second (tests check that it does not spin).
  uint64_t wait_count() const { return wait_count_.load(std::memory_order_relaxed); }
  // Whether SHUTDOWN asked for NOSAVE (read after Run returns).
  bool shutdown_nosave() const { return shutdown_nosave_; }

 private:
  struct Connection;

  void Accept();
  // One epoll event: accept, wake/signal, or a connection's input/output (not `skip`'s).
  void Dispatch(const epoll_event& ev, const ClientState* skip);
  void OnReadable(Connection* c);
  void ProcessInput(Connection* c);
  // Parses and executes the complete requests at the start of in; returns the bytes consumed.
  size_t ProcessBuffer(Connection* c, std::string_view in);
  bool Flush(Connection* c);  // false if the connection was closed
  void Close(Connection* c);
  void UpdateInterest(Connection* c, bool want_write);
  void FlushPending();
  bool OverOutputLimit(Connection* c);  // closes c when past client-output-buffer-limit pubsub
  void CloseIdleClients();              // the `timeout` setting
  void ProcessEventsWhileBlocked();     // one loop turn from inside a long script (scripting.h)
  void ResumePostponed();               // re-sends the commands CLIENT PAUSE held (client_pause.h)

  Engine* engine_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;    // eventfd: Stop() writes it
  int signal_fd_ = -1;  // signalfd for SIGINT/SIGTERM when HandleSignals() was called
  int port_ = 0;
  std::atomic<bool> stop_{false};
  bool shutdown_nosave_ = false;
  std::atomic<size_t> open_connections_{0};
  std::atomic<uint64_t> wait_count_{0};
  std::unordered_map<int, std::unique_ptr<Connection>> conns_;
  std::unordered_set<Connection*> pending_;  // engine appended output outside their own turn
  std::vector<Connection*> postponed_;       // held by CLIENT PAUSE, in arrival order
  std::vector<std::unique_ptr<Connection>> graveyard_;  // closed during this event batch
  std::unique_ptr<char[]> read_buf_;  // every read lands here first (OnReadable)
};

}  // namespace racetrack::engine

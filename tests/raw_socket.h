// For tests: a raw TCP connection (IPv4, TCP_NODELAY), so bytes are compared exactly as a server
// sent them (a client library would parse them away) and a small write leaves at once.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace racetrack {

class RawSocket {
 public:
  explicit RawSocket(int port, const std::string& host = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  // True once a read found the connection closed by the server.
  bool closed() const { return closed_; }

  // False when the server hung up first (no SIGPIPE).
  bool Send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Ends the sending side (the peer reads EOF after the bytes sent); reading goes on.
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

  // Blocks until n bytes arrived, or fewer when the connection closes (then closed()) or fails.
  std::string ReadExactly(size_t n) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
      ssize_t r = recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
      if (r == 0) closed_ = true;
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }

  // Waits up to `limit` for the first bytes (a blocked command's late reply), then reads until
  // the connection is quiet for 100 ms.
  std::string ReadFirstThenQuiet(std::chrono::milliseconds limit) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(limit.count())) <= 0) return "";
    return ReadUntilQuiet(std::chrono::milliseconds(100));
  }

  // Everything that arrives until the connection has been quiet for `idle` (or closes).
  // Waiting for quiet rather than counting frames keeps any extra or missing frame visible.
  std::string ReadUntilQuiet(std::chrono::milliseconds idle = std::chrono::milliseconds(500)) {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(idle.count()));
      if (ready <= 0) break;
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace racetrack

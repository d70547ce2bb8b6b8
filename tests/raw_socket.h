// For tests: a raw TCP connection (IPv4), so bytes are compared exactly as a server sent them
// (a client library would parse them away).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

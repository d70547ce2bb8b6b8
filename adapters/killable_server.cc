// KillableServer. Why it looks the way it does:
//  - The port is chosen once and kept across restarts, so clients reconnect to the same URL.
//  - "Serving" is +PONG for the Redis-likes (they accept connections while replaying the AOF and
//    answer -LOADING) and PQPING_OK for PostgreSQL (its postmaster accepts connections during
//    crash recovery and answers "the database system is starting up").
//  - After a kill we wait until each killed process is gone or a zombie (/proc/<pid>/stat state
//    Z): an orphaned PostgreSQL backend is reaped by whoever init is, maybe late, and a zombie
//    holds no files or shared memory.
#include "adapters/killable_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "adapters/throwaway.h"

namespace racetrack::adapters {

namespace fs = std::filesystem;

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(60);

std::string RandomPassword() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 24; ++i) out += "0123456789abcdef"[rd() % 16];
  return out;
}

// The process's state letter from /proc/<pid>/stat ('Z' zombie), or 0 when it does not exist.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return 0;
  return line[paren + 2];
}

pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream rest(line.substr(paren + 2));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// `root` and all its descendants, as /proc shows them now.
std::vector<pid_t> ProcessTree(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> all;  // (pid, ppid)
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0') continue;
      all.emplace_back(static_cast<pid_t>(pid), ParentOf(static_cast<pid_t>(pid)));
    }
    closedir(d);
  }
  std::vector<pid_t> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) {
    for (const auto& [pid, ppid] : all) {
      if (ppid == tree[i]) tree.push_back(pid);
    }
  }
  return tree;
}

// True when a Redis-like on 127.0.0.1:port answers PING with PONG. While it replays its AOF or
// RDB it accepts connections but answers -LOADING: not serving yet.
bool AnswersPong(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      write(fd, "PING\r\n", 6) == 6) {
    pollfd pfd{fd, POLLIN, 0};
    char buf[64] = {};
    if (poll(&pfd, 1, 1000) == 1 && read(fd, buf, sizeof buf - 1) > 0) {
      ok = std::strncmp(buf, "+PONG", 5) == 0;
    }
  }
  close(fd);
  return ok;
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

}  // namespace

Result<std::unique_ptr<KillableServer>> KillableServer::Start(TargetKind kind,
                                                              std::vector<std::string> settings,
                                                              const std::string& bin_dir) {
  std::unique_ptr<KillableServer> s(new KillableServer());
  s->kind_ = kind;
  s->settings_ = std::move(settings);
  switch (kind) {
    case TargetKind::kBuiltinTcp:
      s->program_ = (fs::path(bin_dir) / "racetrack-server").string();
      if (access(s->program_.c_str(), X_OK) != 0) {
        return Status::Unavailable("racetrack-server not found in " +
                                   (bin_dir.empty() ? std::string("(no bin dir)") : bin_dir));
      }
      break;
    case TargetKind::kRedis:
      s->program_ = FindProgram("redis-server");
      if (s->program_.empty()) return Status::Unavailable("redis-server not found on PATH");
      break;
    case TargetKind::kPostgres:
      s->program_ = FindPostgresBinary("postgres");
      if (s->program_.empty() || FindPostgresBinary("initdb").empty()) {
        return Status::Unavailable("PostgreSQL server binaries (initdb, postgres) not found");
      }
      break;
    case TargetKind::kBuiltin:
      return Status::InvalidArgument("the in-process engine has no server process to kill");
    case TargetKind::kClient:
      return Status::InvalidArgument("the client-side target has no server process to kill");
    case TargetKind::kRedisCluster:
      return Status::InvalidArgument("redis-cluster is several server processes (see --fault)");
  }
  std::string tmpl = (fs::temp_directory_path() / "racetrack-persist-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return Status::IoError(std::string("cannot create a temp directory: ") + strerror(errno));
  }
  s->dir_ = tmpl;
  chmod(s->dir_.c_str(), 0755);
  auto port = FindFreePort();
  if (!port.ok()) return port.status();
  s->port_ = *port;

  if (kind == TargetKind::kPostgres) {
    if (geteuid() == 0) {
      passwd* pw = getpwnam("postgres");
      if (pw == nullptr) {
        return Status::Unavailable("running as root but there is no 'postgres' user");
      }
      s->run_as_ = "postgres";
      if (chown(s->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return Status::IoError("cannot hand " + s->dir_ + " to the postgres user");
      }
    }
    s->pg_data_ = s->dir_ + "/data";
    const std::string password = RandomPassword();
    const std::string pwfile = s->dir_ + "/pw";
    std::ofstream(pwfile) << password << "\n";
    if (!s->run_as_.empty()) {
      passwd* pw = getpwnam(s->run_as_.c_str());
      if (chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return Status::IoError("cannot hand the password file to the postgres user");
      }
    }
    ProcessOptions init;
    init.program = FindPostgresBinary("initdb");
    init.args = {"-D", s->pg_data_, "-U", "racetrack", "--auth=scram-sha-256",
                 "--pwfile=" + pwfile, "--locale=C.UTF-8", "--encoding=UTF8", "-N"};
    init.run_as_user = s->run_as_;
    init.log_path = s->dir_ + "/initdb.log";
    auto proc = ServerProcess::Start(init);
    if (!proc.ok()) return proc.status();
    while ((*proc)->Running()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs::remove(pwfile);
    if ((*proc)->exit_status() != 0) {
      return Status::Unavailable("initdb failed: " + (*proc)->LogTail(300));
    }
    s->url_ = "postgresql://racetrack:" + password + "@127.0.0.1:" + std::to_string(s->port_) +
              "/postgres";
  } else {
    s->url_ = "redis://127.0.0.1:" + std::to_string(s->port_);
  }
  Status up = s->Launch();
  if (!up.ok()) return up;
  return s;
}

KillableServer::~KillableServer() {
  if (process_ != nullptr && process_->Running()) {
    if (kind_ == TargetKind::kPostgres) {
      // Fast shutdown (SIGINT) of the postmaster; ServerProcess::Stop's SIGTERM would wait for
      // every client to leave.
      const auto tree = ProcessTree(process_->pid());
      for (pid_t p : tree) {
        if (p != process_->pid()) kill(p, SIGINT);
      }
    }
    (void)process_->Stop(std::chrono::milliseconds(10'000));
  }
  process_.reset();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

Status KillableServer::Launch() {
  ProcessOptions o;
  o.program = program_;
  o.log_path = dir_ + "/server.log";
  if (kind_ == TargetKind::kPostgres) {
    o.run_as_user = run_as_;
    o.args = {"-D", pg_data_, "-p", std::to_string(port_), "-k", dir_, "-c",
              "listen_addresses=127.0.0.1", "-c", "max_connections=100"};
  } else {
    o.args = {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_};
    if (kind_ == TargetKind::kRedis) {
      o.args.insert(o.args.end(), {"--protected-mode", "no", "--daemonize", "no"});
    }
  }
  o.args.insert(o.args.end(), settings_.begin(), settings_.end());
  auto p = ServerProcess::Start(o);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  return WaitServing();
}

Status KillableServer::WaitServing() {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  const bool pg = kind_ == TargetKind::kPostgres;
  while (pg ? PQping(url_.c_str()) != PQPING_OK : !AnswersPong(port_)) {
    if (!process_->Running()) {
      return Status::Unavailable(program_ + " exited at start: " + process_->LogTail(300));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable(program_ + " did not serve within 60 s: " +
                                 process_->LogTail(300));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::Ok();
}

Status KillableServer::Kill() {
  if (process_ == nullptr || !process_->Running()) return Status::Ok();
  // Everything at the same instant: the whole tree (runuser, postmaster, backends) and the group.
  const std::vector<pid_t> tree = ProcessTree(process_->pid());
  kill(-process_->pid(), SIGKILL);
  for (pid_t p : tree) kill(p, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    bool alive = process_->Running();
    for (pid_t p : tree) {
      const char st = ProcState(p);
      alive = alive || (st != 0 && st != 'Z' && st != 'X');
    }
    if (!alive) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Internal("server processes survived SIGKILL for 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (kind_ == TargetKind::kPostgres) {
    // A killed postmaster leaves its lock files; a zombie with its pid would make the new one
    // refuse to start ("is another postmaster running?"). Every process of it is gone by now.
    std::error_code ec;
    fs::remove(fs::path(pg_data_) / "postmaster.pid", ec);
    fs::remove(fs::path(dir_) / (".s.PGSQL." + std::to_string(port_) + ".lock"), ec);
  }
  return Status::Ok();
}

Result<double> KillableServer::Restart() {
  if (process_ != nullptr && process_->Running()) {
    Status s = Kill();
    if (!s.ok()) return s;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Status s = Launch();
  if (!s.ok()) return s;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t KillableServer::BytesOnDisk() const {
  if (kind_ == TargetKind::kPostgres) return DirBytes(pg_data_);
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir_, ec)) {
    std::error_code size_ec;
    if (!e.is_regular_file(size_ec) || e.path().filename() == "server.log") continue;
    const auto n = e.file_size(size_ec);
    if (!size_ec) total += n;
  }
  return total;
}

uint64_t KillableServer::BytesUnder(const std::string& relative) const {
  return DirBytes(fs::path(kind_ == TargetKind::kPostgres ? pg_data_ : dir_) / relative);
}

}  // namespace racetrack::adapters

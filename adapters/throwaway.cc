// Throwaway servers. Reasons behind the choices:
//  - Children get PR_SET_PDEATHSIG so a racetrack killed with SIGKILL does not leave servers
//    behind; detached ones (`servers up`) instead get their own session (setsid) so Ctrl-C in the
//    terminal that started them does not reach them.
//  - A server is registered for cleanup the moment it is forked, before we wait for it to
//    answer, so StopAll() from the Ctrl-C watcher can stop a server that is still starting.
//  - "Answers" means: Redis/racetrack-server accept a TCP connection; PostgreSQL answers PQping
//    with PQPING_OK (it accepts TCP connections while still starting up).
//  - Its output goes to server.log in its temp directory; when it dies before answering, the last
//    line of that log is the reason we report.
//
// (A generic child-process helper, racetrack_process / server_process.h, was planned by another
// engineer but did not exist when this was written; the spawning here is self-contained.)
#include "adapters/throwaway.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "adapters/url.h"

namespace racetrack::adapters {

namespace fs = std::filesystem;

bool PortAnswers(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path == nullptr ? "/usr/bin:/bin" : path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    const fs::path p = fs::path(dir) / name;
    if (access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

}  // namespace

// The newest /usr/lib/postgresql/N/bin that has `name`, else PATH.
std::string FindPostgresBinary(const std::string& name) {
  glob_t g{};
  std::string best;
  int best_version = -1;
  if (glob("/usr/lib/postgresql/*/bin", 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      const fs::path bin = g.gl_pathv[i];
      const int version = std::atoi(bin.parent_path().filename().c_str());
      if (version > best_version && access((bin / name).c_str(), X_OK) == 0) {
        best_version = version;
        best = (bin / name).string();
      }
    }
  }
  globfree(&g);
  return best.empty() ? FindOnPath(name) : best;
}

namespace {

std::string RandomHex(int n) {
  std::random_device rd;
  std::string out;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < n; ++i) out += digits[rd() % 16];
  return out;
}

constexpr char kOwnerFile[] = "racetrack.owner";

// Each temp directory records the pid of the racetrack that made it, so a later racetrack can
// remove the directories of one that was killed with SIGKILL (its servers died with it through
// PDEATHSIG, but nothing removed their directories).
Result<std::string> MakeTempDir(const char* tag, bool detached) {
  std::string tmpl = (fs::temp_directory_path() / (std::string("racetrack-") + tag + "-XXXXXX"))
                         .string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return Status::IoError(std::string("cannot create a temp directory: ") + strerror(errno));
  }
  chmod(tmpl.c_str(), 0755);
  if (!detached) std::ofstream(fs::path(tmpl) / kOwnerFile) << getpid() << "\n";
  return tmpl;
}

void SweepOrphanedDirs() {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("racetrack-redis-", 0) != 0 && name.rfind("racetrack-server-", 0) != 0 &&
        name.rfind("racetrack-pg-", 0) != 0) {
      continue;
    }
    std::ifstream owner(entry.path() / kOwnerFile);
    int pid = 0;
    if (!(owner >> pid) || pid <= 0) continue;  // detached (`servers up`) or being created
    if (kill(pid, 0) == 0 || errno == EPERM) continue;  // its racetrack is alive
    std::error_code age_ec;
    if (now - fs::last_write_time(entry.path(), age_ec) < std::chrono::seconds(10)) continue;
    fs::remove_all(entry.path(), age_ec);
  }
}

// Forks and execs argv with output to `log`. detached: own session, survives us; else dies with
// us (PDEATHSIG). Returns the pid.
Result<int> Spawn(const std::vector<std::string>& argv, const std::string& log, bool detached) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Status::IoError(std::string("fork failed: ") + strerror(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    if (detached) {
      setsid();
    } else {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      setpgid(0, 0);  // Ctrl-C goes to racetrack, which stops us in order
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  return static_cast<int>(pid);
}

std::string LastLogLine(const std::string& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return last.empty() ? "no output" : last;
}

bool Alive(int pid) { return pid > 0 && kill(pid, 0) == 0; }

// Waits up to timeout for `pid` to exit (reaping it when it is our child).
bool WaitExit(int pid, double timeout_s, bool child) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    if (child) {
      int status = 0;
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) return true;
    } else if (!Alive(pid)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool RunningAsRoot() { return geteuid() == 0; }

// argv prefix that runs a command as the postgres user when we are root.
std::vector<std::string> AsPostgres(std::vector<std::string> argv) {
  if (!RunningAsRoot()) return argv;
  std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

int ReadPostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

struct ThrowawayServers::Running {
  TargetKind kind;
  int pid = 0;          // our child (runuser for postgres when root)
  int signal_pid = 0;   // who to signal to stop (the postmaster for postgres)
  int stop_signal = SIGTERM;
  bool child = true;    // reap with waitpid
  std::string dir;
  std::string url;
  std::string version;

  void Stop() {
    if (signal_pid != 0 || pid != 0) Signal();
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
      dir.clear();
    }
  }

  void Signal() {
    const int target = signal_pid != 0 ? signal_pid : pid;
    kill(target, stop_signal);
    if (!WaitExit(target == pid ? pid : target, 15.0, child && target == pid)) {
      kill(target, SIGKILL);
      WaitExit(target, 2.0, child && target == pid);
    }
    if (child && target != pid) {
      // runuser exits once its postgres child did.
      if (!WaitExit(pid, 5.0, true)) {
        kill(pid, SIGKILL);
        WaitExit(pid, 2.0, true);
      }
    }
    pid = signal_pid = 0;
  }
};

ThrowawayServers::ThrowawayServers(std::string bin_dir, std::string state_file)
    : bin_dir_(std::move(bin_dir)), state_file_(std::move(state_file)) {
  SweepOrphanedDirs();
}

ThrowawayServers::~ThrowawayServers() { StopAll(); }

std::string ThrowawayServers::DefaultStateFile() {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  fs::path base;
  if (xdg != nullptr && *xdg != '\0') {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = fs::path(home == nullptr ? "/tmp" : home) / ".local" / "state";
  }
  return (base / "racetrack" / "servers.json").string();
}

namespace {

std::vector<ServerRecord> LoadState(const std::string& path) {
  std::vector<ServerRecord> out;
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) return out;
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = nlohmann::json::parse(buf.str(), nullptr, false);
  if (j.is_discarded() || !j.contains("servers") || !j["servers"].is_array()) return out;
  for (const auto& s : j["servers"]) {
    ServerRecord r;
    r.target = s.value("target", "");
    r.url = s.value("url", "");
    r.pid = s.value("pid", 0);
    r.dir = s.value("dir", "");
    r.version = s.value("version", "");
    if (!r.target.empty() && !r.url.empty()) out.push_back(r);
  }
  return out;
}

Status SaveState(const std::string& path, const std::vector<ServerRecord>& records) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  nlohmann::json j;
  j["servers"] = nlohmann::json::array();
  for (const auto& r : records) {
    j["servers"].push_back(
        {{"target", r.target}, {"url", r.url}, {"pid", r.pid}, {"dir", r.dir}, {"version", r.version}});
  }
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::IoError("cannot write " + path + ": " + strerror(errno));
  const std::string text = j.dump(2) + "\n";
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok ? Status::Ok() : Status::IoError("cannot write " + path);
}

int UrlPort(const std::string& url) {
  auto u = ParseUrl(url);
  return u.ok() ? u->port : 0;
}

}  // namespace

Result<std::unique_ptr<ThrowawayServers::Running>> ThrowawayServers::Start(TargetKind kind,
                                                                           bool detached) {
  auto run = std::make_unique<Running>();
  run->kind = kind;
  run->child = !detached;
  const int port = FreePort();
  if (port == 0) return Status::IoError("no free loopback port");
  const std::string name(TargetName(kind));

  std::vector<std::string> argv;
  std::string pg_data;
  std::string password;
  double timeout_s = 10;
  if (kind == TargetKind::kRedis) {
    const std::string bin = FindOnPath("redis-server");
    if (bin.empty()) return Status::Unavailable("redis-server not found on PATH");
    auto dir = MakeTempDir("redis", detached);
    if (!dir.ok()) return dir.status();
    run->dir = *dir;
    argv = {bin, "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", run->dir, "--protected-mode", "no",
            "--daemonize", "no", "--maxclients", "10000"};
    run->url = "redis://127.0.0.1:" + std::to_string(port);
  } else if (kind == TargetKind::kBuiltinTcp) {
    std::string bin = (fs::path(bin_dir_) / "racetrack-server").string();
    if (access(bin.c_str(), X_OK) != 0) {
      return Status::Unavailable("racetrack-server not found next to racetrack (" + bin_dir_ +
                                 ")");
    }
    auto dir = MakeTempDir("server", detached);
    if (!dir.ok()) return dir.status();
    run->dir = *dir;
    argv = {bin, "--port", std::to_string(port), "--bind", "127.0.0.1"};
    run->url = "redis://127.0.0.1:" + std::to_string(port);
  } else if (kind == TargetKind::kPostgres) {
    const std::string initdb = FindPostgresBinary("initdb");
    const std::string postgres = FindPostgresBinary("postgres");
    if (initdb.empty() || postgres.empty()) {
      return Status::Unavailable("PostgreSQL server binaries (initdb, postgres) not found");
    }
    passwd* pw = nullptr;
    if (RunningAsRoot()) {
      pw = getpwnam("postgres");
      if (pw == nullptr) {
        return Status::Unavailable("running as root but there is no 'postgres' user to run "
                                   "PostgreSQL as");
      }
    }
    auto dir = MakeTempDir("pg", detached);
    if (!dir.ok()) return dir.status();
    run->dir = *dir;
    pg_data = run->dir + "/data";
    password = RandomHex(24);
    const std::string pwfile = run->dir + "/pw";
    {
      std::ofstream out(pwfile);
      out << password << "\n";
    }
    if (pw != nullptr) {
      if (chown(run->dir.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
          chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        run->Stop();
        return Status::IoError("cannot hand the temp directory to the postgres user");
      }
    }
    const std::string log = run->dir + "/initdb.log";
    auto init = Spawn(AsPostgres({initdb, "-D", pg_data, "-U", "racetrack",
                                  "--auth=scram-sha-256", "--pwfile=" + pwfile,
                                  "--locale=C.UTF-8", "--encoding=UTF8", "-N"}),
                      log, /*detached=*/false);
    if (!init.ok()) {
      run->Stop();
      return init.status();
    }
    int status = 0;
    waitpid(*init, &status, 0);
    fs::remove(pwfile);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const std::string why = LastLogLine(log);
      run->Stop();
      return Status::Unavailable("initdb failed: " + why);
    }
    argv = AsPostgres({postgres, "-D", pg_data, "-p", std::to_string(port), "-k", run->dir,
                       "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                       "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                       "max_connections=300"});
    run->url = "postgresql://racetrack:" + password + "@127.0.0.1:" + std::to_string(port) +
               "/postgres";
    run->stop_signal = SIGINT;  // fast shutdown
    timeout_s = 30;
  }

  const std::string log = run->dir + "/server.log";
  auto pid = Spawn(argv, log, detached);
  if (!pid.ok()) {
    run->Stop();
    return pid.status();
  }
  run->pid = *pid;
  if (kind != TargetKind::kPostgres) run->signal_pid = *pid;

  // Wait until it answers (or dies, or we are told to stop).
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  for (;;) {
    if (kind == TargetKind::kPostgres) {
      if (run->signal_pid == 0) run->signal_pid = ReadPostmasterPid(pg_data);
      if (PQping(run->url.c_str()) == PQPING_OK) break;
    } else if (PortAnswers(port)) {
      break;
    }
    int status = 0;
    const bool exited = detached ? !Alive(run->pid) : waitpid(run->pid, &status, WNOHANG) == run->pid;
    if (exited) {
      const std::string why = LastLogLine(log);
      run->pid = run->signal_pid = 0;
      run->Stop();
      return Status::Unavailable(name + " server exited at start: " +
                                 RedactSecret(why, password));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      run->Stop();
      return Status::Unavailable(name + " server did not answer within " +
                                 std::to_string(static_cast<int>(timeout_s)) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (detached && kind == TargetKind::kPostgres) {
    run->pid = run->signal_pid;  // runuser's pid is meaningless to a later process
  }
  return run;
}

Result<std::string> ThrowawayServers::Url(TargetKind kind) {
  {
    std::lock_guard lock(mu_);
    for (const auto& r : running_) {
      if (r->kind == kind) return r->url;
    }
    for (const ServerRecord& rec : LoadState(state_file_)) {
      if (rec.target == TargetName(kind) && Alive(rec.pid) && PortAnswers(UrlPort(rec.url))) {
        return rec.url;  // reused: started by `racetrack servers up`, not ours to stop
      }
    }
  }
  auto run = Start(kind, /*detached=*/false);
  if (!run.ok()) return run.status();
  std::lock_guard lock(mu_);
  const std::string url = (*run)->url;
  running_.push_back(std::move(run).value());
  return url;
}

std::string ThrowawayServers::CannotStart(TargetKind kind) {
  for (const ServerRecord& rec : LoadState(state_file_)) {
    if (rec.target == TargetName(kind) && Alive(rec.pid)) return "";
  }
  switch (kind) {
    case TargetKind::kBuiltin:
      return "";
    case TargetKind::kBuiltinTcp:
      return access((fs::path(bin_dir_) / "racetrack-server").c_str(), X_OK) == 0
                 ? ""
                 : "racetrack-server not found next to racetrack (" + bin_dir_ + ")";
    case TargetKind::kRedis:
      return FindOnPath("redis-server").empty() ? "redis-server not found on PATH" : "";
    case TargetKind::kPostgres:
      if (FindPostgresBinary("initdb").empty() || FindPostgresBinary("postgres").empty()) {
        return "PostgreSQL server binaries (initdb, postgres) not found";
      }
      if (RunningAsRoot() && getpwnam("postgres") == nullptr) {
        return "running as root but there is no 'postgres' user to run PostgreSQL as";
      }
      return "";
  }
  return "";
}

void ThrowawayServers::StopAll() {
  std::vector<std::unique_ptr<Running>> stopping;
  {
    std::lock_guard lock(mu_);
    stopping.swap(running_);
  }
  for (auto& r : stopping) r->Stop();
}

Result<std::vector<ServerRecord>> ThrowawayServers::Up(const std::vector<TargetKind>& kinds) {
  if (state_file_.empty()) return Status::InvalidArgument("no state file to record servers in");
  std::vector<ServerRecord> records;
  for (const ServerRecord& rec : LoadState(state_file_)) {
    if (Alive(rec.pid) && PortAnswers(UrlPort(rec.url))) records.push_back(rec);
  }
  for (TargetKind kind : kinds) {
    if (kind == TargetKind::kBuiltin) continue;
    const bool have = std::any_of(records.begin(), records.end(),
                                  [&](const ServerRecord& r) { return r.target == TargetName(kind); });
    if (have) continue;
    auto run = Start(kind, /*detached=*/true);
    if (!run.ok()) {
      Status saved = SaveState(state_file_, records);
      (void)saved;
      return Status(run.status().code() == Status::Code::kUnavailable
                        ? Status::Unavailable(std::string(TargetName(kind)) + ": " +
                                              run.status().message())
                        : run.status());
    }
    records.push_back({std::string(TargetName(kind)), (*run)->url, (*run)->pid, (*run)->dir, ""});
    (*run)->pid = (*run)->signal_pid = 0;  // detached: not ours to stop on destruction
    (*run)->dir.clear();
  }
  Status s = SaveState(state_file_, records);
  if (!s.ok()) return s;
  return records;
}

std::vector<ServerStatus> ThrowawayServers::List() {
  std::vector<ServerStatus> out;
  for (const ServerRecord& rec : LoadState(state_file_)) {
    out.push_back({rec, Alive(rec.pid) && PortAnswers(UrlPort(rec.url))});
  }
  return out;
}

Status ThrowawayServers::Down() {
  for (const ServerRecord& rec : LoadState(state_file_)) {
    Running r;
    r.pid = rec.pid;
    r.signal_pid = rec.pid;
    r.child = false;
    r.stop_signal = rec.target == "postgres" ? SIGINT : SIGTERM;
    r.dir = rec.dir;
    if (!Alive(rec.pid)) r.pid = r.signal_pid = 0;
    r.Stop();
  }
  std::error_code ec;
  fs::remove(state_file_, ec);
  return Status::Ok();
}

}  // namespace racetrack::adapters

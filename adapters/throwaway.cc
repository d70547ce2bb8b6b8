// Throwaway servers. Reasons behind the choices:
//  - Every child is a ServerProcess (server_process.h): its own process group, PDEATHSIG so a
//    racetrack killed with SIGKILL does not leave servers behind; detached ones (`servers up`)
//    get their own session instead, so Ctrl-C in the terminal that started them does not reach
//    them.
//  - "Answers" means: Redis/racetrack-server accept a TCP connection; PostgreSQL answers PQping
//    with PQPING_OK (it accepts TCP connections while still starting up).
//  - Its output goes to server.log in its temp directory; when it dies before answering, the last
//    line of that log is the reason we report (one line: the full tail is in the file).
#include "adapters/throwaway.h"

#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "adapters/server_process.h"
#include "adapters/target.h"
#include "adapters/url.h"

namespace racetrack::adapters {

std::string ExecutableDir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return std::filesystem::path(buf).parent_path().string();
}

namespace fs = std::filesystem;

namespace {

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
  return best.empty() ? FindProgram(name) : best;
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

bool RunningAsRoot() { return geteuid() == 0; }

int ReadPostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

struct ThrowawayServers::Running {
  TargetKind kind;
  std::unique_ptr<ServerProcess> process;
  int record_pid = 0;  // what the state file records: the server itself (PostgreSQL: postmaster)
  std::string dir;
  std::string url;
  bool extra = false;  // StartExtra's: never handed out by Url()

  void Stop() {
    if (process != nullptr) (void)process->Stop(std::chrono::seconds(15));
    process.reset();
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
      dir.clear();
    }
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

namespace {

// What starting one kind of server takes: its command line, where it lives, how long it may
// take to answer. The temp directory is created by the step that builds the Launch and removed
// by whoever holds it when something fails.
struct Launch {
  ProcessOptions process;
  std::string dir;
  std::string url;
  std::string secret;  // kept out of error messages (the PostgreSQL password)
  std::chrono::milliseconds timeout{10000};
  bool postgres = false;
};

void RemoveDir(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty()) fs::remove_all(dir, ec);
}

Result<Launch> RedisLaunch(int port, bool detached) {
  const std::string bin = FindProgram("redis-server");
  if (bin.empty()) return Status::Unavailable("redis-server not found on PATH");
  auto dir = MakeTempDir("redis", detached);
  if (!dir.ok()) return dir.status();
  Launch l;
  l.dir = *dir;
  l.process.program = bin;
  l.process.args = {"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", l.dir, "--protected-mode", "no",
                    "--daemonize", "no", "--maxclients", "10000"};
  l.url = "redis://127.0.0.1:" + std::to_string(port);
  return l;
}

Result<Launch> BuiltinTcpLaunch(const std::string& bin_dir, int port, bool detached) {
  const std::string bin = (fs::path(bin_dir) / "racetrack-server").string();
  if (access(bin.c_str(), X_OK) != 0) {
    return Status::Unavailable("racetrack-server not found next to racetrack (" + bin_dir + ")");
  }
  auto dir = MakeTempDir("server", detached);
  if (!dir.ok()) return dir.status();
  Launch l;
  l.dir = *dir;
  l.process.program = bin;
  // --dir: an append-only log (--durability relaxed|strict) goes to the temp directory.
  l.process.args = {"--port", std::to_string(port), "--bind", "127.0.0.1", "--dir", l.dir};
  l.url = "redis://127.0.0.1:" + std::to_string(port);
  return l;
}

// initdb into `dir`/data with a random password for user "racetrack", as the postgres user when
// we are root.
Status InitPostgresCluster(const std::string& initdb, const std::string& dir,
                           const std::string& password, const passwd* pw) {
  const std::string pwfile = dir + "/pw";
  std::ofstream(pwfile) << password << "\n";
  if (pw != nullptr && (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
                        chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid) != 0)) {
    return Status::IoError("cannot hand the temp directory to the postgres user");
  }
  ProcessOptions o;
  o.program = initdb;
  o.args = {"-D", dir + "/data", "-U", "racetrack", "--auth=scram-sha-256",
            "--pwfile=" + pwfile, "--locale=C.UTF-8", "--encoding=UTF8", "-N"};
  o.run_as_user = pw != nullptr ? "postgres" : "";
  o.log_path = dir + "/initdb.log";
  Status s = ServerProcess::Run(o, std::chrono::seconds(120));
  fs::remove(pwfile);
  if (!s.ok()) return Status::Unavailable("initdb failed: " + LastLogLine(o.log_path));
  return Status::Ok();
}

Result<Launch> PostgresLaunch(int port, bool detached) {
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
  Launch l;
  l.dir = *dir;
  l.secret = RandomHex(24);
  Status init = InitPostgresCluster(initdb, l.dir, l.secret, pw);
  if (!init.ok()) {
    RemoveDir(l.dir);
    return init;
  }
  // Durability off by default, in postgresql.conf rather than as -c flags: a command-line
  // setting would outrank ALTER SYSTEM, and --durability changes these live (durability.h).
  {
    std::ofstream conf(l.dir + "/data/postgresql.conf", std::ios::app);
    conf << "\n# racetrack: --durability off (changed live by ALTER SYSTEM)\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
    if (!conf) {
      RemoveDir(l.dir);
      return Status::IoError("cannot write postgresql.conf in " + l.dir);
    }
  }
  l.process.program = postgres;
  l.process.args = {"-D", l.dir + "/data", "-p", std::to_string(port), "-k", l.dir,
                    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"};
  l.process.run_as_user = pw != nullptr ? "postgres" : "";
  l.process.stop_signal = SIGINT;  // fast shutdown
  l.url = "postgresql://racetrack:" + l.secret + "@127.0.0.1:" + std::to_string(port) +
          "/postgres";
  l.timeout = std::chrono::seconds(30);
  l.postgres = true;
  return l;
}

// Waits until the server answers; on failure one line: why it died, or that it did not answer.
Status WaitUntilAnswers(const Launch& launch, ServerProcess* process, int port) {
  const std::string url = launch.url;
  auto answers = [&] {
    return launch.postgres ? PQping(url.c_str()) == PQPING_OK : PortAnswers(port);
  };
  const Status up = process->WaitUntil(answers, launch.timeout, "answer");
  if (up.ok()) return up;
  const std::string name = launch.postgres ? "postgres" : launch.process.program;
  const std::string who = std::string(fs::path(name).filename()) + " server";
  if (!process->Running()) {
    return Status::Unavailable(who + " exited at start: " +
                               RedactSecret(LastLogLine(process->log_path()), launch.secret));
  }
  return Status::Unavailable(who + " did not answer within " +
                             std::to_string(launch.timeout.count() / 1000) + " s");
}

// A Redis Cluster node: the throwaway redis-server's command line plus cluster mode, on its own
// bus port (free now, like the data port: the default data+10000 does not exist above 55535).
Result<Launch> ClusterNodeLaunch(int port, bool detached) {
  auto bus = FindFreePort();
  if (!bus.ok()) return bus.status();
  auto l = RedisLaunch(port, detached);
  if (!l.ok()) return l;
  for (const std::string& a :
       {std::string("--cluster-enabled"), std::string("yes"), std::string("--cluster-port"),
        std::to_string(*bus), std::string("--cluster-config-file"), l->dir + "/nodes.conf",
        std::string("--cluster-node-timeout"), std::string("1000")}) {
    l->process.args.push_back(a);
  }
  return l;
}

// One field of an INFO-like "name:value" text, "" when absent.
std::string InfoField(const std::string& text, const std::string& name) {
  const size_t at = text.find(name + ":");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 1;
  return text.substr(start, text.find_first_of("\r\n", start) - start);
}

// Polls every node until it reports cluster_state:ok and each master has `replicas` replicas
// in sync (state=online), or the deadline passes (the reason names the node that is not).
Status WaitClusterReady(const std::vector<std::string>& urls, int replicas,
                        std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  TargetOptions opts;
  opts.connect_timeout_s = 2;
  opts.command_timeout_s = 5;
  std::string why = "not polled";
  for (;;) {
    bool ready = true;
    for (const std::string& url : urls) {
      auto t = MakeRespTarget(TargetKind::kRedis, url, opts);
      auto c = t.ok() ? (*t)->Connect() : Result<std::unique_ptr<Client>>(t.status());
      if (!c.ok()) {
        why = c.status().message();
        ready = false;
        break;
      }
      auto info = (*c)->Command({"CLUSTER", "INFO"});
      if (!info.ok() || InfoField(info->str, "cluster_state") != "ok") {
        why = Redact(url) + " reports cluster_state:" +
              (info.ok() ? InfoField(info->str, "cluster_state") : info.status().message());
        ready = false;
        break;
      }
      auto repl = (*c)->Command({"INFO", "replication"});
      if (!repl.ok()) {
        why = repl.status().message();
        ready = false;
        break;
      }
      if (InfoField(repl->str, "role") == "master" &&
          InfoField(repl->str, "connected_slaves") != "0") {
        int online = 0;
        for (size_t p = 0; (p = repl->str.find("state=online", p)) != std::string::npos; ++p) {
          ++online;
        }
        if (online < replicas) {
          why = Redact(url) + " has " + std::to_string(online) + " of " +
                std::to_string(replicas) + " replicas in sync";
          ready = false;
          break;
        }
      }
    }
    if (ready) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("the throwaway cluster did not become ready within " +
                                 std::to_string(timeout.count()) + " s: " + why);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

Result<std::unique_ptr<ThrowawayServers::Running>> ThrowawayServers::Start(TargetKind kind,
                                                                           bool detached) {
  Result<int> port = FindFreePort();
  if (!port.ok()) return port.status();
  Result<Launch> launch = Status::InvalidArgument("no throwaway server for this target");
  if (kind == TargetKind::kRedis) launch = RedisLaunch(*port, detached);
  if (kind == TargetKind::kBuiltinTcp) launch = BuiltinTcpLaunch(bin_dir_, *port, detached);
  if (kind == TargetKind::kPostgres) launch = PostgresLaunch(*port, detached);
  if (!launch.ok()) return launch.status();

  auto run = std::make_unique<Running>();
  run->kind = kind;
  run->dir = launch->dir;
  run->url = launch->url;
  launch->process.detached = detached;
  launch->process.log_path = run->dir + "/server.log";
  auto process = ServerProcess::Start(launch->process);
  if (!process.ok()) {
    run->Stop();
    return process.status();
  }
  run->process = std::move(process).value();
  Status up = WaitUntilAnswers(*launch, run->process.get(), *port);
  if (!up.ok()) {
    run->Stop();
    return up;
  }
  run->record_pid = launch->postgres ? ReadPostmasterPid(run->dir + "/data") : run->process->pid();
  return run;
}

Result<std::vector<std::unique_ptr<ThrowawayServers::Running>>> ThrowawayServers::StartCluster(
    bool detached) {
  const std::string cli = FindProgram("redis-cli");
  if (cli.empty()) return Status::Unavailable("redis-cli not found on PATH (it forms the cluster)");
  std::vector<std::unique_ptr<Running>> nodes;
  auto fail = [&](Status s) {
    for (auto& n : nodes) n->Stop();
    return s;
  };
  const int total = cluster_masters_ * (1 + cluster_replicas_);
  std::vector<std::string> addrs, urls;
  for (int i = 0; i < total; ++i) {
    Result<int> port = FindFreePort();
    if (!port.ok()) return fail(port.status());
    auto launch = ClusterNodeLaunch(*port, detached);
    if (!launch.ok()) return fail(launch.status());
    auto run = std::make_unique<Running>();
    run->kind = TargetKind::kRedisCluster;
    run->dir = launch->dir;
    run->url = launch->url;
    run->extra = i > 0;  // Url() hands out the first node; the client discovers the others
    launch->process.detached = detached;
    launch->process.log_path = run->dir + "/server.log";
    auto process = ServerProcess::Start(launch->process);
    if (!process.ok()) {
      run->Stop();
      return fail(process.status());
    }
    run->process = std::move(process).value();
    run->record_pid = run->process->pid();
    nodes.push_back(std::move(run));
    Status up = WaitUntilAnswers(*launch, nodes.back()->process.get(), *port);
    if (!up.ok()) return fail(up);
    addrs.push_back("127.0.0.1:" + std::to_string(*port));
    urls.push_back(launch->url);
  }
  ProcessOptions create;
  create.program = cli;
  create.args = {"--cluster", "create"};
  create.args.insert(create.args.end(), addrs.begin(), addrs.end());
  create.args.insert(create.args.end(), {"--cluster-replicas", std::to_string(cluster_replicas_),
                                         "--cluster-yes"});
  create.log_path = nodes.front()->dir + "/cluster-create.log";
  Status made = ServerProcess::Run(create, std::chrono::seconds(60));
  if (!made.ok()) {
    return fail(Status::Unavailable("redis-cli --cluster create failed: " +
                                    LastLogLine(create.log_path)));
  }
  Status ready = WaitClusterReady(urls, cluster_replicas_, std::chrono::seconds(60));
  if (!ready.ok()) return fail(ready);
  return nodes;
}

Status ThrowawayServers::SetClusterShape(int masters, int replicas) {
  if (masters < 3 || masters > 64) {
    return Status::InvalidArgument("--cluster-masters must be between 3 and 64 (redis-cli "
                                   "--cluster create needs three masters)");
  }
  if (replicas < 0 || replicas > 2) {
    return Status::InvalidArgument("--cluster-replicas must be 0, 1 or 2");
  }
  std::lock_guard lock(mu_);
  cluster_masters_ = masters;
  cluster_replicas_ = replicas;
  return Status::Ok();
}

Status ThrowawayServers::KillClusterNode(const std::string& addr) {
  std::unique_ptr<Running> victim;
  {
    std::lock_guard lock(mu_);
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if ((*it)->kind == TargetKind::kRedisCluster &&
          (*it)->url == "redis://" + addr) {
        victim = std::move(*it);
        running_.erase(it);
        break;
      }
    }
  }
  if (victim == nullptr) return Status::NotFound("no throwaway cluster node at " + addr);
  if (victim->process != nullptr) victim->process->Kill();
  victim->Stop();
  return Status::Ok();
}

Result<std::string> ThrowawayServers::Url(TargetKind kind) {
  {
    std::lock_guard lock(mu_);
    for (const auto& r : running_) {
      if (r->kind == kind && !r->extra) return r->url;
    }
    for (const ServerRecord& rec : LoadState(state_file_)) {
      if (rec.target == TargetName(kind) && Alive(rec.pid) && PortAnswers(UrlPort(rec.url))) {
        return rec.url;  // reused: started by `racetrack servers up`, not ours to stop
      }
    }
  }
  if (kind == TargetKind::kRedisCluster) {
    auto nodes = StartCluster(/*detached=*/false);
    if (!nodes.ok()) return nodes.status();
    std::lock_guard lock(mu_);
    const std::string url = nodes->front()->url;
    for (auto& n : *nodes) running_.push_back(std::move(n));
    return url;
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
    case TargetKind::kClient:
      return "";
    case TargetKind::kBuiltinTcp:
      return access((fs::path(bin_dir_) / "racetrack-server").c_str(), X_OK) == 0
                 ? ""
                 : "racetrack-server not found next to racetrack (" + bin_dir_ + ")";
    case TargetKind::kRedis:
      return FindProgram("redis-server").empty() ? "redis-server not found on PATH" : "";
    case TargetKind::kRedisCluster:
      if (FindProgram("redis-server").empty()) return "redis-server not found on PATH";
      return FindProgram("redis-cli").empty() ? "redis-cli not found on PATH (it forms the cluster)"
                                              : "";
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

Result<std::vector<std::string>> ThrowawayServers::StartExtra(TargetKind kind, int n) {
  if (kind == TargetKind::kBuiltin || kind == TargetKind::kClient ||
      kind == TargetKind::kRedisCluster) {
    return Status::InvalidArgument(std::string(TargetName(kind)) + " has no single server to start");
  }
  std::vector<std::string> urls;
  for (int i = 0; i < n; ++i) {
    auto run = Start(kind, /*detached=*/false);
    if (!run.ok()) return run.status();  // the ones already started stop with the others
    (*run)->extra = true;
    std::lock_guard lock(mu_);
    urls.push_back((*run)->url);
    running_.push_back(std::move(run).value());
  }
  return urls;
}

Status ThrowawayServers::KillExtra(const std::string& url) {
  std::unique_ptr<Running> victim;
  {
    std::lock_guard lock(mu_);
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if ((*it)->extra && (*it)->url == url) {
        victim = std::move(*it);
        running_.erase(it);
        break;
      }
    }
  }
  if (victim == nullptr) return Status::NotFound("no extra server at " + Redact(url));
  // ServerProcess::Kill: SIGKILL to the whole process group, a crash, not a shutdown; Stop()
  // then only reaps it and removes its directory.
  if (victim->process != nullptr) victim->process->Kill();
  victim->Stop();
  return Status::Ok();
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
    if (kind == TargetKind::kRedisCluster) {
      auto nodes = StartCluster(/*detached=*/true);
      if (!nodes.ok()) {
        (void)SaveState(state_file_, records);
        return Status::Unavailable("redis-cluster: " + nodes.status().message());
      }
      for (auto& n : *nodes) {  // every node recorded: `servers down` stops them all
        records.push_back({"redis-cluster", n->url, n->record_pid, n->dir, ""});
        n->process->Release();
        n->dir.clear();
      }
      continue;
    }
    auto run = Start(kind, /*detached=*/true);
    if (!run.ok()) {
      Status saved = SaveState(state_file_, records);
      (void)saved;
      return Status(run.status().code() == Status::Code::kUnavailable
                        ? Status::Unavailable(std::string(TargetName(kind)) + ": " +
                                              run.status().message())
                        : run.status());
    }
    records.push_back(
        {std::string(TargetName(kind)), (*run)->url, (*run)->record_pid, (*run)->dir, ""});
    (*run)->process->Release();  // detached: not ours to stop on destruction
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
    (void)StopPid(rec.pid, rec.target == "postgres" ? SIGINT : SIGTERM, std::chrono::seconds(15));
    RemoveDir(rec.dir);
  }
  std::error_code ec;
  fs::remove(state_file_, ec);
  return Status::Ok();
}

}  // namespace racetrack::adapters

#include "adapters/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace racetrack::adapters {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

// This process's environment with `extra` ("NAME=value") replacing or adding entries; the result
// points into environ and into *extra, which must outlive it.
std::vector<char*> MergedEnvironment(std::vector<std::string>* extra) {
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& x : *extra) {
      if (std::string_view(x).substr(0, x.find('=')) == name) overridden = true;
    }
    if (!overridden) envp.push_back(*e);
  }
  for (std::string& e : *extra) envp.push_back(e.data());
  envp.push_back(nullptr);
  return envp;
}

}  // namespace

std::string FindProgram(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) {
    return access(program.c_str(), X_OK) == 0 ? program : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string full = dir + "/" + program;
    if (access(full.c_str(), X_OK) == 0) return full;
  }
  return "";
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ProcessOptions& options) {
  std::unique_ptr<ServerProcess> p(new ServerProcess(options));
  Status s = p->Spawn();
  if (!s.ok()) return s;
  return p;
}

Status ServerProcess::Run(const ProcessOptions& options, std::chrono::milliseconds timeout) {
  auto p = Start(options);
  if (!p.ok()) return p.status();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while ((*p)->Running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      (*p)->Kill();
      return Status::Unavailable((*p)->program_ + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms; log " + (*p)->log_path() +
                                 " ends with:\n" + (*p)->LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int st = (*p)->exit_status();
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return Status::Ok();
  return Status::Unavailable((*p)->program_ + " " + (*p)->DescribeExit() + "; log " +
                             (*p)->log_path() + " ends with:\n" + (*p)->LogTail());
}

Status ServerProcess::Spawn() {
  const ProcessOptions& o = options_;
  program_ = FindProgram(o.program);
  if (program_.empty()) return Status::NotFound(o.program + " not found on PATH");

  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed.
  std::vector<std::string> words;
  if (!o.run_as_user.empty()) {
    std::string runuser = FindProgram("runuser");
    if (runuser.empty()) return Status::NotFound("runuser not found on PATH");
    words = {runuser, "-u", o.run_as_user, "--"};
  }
  words.push_back(program_);
  words.insert(words.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage(o.env.begin(), o.env.end());
  std::vector<char*> envp = MergedEnvironment(&env_storage);

  int log_fd;
  if (options_.log_path.empty()) {
    std::string templ = "/tmp/racetrack-proc-XXXXXX.log";
    log_fd = mkstemps(templ.data(), 4);
    if (log_fd >= 0) fcntl(log_fd, F_SETFD, FD_CLOEXEC);
    options_.log_path = templ;
  } else {
    log_fd = open(options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  if (log_fd < 0) {
    return Status::IoError(Errno(("cannot open log " + options_.log_path).c_str()));
  }
  // A server run as another user must be able to write its own log.
  if (!o.run_as_user.empty()) fchmod(log_fd, 0666);

  const char* workdir = o.working_dir.empty() ? nullptr : o.working_dir.c_str();
  const bool detached = o.detached;
  const int death_signal = o.stop_signal;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return Status::IoError(Errno("fork"));
  }
  if (pid == 0) {
    if (detached) {
      setsid();  // Ctrl-C in the terminal that started it does not reach it
    } else {
      setpgid(0, 0);  // Ctrl-C goes to racetrack, which stops its servers in order
      prctl(PR_SET_PDEATHSIG, death_signal);
      if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    }
    // The CLI's signal watcher blocks SIGINT/SIGTERM in every thread; a server must not
    // inherit that, or it could never be stopped politely.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (workdir != nullptr && chdir(workdir) != 0) {
      const char msg[] = "racetrack: cannot chdir to the working directory\n";
      (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
      _exit(127);
    }
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "racetrack: exec failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(127);
  }
  // Also from the parent, so a signal to the group works even if the child has not run yet.
  if (!detached) setpgid(pid, pid);
  close(log_fd);
  pid_ = pid;
  exited_ = false;
  exit_status_ = 0;
  return Status::Ok();
}

ServerProcess::~ServerProcess() {
  if (!released_) (void)Stop();
}

bool ServerProcess::Running() {
  if (exited_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exited_ = true;
    exit_status_ = status;
    return false;
  }
  return true;
}

std::string ServerProcess::DescribeExit() const { return DescribeStatus(exit_status_); }

Status ServerProcess::WaitUntil(const std::function<bool()>& ready,
                                std::chrono::milliseconds timeout, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (!Running()) {
      return Status::Unavailable(program_ + " " + DescribeExit() + " before it would " + what +
                                 "; log " + options_.log_path + " ends with:\n" + LogTail());
    }
    if (ready()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(program_ + " did not " + what + " within " +
                                 std::to_string(timeout.count()) + " ms; log " + options_.log_path +
                                 " ends with:\n" + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Status ServerProcess::WaitForPort(int port, std::chrono::milliseconds timeout,
                                  const std::string& host) {
  in_addr probe{};
  if (inet_pton(AF_INET, host.c_str(), &probe) != 1) {
    return Status::InvalidArgument("not an IPv4 address: " + host);
  }
  return WaitUntil([&] { return PortAnswers(port, host); }, timeout,
                   "accept connections on " + host + ":" + std::to_string(port));
}

void ServerProcess::Signal(int sig) {
  const pid_t pid = pid_.load();
  if (pid <= 0) return;
  // The group: the child leads it (setpgid, or setsid when detached). A wrapper's children
  // (runuser's server) are in it too and may outlive the reaped leader for a moment.
  if (kill(-pid, sig) != 0 && !exited_) kill(pid, sig);
}

bool ServerProcess::GroupGone() const {
  return pid_ <= 0 || (kill(-pid_.load(), 0) != 0 && errno == ESRCH);
}

bool ServerProcess::WaitStopped(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    // Reaping the leader first: a zombie leader still counts as a member of its group.
    if (!Running() && GroupGone()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ServerProcess::Kill() {
  if (Running()) {
    Signal(SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) exit_status_ = status;
    exited_ = true;
  }
  // The rest of the group dies with it but is reaped by init, not us: wait until it is gone,
  // so that a Restart() does not meet the old server still holding its files (PostgreSQL's
  // postmaster.pid names a pid that must be dead).
  Signal(SIGKILL);
  (void)WaitStopped(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

Status ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running() && GroupGone()) return Status::Ok();
  Signal(options_.stop_signal);
  if (WaitStopped(std::chrono::steady_clock::now() + grace)) return Status::Ok();
  Kill();
  return Status::Unavailable(program_ + " ignored signal " + std::to_string(options_.stop_signal) +
                             " for " + std::to_string(grace.count()) + " ms and was killed");
}

Status ServerProcess::Restart(std::chrono::milliseconds grace) {
  Status stopped = Stop(grace);
  (void)stopped;  // killed after the grace period is still stopped: go on
  released_ = false;
  return Spawn();
}

std::string ServerProcess::LogTail(size_t max_bytes) const {
  std::ifstream in(options_.log_path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                             ? size - static_cast<std::streamoff>(max_bytes)
                             : 0;
  in.seekg(start);
  std::string out(static_cast<size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

Result<int> FindFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(Errno("socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Status s = Status::IoError(Errno("cannot find a free port"));
    close(fd);
    return s;
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

bool PortAnswers(int port, const std::string& host) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return false;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

namespace {

// Gone, or a zombie of ours (reaped here: `servers up` and `down` in one process, as in tests).
bool Gone(pid_t pid) {
  int status = 0;
  return kill(pid, 0) != 0 || waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

Status StopPid(pid_t pid, int sig, std::chrono::milliseconds grace) {
  if (pid <= 0 || Gone(pid)) return Status::Ok();
  kill(pid, sig);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Gone(pid)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  return Status::Unavailable("pid " + std::to_string(pid) + " ignored signal " +
                             std::to_string(sig) + " and was killed");
}

}  // namespace racetrack::adapters

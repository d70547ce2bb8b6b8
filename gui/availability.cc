// Mirrors what adapters/throwaway.h needs to start each server (a binary on PATH or, for
// PostgreSQL, in Debian's versioned directory), so the page can grey out a target with the reason
// instead of letting the class watch a run fail.

#include "gui/availability.h"

#include <filesystem>

#include <unistd.h>

#include <QStandardPaths>
#include <QString>

namespace racetrack::gui {

namespace {

bool Executable(const std::filesystem::path& p) { return ::access(p.c_str(), X_OK) == 0; }

bool PostgresInstalled() {
  if (!QStandardPaths::findExecutable("initdb").isEmpty()) return true;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    if (Executable(dir.path() / "bin" / "initdb")) return true;
  }
  return false;
}

}  // namespace

adapters::TargetAvailability ProbeTarget(adapters::TargetKind kind, const std::string& bin_dir,
                                         const adapters::TargetOptions& options) {
  adapters::TargetAvailability a{kind, true, ""};
  switch (kind) {
    case adapters::TargetKind::kBuiltin:
    case adapters::TargetKind::kClient:  // no server to find
      break;
    case adapters::TargetKind::kBuiltinTcp:
      if (!Executable(std::filesystem::path(bin_dir) / "racetrack-server")) {
        a = {kind, false, "racetrack-server is not built next to racetrack-gui (" + bin_dir + ")"};
      }
      break;
    case adapters::TargetKind::kRedisCluster:
      if (options.redis_cluster_url.empty() &&
          (QStandardPaths::findExecutable("redis-server").isEmpty() ||
           QStandardPaths::findExecutable("redis-cli").isEmpty())) {
        a = {kind, false, "redis-server or redis-cli not found on PATH (or give a cluster URL)"};
      }
      break;
    case adapters::TargetKind::kRedis:
      if (options.redis_url.empty() && QStandardPaths::findExecutable("redis-server").isEmpty()) {
        a = {kind, false, "redis-server not found on PATH (install redis-server or give a Redis URL)"};
      }
      break;
    case adapters::TargetKind::kPostgres:
      if (options.postgres_url.empty() && !PostgresInstalled()) {
        a = {kind, false, "PostgreSQL's initdb not found (install postgresql or give a URL)"};
      }
      break;
  }
  return a;
}

}  // namespace racetrack::gui

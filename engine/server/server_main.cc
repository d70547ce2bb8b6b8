// racetrack-server: the built-in engine as a Redis-compatible server (RESP2).
//
//   racetrack-server [CONFIG_FILE] [--port 7379] [--bind 127.0.0.1] [--requirepass PASS] ...
//
// Settings are named as redis-server names them; a config file holds the same `name value` lines.
// Flags override the file.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "engine/aof.h"
#include "engine/engine.h"
#include "engine/persistence.h"
#include "engine/server/server.h"

namespace {

struct Setting {
  const char* name;
  const char* help;
};

constexpr Setting kSettings[] = {
    {"port", "TCP port to listen on (default 7379; 0 picks a free one)"},
    {"bind", "address to listen on (default 127.0.0.1)"},
    {"requirepass", "password clients must AUTH with"},
    {"maxclients", "maximum simultaneous clients (default 10000)"},
    {"databases", "number of databases for SELECT (default 16)"},
    {"hz", "housekeeping frequency: active expiry etc. (default 10)"},
    {"proto-max-bulk-len", "largest bulk string accepted (default 512mb)"},
    {"client-query-buffer-limit", "largest unparsed input per client (default 1gb)"},
    {"maxmemory", "memory limit, e.g. 100mb (default 0 = none)"},
    {"maxmemory-policy", "eviction policy: noeviction, allkeys-lru, volatile-lru, allkeys-lfu, "
                         "allkeys-random, volatile-ttl, ..."},
    {"lua-time-limit", "milliseconds before a running script is stopped (default 5000)"},
    {"appendonly", "yes|no: append-only log"},
    {"appendfsync", "always|everysec|no"},
    {"appendfilename", "append-only log file name"},
    {"dir", "working directory for persistence files"},
    {"dbfilename", "snapshot file name"},
    {"save", "snapshot rules: \"SECONDS CHANGES ...\", \"\" disables"},
    {"client-output-buffer-limit", "\"pubsub HARD SOFT SECONDS\" (default pubsub 32mb 8mb 60)"},
};

}  // namespace

int main(int argc, char** argv) {
  using racetrack::engine::EngineConfig;
  CLI::App app{"racetrack-server: the racetrack engine as a Redis-compatible (RESP2) server"};
  app.set_version_flag("--version", std::string("racetrack-server ") + RACETRACK_VERSION);
  std::string config_file;
  app.add_option("config", config_file, "redis.conf-style file of `name value` lines")
      ->check(CLI::ExistingFile);
  std::string check_aof;
  bool fix_aof = false;
  app.add_option("--check-aof", check_aof, "check an append-only file (and exit); see --fix");
  app.add_flag("--fix", fix_aof, "with --check-aof: truncate the file to its last valid command");
  std::map<std::string, std::vector<std::string>> values;
  for (const Setting& s : kSettings) {
    app.add_option(std::string("--") + s.name, values[s.name], s.help)->allow_extra_args(false);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "racetrack-server: %s (see --help)\n", e.what());
    return 2;
  }

  if (!check_aof.empty()) {
    auto r = racetrack::engine::CheckAof(check_aof);
    std::printf("%s\n", r.message.c_str());
    if (r.ok) return 0;
    if (r.valid_bytes == 0 && r.file_size == 0) return 1;
    if (!fix_aof) {
      std::printf("AOF is not valid. Use the --fix option to try fixing it (keeps the first %zu of "
                  "%zu bytes).\n", r.valid_bytes, r.file_size);
      return 1;
    }
    racetrack::Status t = racetrack::engine::TruncateFile(check_aof, r.valid_bytes);
    if (!t.ok()) {
      std::printf("%s\n", t.message().c_str());
      return 1;
    }
    std::printf("Successfully truncated AOF %s to %zu bytes (dropped %zu)\n", check_aof.c_str(),
                r.valid_bytes, r.file_size - r.valid_bytes);
    return 0;
  }

  EngineConfig config;
  if (!config_file.empty()) {
    racetrack::Status s = racetrack::engine::LoadConfigFile(config_file, &config);
    if (!s.ok()) {
      std::fprintf(stderr, "racetrack-server: %s\n", s.message().c_str());
      return 2;
    }
  }
  for (const Setting& setting : kSettings) {
    const auto& v = values[setting.name];
    if (v.empty()) continue;
    racetrack::Status s = racetrack::engine::ApplyConfigSetting(&config, setting.name, v);
    if (!s.ok()) {
      std::fprintf(stderr, "racetrack-server: --%s: %s\n", setting.name, s.message().c_str());
      return 2;
    }
  }

  racetrack::engine::Engine engine(config);
  racetrack::Status loaded = engine.persistence().Start();
  if (!loaded.ok()) {
    std::fprintf(stderr, "racetrack-server: %s\n", loaded.message().c_str());
    return 1;
  }
  racetrack::engine::Server server(&engine);
  racetrack::Status s = server.Listen();
  if (s.ok()) s = server.HandleSignals();
  if (!s.ok()) {
    std::fprintf(stderr, "racetrack-server: %s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "racetrack-server %s ready on %s:%d (pid %d)\n", RACETRACK_VERSION,
               config.bind.c_str(), server.port(), static_cast<int>(getpid()));
  server.Run();
  racetrack::Status saved = engine.persistence().Shutdown(server.shutdown_nosave());
  if (!saved.ok()) std::fprintf(stderr, "racetrack-server: %s\n", saved.message().c_str());
  std::fprintf(stderr, "racetrack-server: shut down\n");
  return 0;
}

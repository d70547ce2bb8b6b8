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

#include "engine/engine.h"
#include "engine/server.h"

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
};

}  // namespace

int main(int argc, char** argv) {
  using racetrack::engine::EngineConfig;
  CLI::App app{"racetrack-server: the racetrack engine as a Redis-compatible (RESP2) server"};
  app.set_version_flag("--version", std::string("racetrack-server ") + RACETRACK_VERSION);
  std::string config_file;
  app.add_option("config", config_file, "redis.conf-style file of `name value` lines")
      ->check(CLI::ExistingFile);
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
  std::fprintf(stderr, "racetrack-server: shut down\n");
  return 0;
}

// racetrack-server: the built-in engine as a Redis-compatible server (RESP2).
//
//   racetrack-server [CONFIG_FILE] [--port 7379] [--bind 127.0.0.1] [--requirepass PASS] ...
//
// Settings are named as redis-server names them; a config file holds the same `name value` lines.
// Flags override the file. Both, and CONFIG SET at runtime, read the one table in engine/config.h.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/acl.h"
#include "engine/aof.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/persistence.h"
#include "engine/server/server.h"

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
  // One flag per setting and alias, in the table's order; values are applied in that order too.
  std::vector<std::pair<std::string, std::vector<std::string>>> values;
  for (const racetrack::engine::ConfigOption& o : racetrack::engine::ConfigOptions()) {
    std::vector<std::string_view> names = {o.name};
    names.insert(names.end(), o.aliases.begin(), o.aliases.end());
    for (std::string_view name : names) values.emplace_back(std::string(name), std::vector<std::string>{});
  }
  for (auto& [name, v] : values) {
    const racetrack::engine::ConfigOption* o = racetrack::engine::FindConfigOption(name);
    std::string help(o->help);
    if (name != o->name) help = "alias of --" + std::string(o->name);
    const std::string def = o->DefaultValue();
    help += " (default " + (def.empty() ? std::string("\"\"") : def) + ")";
    app.add_option("--" + name, v, help)->allow_extra_args(false);
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
  for (const auto& [name, v] : values) {
    if (v.empty()) continue;
    racetrack::Status s = racetrack::engine::ApplyConfigSetting(&config, name, v);
    if (!s.ok()) {
      std::fprintf(stderr, "racetrack-server: --%s: %s\n", name.c_str(), s.message().c_str());
      return 2;
    }
  }

  racetrack::engine::Engine engine(config);
  if (!config.aclfile.empty()) {  // as Redis's ACLLoadUsersAtStartup: an error stops the start
    std::vector<std::unique_ptr<racetrack::engine::AclUser>> none;
    std::string err =
        engine.acl().LoadFile(engine.acl().FilePath(), config.aclfile, &none);
    if (!err.empty()) {
      std::fprintf(stderr, "racetrack-server: Aborting startup because of ACL errors: %s\n",
                   err.c_str());
      return 1;
    }
  }
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

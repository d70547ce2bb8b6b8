// Server commands: INFO, CONFIG, TIME, COMMAND, SHUTDOWN, MEMORY.
//
// COMMAND INFO/DOCS/COUNT/LIST read only the command table, so what a client learns about a
// command is exactly what dispatch enforces. CONFIG reads and writes EngineConfig through the
// server-config table (config.h), which the config file and racetrack-server's flags read too.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/acl.h"
#include "engine/base/enum_names.h"
#include "engine/command_meta.h"
#include "engine/config.h"
#include "engine/diagnostics.h"
#include "engine/evict.h"
#include "engine/family_util.h"
#include "engine/persistence.h"
#include "engine/replication.h"
#include "engine/scripting.h"

namespace racetrack::engine {
namespace {

// ---------------------------------------------------------------------------------------------
// CONFIG: GET and SET read the one settings table (config.h)
// ---------------------------------------------------------------------------------------------

void CmdConfigContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "CONFIG"); }

void CmdConfigGet(CommandContext& ctx) {
  // A pattern without glob characters is a lookup, and Redis echoes the name as it was asked.
  // A glob matches names and aliases alike (Redis lists lua-time-limit beside
  // busy-reply-threshold).
  std::set<std::string> seen;
  std::vector<std::pair<std::string, const ConfigOption*>> out;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    std::string_view pattern = ctx.argv[i];
    if (pattern.find_first_of("*?[") == std::string_view::npos) {
      const ConfigOption* o = FindConfigOption(pattern);
      if (o != nullptr && seen.insert(ToLower(pattern)).second) out.emplace_back(pattern, o);
      continue;
    }
    for (const ConfigOption& o : ConfigOptions()) {
      std::vector<std::string_view> names = {o.name};
      names.insert(names.end(), o.aliases.begin(), o.aliases.end());
      for (std::string_view name : names) {
        if (GlobMatch(pattern, name, /*nocase=*/true) && seen.insert(std::string(name)).second) {
          out.emplace_back(name, &o);
        }
      }
    }
  }
  ctx.reply.Map(out.size());
  for (const auto& [name, o] : out) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(o->get(ctx.engine.config()));
  }
}

void CmdConfigSet(CommandContext& ctx) {
  if (ctx.argv.size() % 2 != 0) {  // a name without its value
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<const ConfigOption*> targets;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) {
    const ConfigOption* o = FindConfigOption(ctx.argv[i]);
    if (o == nullptr) {
      ctx.reply.Error(errors::ConfigSetUnknownOption(ctx.argv[i]));
      return;
    }
    targets.push_back(o);
  }
  auto fail = [&](size_t k, std::string_view msg) {
    ctx.reply.Error(errors::ConfigSetFailed(ctx.argv[2 + 2 * k], msg));
  };
  // Validate every pair before applying any: all or nothing, as Redis.
  for (size_t k = 0; k < targets.size(); ++k) {
    for (size_t m = 0; m < k; ++m) {
      if (targets[m] == targets[k]) return fail(k, errors::kConfigDuplicate);
    }
    if (!targets[k]->runtime) return fail(k, errors::kConfigImmutable);
    std::string err = targets[k]->set(ctx.engine.config(), ctx.argv[3 + 2 * k], false);
    if (!err.empty()) return fail(k, err);
  }
  const bool was_appendonly = ctx.engine.config().appendonly;
  for (size_t k = 0; k < targets.size(); ++k) {
    (void)targets[k]->set(ctx.engine.config(), ctx.argv[3 + 2 * k], true);
    // requirepass is the default ACL user's password (Redis's ACLUpdateDefaultUserPassword).
    if (targets[k]->name == "requirepass") {
      ctx.engine.acl().SetRequirePass(ctx.engine.config().requirepass);
    }
    // A lower maxmemory evicts now, as Redis's updateMaxmemory (keyspace "evicted" events too).
    if (targets[k]->name == "maxmemory") (void)PerformEvictions(ctx.engine);
  }
  // appendonly is more than a flag: the log opens or closes now, as Redis's CONFIG SET does.
  if (ctx.engine.config().appendonly != was_appendonly) {
    Status s = ctx.engine.persistence().SwitchAppendOnly(ctx.engine.config().appendonly);
    if (!s.ok()) {
      ctx.engine.config().appendonly = was_appendonly;
      ctx.reply.Error(errors::ConfigSetFailed("appendonly", s.message()));
      return;
    }
  }
  ctx.reply.Ok();
}

void CmdConfigResetStat(CommandContext& ctx) {
  EngineStats& st = ctx.engine.stats();
  int64_t start = st.start_time_us;
  st = EngineStats{};
  st.start_time_us = start;
  ctx.engine.diagnostics().ResetHistograms();  // resetCommandTableStats frees them too
  ctx.reply.Ok();
}

void CmdConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "CONFIG",
            {"GET <pattern>",
             "    Return parameters matching the glob-like <pattern> and their values.",
             "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
             "RESETSTAT", "    Reset statistics reported by the INFO command."});
}

// ---------------------------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------------------------

std::string BytesToHuman(uint64_t n) {
  char buf[64];
  const double d = static_cast<double>(n);
  if (n < 1024) std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  else if (n < 1024ULL * 1024) std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (n < 1024ULL * 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  else std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  return buf;
}

uint64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages_total = 0, pages_rss = 0;
  statm >> pages_total >> pages_rss;
  return pages_rss * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void Line(std::string& out, std::string_view key, const std::string& value) {
  out.append(key);
  out.push_back(':');
  out.append(value);
  out.append("\r\n");
}
void Line(std::string& out, std::string_view key, int64_t value) { Line(out, key, FormatInt(value)); }

// INFO replication in the replica role (REPLICAOF host port): the link is never up here
// (replication.h), so the fields are those of Redis's replica before its first connection.
void ReplicaInfoLines(Engine& e, std::string* s) {
  const Replication& repl = e.replication();
  Line(*s, "master_host", repl.master_host());
  Line(*s, "master_port", int64_t{repl.master_port()});
  Line(*s, "master_link_status", std::string("down"));
  Line(*s, "master_last_io_seconds_ago", int64_t{-1});
  Line(*s, "master_sync_in_progress", int64_t{0});
  Line(*s, "slave_read_repl_offset", int64_t{1});
  Line(*s, "slave_repl_offset", int64_t{1});
  Line(*s, "master_link_down_since_seconds", int64_t{-1});
  Line(*s, "slave_priority", int64_t{100});
  Line(*s, "slave_read_only", int64_t{e.config().replica_read_only ? 1 : 0});
  Line(*s, "replica_announced", int64_t{1});
}

std::string InfoSection(CommandContext& ctx, std::string_view section) {
  Engine& e = ctx.engine;
  const EngineConfig& cfg = e.config();
  const EngineStats& st = e.stats();
  std::string s;
  if (section == "server") {
    s = "# Server\r\n";
    struct utsname u;
    uname(&u);
    int64_t uptime = (e.clock().NowUs() - st.start_time_us) / 1'000'000;
    Line(s, "redis_version", std::string(kRedisCompatVersion));
    Line(s, "redis_git_sha1", std::string("00000000"));
    Line(s, "redis_git_dirty", 0);
    Line(s, "redis_mode", std::string("standalone"));
    Line(s, "racetrack_engine", std::string("built-in"));
    Line(s, "racetrack_version", std::string(RACETRACK_VERSION));
    Line(s, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    Line(s, "arch_bits", static_cast<int64_t>(sizeof(void*) * 8));
    Line(s, "multiplexing_api", std::string("epoll"));
    Line(s, "gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                               std::to_string(__GNUC_PATCHLEVEL__));
    Line(s, "process_id", static_cast<int64_t>(getpid()));
    Line(s, "tcp_port", cfg.port);
    Line(s, "server_time_usec", e.clock().NowUs());
    Line(s, "uptime_in_seconds", uptime);
    Line(s, "uptime_in_days", uptime / 86400);
    Line(s, "hz", cfg.hz);
    Line(s, "configured_hz", cfg.hz);
    Line(s, "config_file", std::string());
  } else if (section == "clients") {
    s = "# Clients\r\n";
    // Redis 7.0 has no pubsub_clients field (7.2 added it), so only blocked clients are counted.
    int64_t blocked = 0;
    for (const auto& [id, c] : e.clients()) blocked += c->is_blocked() ? 1 : 0;
    Line(s, "connected_clients", static_cast<int64_t>(e.clients().size()));
    Line(s, "cluster_connections", 0);
    Line(s, "maxclients", cfg.maxclients);
    Line(s, "client_recent_max_input_buffer", 0);
    Line(s, "client_recent_max_output_buffer", 0);
    Line(s, "blocked_clients", blocked);
    Line(s, "tracking_clients", 0);
    Line(s, "clients_in_timeout_table", 0);
  } else if (section == "memory") {
    s = "# Memory\r\n";
    // used_memory: this engine's data in allocator sizes (Engine::UsedMemory); RSS is the process's.
    uint64_t used = e.UsedMemory(), rss = RssBytes();
    Line(s, "used_memory", static_cast<int64_t>(used));
    Line(s, "used_memory_human", BytesToHuman(used));
    Line(s, "used_memory_rss", static_cast<int64_t>(rss));
    Line(s, "used_memory_rss_human", BytesToHuman(rss));
    Line(s, "maxmemory", static_cast<int64_t>(cfg.maxmemory));
    Line(s, "maxmemory_human", BytesToHuman(cfg.maxmemory));
    Line(s, "maxmemory_policy", cfg.maxmemory_policy);
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2f",
                  used == 0 ? 0.0 : static_cast<double>(rss) / static_cast<double>(used));
    Line(s, "mem_fragmentation_ratio", std::string(ratio));
    Line(s, "mem_allocator", std::string("libc"));
  } else if (section == "persistence") {
    s = "# Persistence\r\n" + e.persistence().InfoFields();  // persistence.cc
  } else if (section == "stats") {
    s = "# Stats\r\n";
    Line(s, "total_connections_received", static_cast<int64_t>(st.total_connections_received));
    Line(s, "total_commands_processed", static_cast<int64_t>(st.total_commands_processed));
    Line(s, "rejected_connections", static_cast<int64_t>(st.rejected_connections));
    Line(s, "expired_keys", static_cast<int64_t>(st.expired_keys));
    Line(s, "evicted_keys", static_cast<int64_t>(st.evicted_keys));
    Line(s, "keyspace_hits", static_cast<int64_t>(st.keyspace_hits));
    Line(s, "keyspace_misses", static_cast<int64_t>(st.keyspace_misses));
  } else if (section == "replication") {
    s = "# Replication\r\n";
    const Replication& repl = e.replication();
    Line(s, "role", std::string(repl.has_master() ? "slave" : "master"));
    if (repl.has_master()) ReplicaInfoLines(e, &s);
    Line(s, "connected_slaves", static_cast<int64_t>(repl.replica_count()));
    for (const std::string& line : repl.InfoLines(e.clock().NowMs())) s += line + "\r\n";
    Line(s, "master_failover_state", std::string("no-failover"));
    Line(s, "master_replid", repl.replid());
    Line(s, "master_replid2", std::string(40, '0'));
    Line(s, "master_repl_offset", repl.offset());
    Line(s, "second_repl_offset", int64_t{-1});
    Line(s, "repl_backlog_active", int64_t{0});
  } else if (section == "cpu") {
    s = "# CPU\r\n";
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(ru.ru_stime.tv_sec),
                  static_cast<long>(ru.ru_stime.tv_usec));
    Line(s, "used_cpu_sys", std::string(buf));
    std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(ru.ru_utime.tv_sec),
                  static_cast<long>(ru.ru_utime.tv_usec));
    Line(s, "used_cpu_user", std::string(buf));
  } else if (section == "cluster") {
    s = "# Cluster\r\n";
    Line(s, "cluster_enabled", 0);
  } else if (section == "keyspace") {
    s = "# Keyspace\r\n";
    for (int i = 0; i < e.num_dbs(); ++i) {
      Db& db = e.db(i);
      if (db.size() == 0) continue;
      // avg_ttl: Redis keeps a running estimate from active expiry; we report the mean now.
      int64_t ttl_sum = 0, ttl_n = 0;
      if (db.volatile_size() > 0 && db.volatile_size() <= 10000) {
        db.ForEach([&](std::string_view, const Db::Entry& entry) {
          if (entry.expire_ms > ctx.now_ms) {
            ttl_sum += entry.expire_ms - ctx.now_ms;
            ++ttl_n;
          }
        });
      }
      Line(s, "db" + std::to_string(i),
           "keys=" + std::to_string(db.size()) + ",expires=" + std::to_string(db.volatile_size()) +
               ",avg_ttl=" + std::to_string(ttl_n == 0 ? 0 : ttl_sum / ttl_n));
    }
  } else if (section == "latencystats") {
    s = "# Latencystats\r\n";
    if (ctx.engine.config().latency_tracking) {
      const Diagnostics& diagnostics = e.diagnostics();
      auto called = [&](const CommandSpec& c) { return diagnostics.histogram(c) != nullptr; };
      for (int id : e.commands().IdsByName(called)) {
        const CommandSpec& spec = e.commands().ById(id);
        const LatencyHistogram& h = *diagnostics.histogram(spec);
        std::string line;
        for (double p : ctx.engine.config().latency_tracking_info_percentiles) {
          char value[64];
          std::snprintf(value, sizeof(value), "%.3f",
                        static_cast<double>(h.ValueAtPercentile(p)) / 1000.0);
          line += (line.empty() ? "p" : ",p") + FormatPercentile(p) + "=" + value;
        }
        Line(s, "latency_percentiles_usec_" + spec.name, line);
      }
    }
  } else if (section == "commandstats") {
    s = "# Commandstats\r\n";
    auto counted = [&](const CommandSpec& c) {
      const size_t id = static_cast<size_t>(c.acl_id);
      if (id >= st.commands.size()) return false;
      const CommandStats& cs = st.commands[id];
      return cs.calls != 0 || cs.rejected_calls != 0 || cs.failed_calls != 0;
    };
    for (int id : e.commands().IdsByName(counted)) {
      const std::string& name = e.commands().ById(id).name;
      const CommandStats& cs = st.commands[static_cast<size_t>(id)];
      char per[64];
      std::snprintf(per, sizeof(per), "%.2f",
                    cs.calls == 0 ? 0.0 : static_cast<double>(cs.usec) / static_cast<double>(cs.calls));
      Line(s, "cmdstat_" + name,
           "calls=" + std::to_string(cs.calls) + ",usec=" + std::to_string(cs.usec) +
               ",usec_per_call=" + per + ",rejected_calls=" + std::to_string(cs.rejected_calls) +
               ",failed_calls=" + std::to_string(cs.failed_calls));
    }
  }
  return s;
}

void CmdInfo(CommandContext& ctx) {
  static constexpr std::string_view kDefault[] = {"server", "clients", "memory", "persistence",
                                                  "stats", "replication", "cpu", "cluster",
                                                  "keyspace"};
  std::vector<std::string> wanted;
  auto add = [&](std::string_view name) {
    if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) wanted.emplace_back(name);
  };
  if (ctx.argv.size() == 1) {
    for (std::string_view d : kDefault) add(d);
  }
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    std::string a = ToLower(ctx.argv[i]);
    if (a == "default") {
      for (std::string_view d : kDefault) add(d);
    } else if (a == "all" || a == "everything") {
      for (std::string_view d : kDefault) add(d);
      add("commandstats");
      add("latencystats");
    } else {
      add(a);
    }
  }
  std::string out;
  for (const std::string& name : wanted) {
    std::string sec = InfoSection(ctx, name);
    if (sec.empty()) continue;
    if (!out.empty()) out += "\r\n";
    out += sec;
  }
  ctx.reply.Bulk(out);
}

// ---------------------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------------------

// ACL categories in Redis's order (CommandSpec::acl_categories, set from command_meta.h).
std::vector<std::string> AclCategories(const CommandSpec& c) {
  std::vector<std::string> out;
  for (const AclCategoryName& cat : AclCategoryNames()) {
    if (c.acl_categories & cat.bit) out.push_back("@" + std::string(cat.name));
  }
  return out;
}

// {"type": type, "spec": {...}}, the spec's map of `pairs` entries to follow (RESP2: arrays).
void ReplyTypedSpec(CommandContext& ctx, std::string_view type, size_t pairs) {
  ctx.reply.Array(4);
  ctx.reply.Bulk("type");
  ctx.reply.Bulk(type);
  ctx.reply.Bulk("spec");
  ctx.reply.Array(pairs * 2);
}

// One key spec as Redis's addReplyCommandKeySpecs shows it: a map of notes (if any), flags,
// begin_search {type, spec} and find_keys {type, spec}.
void ReplyKeySpec(CommandContext& ctx, const RedisKeySpec& k) {
  ctx.reply.Array(k.notes.empty() ? 6 : 8);
  if (!k.notes.empty()) {
    ctx.reply.Bulk("notes");
    ctx.reply.Bulk(k.notes);
  }
  ctx.reply.Bulk("flags");
  auto flags = KeyFlagNames(k.flags);
  ctx.reply.Array(flags.size());
  for (std::string_view f : flags) ctx.reply.Status(f);
  ctx.reply.Bulk("begin_search");
  if (k.begin.type == KeyBegin::kIndex) {
    ReplyTypedSpec(ctx, "index", 1);
    ctx.reply.Bulk("index");
    ctx.reply.Integer(k.begin.index);
  } else if (k.begin.type == KeyBegin::kKeyword) {
    ReplyTypedSpec(ctx, "keyword", 2);
    ctx.reply.Bulk("keyword");
    ctx.reply.Bulk(k.begin.keyword);
    ctx.reply.Bulk("startfrom");
    ctx.reply.Integer(k.begin.startfrom);
  } else {
    ReplyTypedSpec(ctx, "unknown", 0);
  }
  ctx.reply.Bulk("find_keys");
  if (k.find.type == KeyFind::kUnknown) {
    ReplyTypedSpec(ctx, "unknown", 0);
    return;
  }
  const bool range = k.find.type == KeyFind::kRange;
  ReplyTypedSpec(ctx, range ? "range" : "keynum", 3);
  ctx.reply.Bulk(range ? "lastkey" : "keynumidx");
  ctx.reply.Integer(k.find.a);
  ctx.reply.Bulk(range ? "keystep" : "firstkey");
  ctx.reply.Integer(k.find.b);
  ctx.reply.Bulk(range ? "limit" : "keystep");
  ctx.reply.Integer(k.find.c);
}

// One COMMAND INFO entry (Redis 7: name, arity, flags, first, last, step, ACL categories, tips,
// key specs, subcommands). Tips and key specs are Redis 7.0.15's (command_meta_data.cc).
void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& c) {
  ctx.reply.Array(10);
  ctx.reply.Bulk(c.name);
  ctx.reply.Integer(c.arity);
  auto flags = c.FlagNames();
  ctx.reply.Array(flags.size());
  for (std::string_view f : flags) ctx.reply.Status(f);
  ctx.reply.Integer(c.first_key);
  ctx.reply.Integer(c.last_key);
  ctx.reply.Integer(c.key_step);
  auto cats = AclCategories(c);
  ctx.reply.Array(cats.size());
  for (const std::string& cat : cats) ctx.reply.Status(cat);
  const CommandMeta* meta = FindCommandMeta(c.name);
  ctx.reply.Array(meta == nullptr ? 0 : meta->tips.size());
  if (meta != nullptr) {
    for (std::string_view tip : meta->tips) ctx.reply.Bulk(tip);
  }
  ctx.reply.Array(meta == nullptr ? 0 : meta->key_specs.size());
  if (meta != nullptr) {
    for (const RedisKeySpec& k : meta->key_specs) ReplyKeySpec(ctx, k);
  }
  ctx.reply.Array(c.subcommands.size());
  for (const auto& [name, sub] : c.subcommands) ReplyCommandInfo(ctx, *sub);
}

// Redis's addReplyCommandFlags for a set of named bits: an array of status replies.
template <size_t N>
void ReplyFlagSet(CommandContext& ctx, uint32_t flags, const EnumName<uint32_t> (&names)[N]) {
  std::vector<std::string_view> set = SetBitNames(names, flags);
  ctx.reply.Array(set.size());
  for (std::string_view name : set) ctx.reply.Status(name);
}

// Each of `fields` whose value is not empty, as its name and its value: COMMAND DOCS leaves the
// empty ones out.
void ReplyNonEmptyFields(
    CommandContext& ctx,
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [field, value] : fields) {
    if (value.empty()) continue;
    ctx.reply.Bulk(field);
    ctx.reply.Bulk(value);
  }
}

// COMMAND DOCS's "arguments": Redis's addReplyCommandArgList.
void ReplyDocArgs(CommandContext& ctx, std::span<const DocArg> args) {
  static constexpr EnumName<uint32_t> kArgFlags[] = {
      {DocArg::kOptional, "optional"},
      {DocArg::kMultiple, "multiple"},
      {DocArg::kMultipleToken, "multiple_token"}};
  ctx.reply.Array(args.size());
  for (const DocArg& a : args) {
    const bool nested = a.type == "oneof" || a.type == "block";
    ctx.reply.Array(2 * (2 + (a.key_spec_index != -1) + !a.token.empty() + !a.summary.empty() +
                         !a.since.empty() + !a.deprecated_since.empty() + (a.flags != 0) +
                         nested));
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(a.name);
    ctx.reply.Bulk("type");
    ctx.reply.Bulk(a.type);
    if (a.key_spec_index != -1) {
      ctx.reply.Bulk("key_spec_index");
      ctx.reply.Integer(a.key_spec_index);
    }
    ReplyNonEmptyFields(ctx, {{"token", a.token},
                              {"summary", a.summary},
                              {"since", a.since},
                              {"deprecated_since", a.deprecated_since}});
    if (a.flags != 0) {
      ctx.reply.Bulk("flags");
      ReplyFlagSet(ctx, a.flags, kArgFlags);
    }
    if (nested) {
      ctx.reply.Bulk("arguments");
      ReplyDocArgs(ctx, a.subargs);
    }
  }
}

// One COMMAND DOCS entry as Redis's addReplyCommandDocs: Redis 7.0.15's own docs for the command
// (command_docs_data.cc), and the subcommands this engine has.
void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& c) {
  static constexpr EnumName<uint32_t> kDocFlags[] = {
      {CommandDoc::kDeprecated, "deprecated"}, {CommandDoc::kSyscmd, "syscmd"}};
  const CommandDoc* d = FindCommandDoc(c.name);
  CommandDoc own{.name = c.name, .summary = c.summary, .complexity = c.complexity,
                 .since = c.since, .group = c.group};
  if (d == nullptr) d = &own;  // not a Redis 7.0 command: its registered DocStrings
  ctx.reply.Array(2 * (1 + !d->summary.empty() + !d->since.empty() + !d->complexity.empty() +
                       (d->doc_flags != 0) + !d->deprecated_since.empty() +
                       !d->replaced_by.empty() + !d->history.empty() + !d->args.empty() +
                       !c.subcommands.empty()));
  ReplyNonEmptyFields(ctx, {{"summary", d->summary}, {"since", d->since}});
  ctx.reply.Bulk("group");  // always present
  ctx.reply.Bulk(d->group);
  ReplyNonEmptyFields(ctx, {{"complexity", d->complexity}});
  if (d->doc_flags != 0) {
    ctx.reply.Bulk("doc_flags");
    ReplyFlagSet(ctx, d->doc_flags, kDocFlags);
  }
  ReplyNonEmptyFields(ctx,
                      {{"deprecated_since", d->deprecated_since}, {"replaced_by", d->replaced_by}});
  if (!d->history.empty()) {
    ctx.reply.Bulk("history");
    ctx.reply.Array(d->history.size());
    for (const DocHistory& h : d->history) {
      ctx.reply.Array(2);
      ctx.reply.Bulk(h.version);
      ctx.reply.Bulk(h.change);
    }
  }
  if (!d->args.empty()) {
    ctx.reply.Bulk("arguments");
    ReplyDocArgs(ctx, d->args);
  }
  if (!c.subcommands.empty()) {
    ctx.reply.Bulk("subcommands");
    ctx.reply.Array(c.subcommands.size() * 2);
    for (const auto& [name, sub] : c.subcommands) {
      ctx.reply.Bulk(sub->name);
      ReplyCommandDocs(ctx, *sub);
    }
  }
}

// All commands sorted by name, so replies do not depend on hash-table order.
std::vector<const CommandSpec*> SortedCommands(const CommandTable& t) {
  std::vector<const CommandSpec*> out;
  for (const auto& [name, spec] : t.all()) out.push_back(spec.get());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

void CmdCommand(CommandContext& ctx) {  // COMMAND with no subcommand: every command's info
  auto all = SortedCommands(ctx.engine.commands());
  ctx.reply.Array(all.size());
  for (const CommandSpec* c : all) ReplyCommandInfo(ctx, *c);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.commands().size()));
}

void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.argv.size() == 2) return CmdCommand(ctx);
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const CommandSpec* c = LookupCommandByFullName(ctx.engine.commands(), ctx.argv[i]);
    if (c == nullptr) {
      ctx.reply.NullArray();
    } else {
      ReplyCommandInfo(ctx, *c);
    }
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argv.size() == 2) {
    specs = SortedCommands(ctx.engine.commands());
  } else {
    for (size_t i = 2; i < ctx.argv.size(); ++i) {
      const CommandSpec* c = LookupCommandByFullName(ctx.engine.commands(), ctx.argv[i]);
      if (c != nullptr) specs.push_back(c);  // unknown names are left out, as Redis does
    }
  }
  ctx.reply.Array(specs.size() * 2);
  for (const CommandSpec* c : specs) {
    ctx.reply.Bulk(c->name);
    ReplyCommandDocs(ctx, *c);
  }
}

// COMMAND LIST [FILTERBY PATTERN p]. Partial: FILTERBY MODULE and ACLCAT are not supported.
void CmdCommandList(CommandContext& ctx) {
  std::string_view pattern = "*";
  if (ctx.argv.size() == 5 && ArgIs(ctx.argv[2], "filterby") && ArgIs(ctx.argv[3], "pattern")) {
    pattern = ctx.argv[4];
  } else if (ctx.argv.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<std::string> names;
  for (const CommandSpec* c : SortedCommands(ctx.engine.commands())) {
    if (GlobMatch(pattern, c->name, true)) names.push_back(c->name);
    for (const auto& [n, sub] : c->subcommands) {
      if (GlobMatch(pattern, sub->name, true)) names.push_back(sub->name);
    }
  }
  ctx.reply.Array(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void CmdCommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.",
             "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.",
             "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned."});
}

// ---------------------------------------------------------------------------------------------
// TIME, SHUTDOWN, MEMORY
// ---------------------------------------------------------------------------------------------

void CmdTime(CommandContext& ctx) {
  int64_t us = ctx.engine.clock().NowUs();
  ctx.reply.Array(2);
  ctx.reply.Bulk(FormatInt(us / 1'000'000));
  ctx.reply.Bulk(FormatInt(us % 1'000'000));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success there is no reply: the connection
// closes as the server stops.
void CmdShutdown(CommandContext& ctx) {
  bool nosave = false, save = false, abort = false, other = false;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    std::string_view a = ctx.argv[i];
    if (ArgIs(a, "nosave")) nosave = true;
    else if (ArgIs(a, "save")) save = true;
    else if (ArgIs(a, "now") || ArgIs(a, "force")) other = true;
    else if (ArgIs(a, "abort")) abort = true;
    else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (abort) {
    ctx.reply.Error(errors::kNoShutdownInProgress);
    return;
  }
  if (RunningScript* run = ctx.engine.running_script(); run != nullptr && run->timed_out) {
    // A runaway script (scripting.h): only SHUTDOWN NOSAVE may end the server, and it stops the
    // script even if it has written.
    if (!nosave) {
      ctx.reply.Error(run->eval ? errors::kBusyScript : errors::kBusyFunction);
      return;
    }
    run->kill = true;
    run->shutdown = true;
  }
  if (!ctx.engine.on_shutdown) {
    ctx.reply.Error(errors::kShutdownFailed);
    return;
  }
  // Without SAVE or NOSAVE, Redis snapshots only when save points are configured.
  ctx.engine.on_shutdown(nosave || (!save && ctx.engine.config().save.empty()));
  ctx.client.close_after_reply = true;
}

void CmdMemoryContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "MEMORY"); }

// MEMORY USAGE key [SAMPLES n]: the value's allocations plus the key and its table entry, exactly
// (SAMPLES is accepted and ignored: nothing is sampled).
void CmdMemoryUsage(CommandContext& ctx) {
  if (ctx.argv.size() != 3) {
    if (ctx.argv.size() != 5 || !ArgIs(ctx.argv[3], "samples")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    int64_t samples;
    if (!ArgInt64(ctx, 4, &samples)) return;
    if (samples < 0) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (ctx.db.Find(ctx.argv[2]) == nullptr) {  // expires it if due
    ctx.reply.Null();
    return;
  }
  // The same measurement INFO memory and maxmemory use: the key's charge in allocator sizes.
  const Db::Entry* entry = ctx.db.Peek(ctx.argv[2]);
  ctx.reply.Integer(static_cast<int64_t>(Db::KeyBytes(*entry)));
}

void CmdMemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "MEMORY",
            {"USAGE <key> [SAMPLES <count>]",
             "    Return memory in bytes used by <key> and its value. Nested values are",
             "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

}  // namespace

void RegisterServerFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  reg.Add("info", -1, kCmdLoading | kCmdStale, {}, CmdInfo);
  reg.Add("time", 1, kCmdLoading | kCmdStale | kCmdFast, {}, CmdTime);
  reg.Add("shutdown", -1, kCmdServerAdmin | kCmdNoMulti | kCmdAllowBusy, {}, CmdShutdown);

  reg.Add("config", -2, 0, {}, CmdConfigContainer);
  reg.Sub("config", "get", -3, kCmdServerAdmin, {}, CmdConfigGet);
  reg.Sub("config", "set", -4, kCmdServerAdmin, {}, CmdConfigSet);
  reg.Sub("config", "resetstat", 2, kCmdServerAdmin, {}, CmdConfigResetStat);
  reg.Sub("config", "help", 2, kCmdLoading | kCmdStale, {}, CmdConfigHelp);

  reg.Add("command", -1, kCmdLoading | kCmdStale, {}, CmdCommand);
  reg.Sub("command", "count", 2, kCmdLoading | kCmdStale, {}, CmdCommandCount);
  reg.Sub("command", "info", -2, kCmdLoading | kCmdStale, {}, CmdCommandInfo);
  reg.Sub("command", "docs", -2, kCmdLoading | kCmdStale, {}, CmdCommandDocs);
  reg.Sub("command", "list", -2, kCmdLoading | kCmdStale, {}, CmdCommandList);
  reg.Sub("command", "help", 2, kCmdLoading | kCmdStale, {}, CmdCommandHelp);

  reg.Add("memory", -2, 0, {}, CmdMemoryContainer);
  reg.Sub("memory", "usage", -3, kCmdReadOnly, {2, 2, 1}, CmdMemoryUsage);
  reg.Sub("memory", "help", 2, kCmdLoading | kCmdStale, {}, CmdMemoryHelp);
}

}  // namespace racetrack::engine

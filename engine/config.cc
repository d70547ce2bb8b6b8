// The server-config table. Each option is built by a small typed helper (IntOption, MemoryOption,
// ...) that knows how to parse, range-check and print its type, so an entry is one line of data
// and every path that sets a value goes through the same parse and the same error text.
#include "engine/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "engine/diagnostics.h"
#include "engine/errors.h"
#include "engine/notify.h"
#include "engine/resp.h"
#include "engine/ds/util.h"

namespace racetrack::engine {
namespace {

using Type = ConfigOption::Type;

std::string RangeError(int64_t min, int64_t max) {
  return std::string(errors::kConfigRangePrefix) + FormatInt(min) + " and " + FormatInt(max) +
         " inclusive";
}

// An integer field; a value in [min, max] is accepted and then clamped into [clamp_min,
// clamp_max] as Redis clamps hz into 1..500.
template <typename T>
ConfigOption IntOption(std::string_view name, T EngineConfig::*field, int64_t min, int64_t max,
                       std::string_view help, bool runtime = true, int64_t clamp_min = INT64_MIN,
                       int64_t clamp_max = INT64_MAX) {
  ConfigOption o{
      .name = name, .type = Type::kInt, .min = min, .max = max, .runtime = runtime, .help = help};
  o.get = [field](const EngineConfig& c) { return FormatInt(static_cast<int64_t>(c.*field)); };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    int64_t n;
    if (!ParseInt64(v, &n)) return std::string(errors::kConfigNotInteger);
    if (n < min || n > max) return RangeError(min, max);
    if (apply) c.*field = static_cast<T>(std::clamp(n, clamp_min, clamp_max));
    return "";
  };
  return o;
}

template <typename T>
ConfigOption MemoryOption(std::string_view name, T EngineConfig::*field, int64_t min,
                          std::string_view help) {
  ConfigOption o{.name = name, .type = Type::kMemory, .min = min, .max = INT64_MAX, .help = help};
  o.get = [field](const EngineConfig& c) { return FormatInt(static_cast<int64_t>(c.*field)); };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    int64_t n;
    if (!ParseMemory(v, &n)) return std::string(errors::kConfigNotMemory);
    if (n < min) return RangeError(min, INT64_MAX);
    if (apply) c.*field = static_cast<T>(n);
    return "";
  };
  return o;
}

// A compact-encoding threshold (engine/ds/limits.h): stored in EngineConfig::encoding and, when
// applied, in the process-wide Limits() the data structures read. `memory`: the value accepts
// units ("1kb") as Redis's *-max-listpack-value settings do.
template <typename T>
ConfigOption EncodingOption(std::string_view name, std::string_view alias,
                            T EncodingLimits::*field, int64_t min, int64_t max, bool memory,
                            std::string_view help) {
  ConfigOption o{.name = name,
                 .aliases = {},
                 .type = memory ? Type::kMemory : Type::kInt,
                 .min = min,
                 .max = max,
                 .help = help};
  if (!alias.empty()) o.aliases = {alias};
  o.get = [field](const EngineConfig& c) {
    return FormatInt(static_cast<int64_t>(c.encoding.*field));
  };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    int64_t n;
    if (memory ? !ParseMemory(v, &n) : !ParseInt64(v, &n)) {
      return std::string(memory ? errors::kConfigNotMemory : errors::kConfigNotInteger);
    }
    if (n < min || n > max) return RangeError(min, max);
    if (apply) {
      c.encoding.*field = static_cast<T>(n);
      Limits() = c.encoding;
    }
    return "";
  };
  return o;
}

ConfigOption BoolOption(std::string_view name, bool EngineConfig::*field, std::string_view help) {
  ConfigOption o{.name = name, .type = Type::kBool, .help = help};
  o.get = [field](const EngineConfig& c) { return std::string(c.*field ? "yes" : "no"); };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    if (!EqualsIgnoreCase(v, "yes") && !EqualsIgnoreCase(v, "no")) {
      return std::string(errors::kConfigYesNo);
    }
    if (apply) c.*field = EqualsIgnoreCase(v, "yes");
    return "";
  };
  return o;
}

ConfigOption EnumOption(std::string_view name, std::string EngineConfig::*field,
                        std::vector<std::string_view> choices, std::string_view help) {
  ConfigOption o{.name = name, .type = Type::kEnum, .choices = choices, .help = help};
  o.get = [field](const EngineConfig& c) { return c.*field; };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    for (std::string_view a : choices) {
      if (EqualsIgnoreCase(a, v)) {
        if (apply) c.*field = std::string(a);
        return "";
      }
    }
    std::string list;
    for (std::string_view a : choices) list += (list.empty() ? "" : ", ") + std::string(a);
    return std::string(errors::kConfigChoicePrefix) + list;
  };
  return o;
}

// A string field; `check` (may be null) returns "" or the error text for a bad value.
ConfigOption StringOption(std::string_view name, std::string EngineConfig::*field,
                          std::string_view help, bool runtime = true,
                          std::string (*check)(std::string_view) = nullptr) {
  ConfigOption o{.name = name, .type = Type::kString, .runtime = runtime, .help = help};
  o.get = [field](const EngineConfig& c) { return c.*field; };
  o.set = [=](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    if (check != nullptr) {
      std::string err = check(v);
      if (!err.empty()) return err;
    }
    if (apply) c.*field = std::string(v);
    return "";
  };
  return o;
}

// "save 3600 1 300 100": pairs of non-negative integers, or "" for no snapshots.
std::string CheckSaveRules(std::string_view v) {
  std::vector<std::string> words;
  if (!SplitArgs(v, &words) || words.size() % 2 != 0)
    return std::string(errors::kConfigInvalidSave);
  for (const std::string& w : words) {
    int64_t n;
    if (!ParseInt64(w, &n) || n < 0) return std::string(errors::kConfigInvalidSave);
  }
  return "";
}

ConfigOption SaveOption() {
  ConfigOption o = StringOption("save", &EngineConfig::save,
                                "snapshot rules: \"SECONDS CHANGES ...\", \"\" disables",
                                /*runtime=*/true, CheckSaveRules);
  o.multi_word = true;
  return o;
}

// "client-output-buffer-limit pubsub 32mb 8mb 60 [normal ...] [replica ...]": every class is
// stored (GET shows them as Redis does); the server enforces pubsub and normal (there are no
// replicas). Parsing is ApplyOutputBufferLimits (engine.h); the checks here only pick Redis's
// error text for what is wrong.
ConfigOption OutputBufferLimitOption() {
  ConfigOption o{.name = "client-output-buffer-limit",
                 .type = Type::kList,
                 .multi_word = true,
                 .help = "\"CLASS HARD SOFT SECONDS\"... for classes normal, replica, pubsub"};
  o.get = [](const EngineConfig& c) {
    auto cls = [](const char* name, int64_t hard, int64_t soft, int64_t secs) {
      return std::string(name) + " " + FormatInt(hard) + " " + FormatInt(soft) + " " +
             FormatInt(secs);
    };
    return cls("normal", c.normal_output_hard_limit, c.normal_output_soft_limit,
               c.normal_output_soft_seconds) +
           " " +
           cls("slave", c.replica_output_hard_limit, c.replica_output_soft_limit,
               c.replica_output_soft_seconds) +
           " " +
           cls("pubsub", c.pubsub_output_hard_limit, c.pubsub_output_soft_limit,
               c.pubsub_output_soft_seconds);
  };
  o.set = [](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    std::vector<std::string> words;
    if (!SplitArgs(v, &words) || words.empty() || words.size() % 4 != 0) {
      return std::string(errors::kConfigBufferLimitArity);
    }
    for (size_t i = 0; i < words.size(); i += 4) {
      const std::string cls = ToLower(words[i]);
      if (cls != "normal" && cls != "replica" && cls != "slave" && cls != "pubsub") {
        return std::string(errors::kConfigBufferLimitClass);
      }
    }
    EngineConfig probe = c;  // validate on a copy; apply only a fully valid value
    if (!ApplyOutputBufferLimits(&probe, v)) return std::string(errors::kConfigBufferLimitValue);
    if (apply) c = probe;
    return "";
  };
  return o;
}

// "notify-keyspace-events KEA": the classes of keyspace events (notify.h), shown as Redis
// shows them ("AKE" for "KEA").
ConfigOption NotifyKeyspaceEventsOption() {
  ConfigOption o{.name = "notify-keyspace-events",
                 .type = Type::kString,
                 .help = "keyspace event classes published (K E g $ l s h z x e t m d n A)"};
  o.get = [](const EngineConfig& c) { return FormatNotifyFlags(c.notify_keyspace_events); };
  o.set = [](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    int flags = ParseNotifyFlags(v);
    if (flags < 0) return std::string(errors::kConfigNotifyClass);
    if (apply) c.notify_keyspace_events = flags;
    return "";
  };
  return o;
}

// "50 99 99.9": INFO latencystats's percentiles, each in [0, 100]; "" for none.
ConfigOption PercentilesOption() {
  ConfigOption o{.name = "latency-tracking-info-percentiles",
                 .type = Type::kList,
                 .multi_word = true,
                 .help = "percentiles INFO latencystats prints, e.g. \"50 99 99.9\""};
  o.get = [](const EngineConfig& c) {
    std::string out;
    for (double p : c.latency_tracking_info_percentiles) {
      out += (out.empty() ? "" : " ") + FormatPercentile(p);
    }
    return out;
  };
  o.set = [](EngineConfig& c, std::string_view v, bool apply) -> std::string {
    std::vector<std::string> words;
    if (!SplitArgs(v, &words)) return std::string(errors::kConfigPercentilesInvalid);
    std::vector<double> ps;
    if (!(words.size() == 1 && words[0].empty())) {
      for (const std::string& w : words) {
        double p;
        if (!ParseDouble(w, &p)) return std::string(errors::kConfigPercentilesInvalid);
        if (p > 100.0 || p < 0.0) return std::string(errors::kConfigPercentilesRange);
        ps.push_back(p);
      }
    }
    if (apply) c.latency_tracking_info_percentiles = std::move(ps);
    return "";
  };
  return o;
}

std::vector<ConfigOption> BuildTable() {
  std::vector<ConfigOption> t = {
      IntOption("port", &EngineConfig::port, 0, 65535, "TCP port to listen on (0 picks a free one)",
                /*runtime=*/false),
      StringOption("bind", &EngineConfig::bind, "address to listen on", /*runtime=*/false),
      StringOption("requirepass", &EngineConfig::requirepass, "password clients must AUTH with"),
      IntOption("maxclients", &EngineConfig::maxclients, 1, 4294967295LL,
                "maximum simultaneous clients"),
      IntOption("timeout", &EngineConfig::timeout, 0, INT32_MAX,
                "close a client idle for this many seconds (0: never; not blocked or "
                "subscribed clients)"),
      IntOption("databases", &EngineConfig::databases, 1, 1'000'000,
                "number of databases for SELECT", /*runtime=*/false),
      IntOption("hz", &EngineConfig::hz, 0, INT32_MAX,
                "housekeeping runs per second: active expiry etc. (applied clamped to 1..500)",
                /*runtime=*/true, 1, 500),
      MemoryOption("proto-max-bulk-len", &EngineConfig::proto_max_bulk_len, 1024 * 1024,
                   "largest bulk string accepted"),
      MemoryOption("client-query-buffer-limit", &EngineConfig::client_query_buffer_limit,
                   1024 * 1024, "largest unparsed input per client"),
      MemoryOption("maxmemory", &EngineConfig::maxmemory, 0, "memory limit, e.g. 100mb; 0 = none"),
      EnumOption("maxmemory-policy", &EngineConfig::maxmemory_policy,
                 {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                  "allkeys-lfu", "allkeys-random", "noeviction"},
                 "what to evict at maxmemory"),
      IntOption("maxmemory-samples", &EngineConfig::maxmemory_samples, 1, INT32_MAX,
                "keys sampled per eviction"),
      IntOption("busy-reply-threshold", &EngineConfig::lua_time_limit_ms, 0, INT64_MAX,
                "milliseconds before a running script may be stopped"),
      MemoryOption("hll-sparse-max-bytes", &EngineConfig::hll_sparse_max_bytes, 0,
                   "sparse HyperLogLog strings grow up to this, then go dense"),
      BoolOption("appendonly", &EngineConfig::appendonly, "yes|no: append-only log"),
      EnumOption("appendfsync", &EngineConfig::appendfsync, {"everysec", "always", "no"},
                 "when the append-only log is fsynced"),
      StringOption("appendfilename", &EngineConfig::appendfilename, "append-only log file name",
                   /*runtime=*/false),
      StringOption("dir", &EngineConfig::dir, "working directory for persistence files"),
      StringOption("dbfilename", &EngineConfig::dbfilename, "snapshot file name"),
      SaveOption(),
      OutputBufferLimitOption(),
      BoolOption("protected-mode", &EngineConfig::protected_mode,
                 "yes|no: while `default` has no password, accept only loopback clients"),
      IntOption("slowlog-log-slower-than", &EngineConfig::slowlog_log_slower_than, -1, INT64_MAX,
                "microseconds a command must take to enter the slow log (-1: off)"),
      IntOption("slowlog-max-len", &EngineConfig::slowlog_max_len, 0, INT64_MAX,
                "slow log entries kept"),
      IntOption("latency-monitor-threshold", &EngineConfig::latency_monitor_threshold, 0,
                INT64_MAX, "milliseconds a command must take to become a latency sample (0: off)"),
      NotifyKeyspaceEventsOption(),
      BoolOption("latency-tracking", &EngineConfig::latency_tracking,
                 "yes|no: per-command latency histograms (LATENCY HISTOGRAM)"),
      PercentilesOption(),
      EnumOption("acl-pubsub-default", &EngineConfig::acl_pubsub_default,
                 {"allchannels", "resetchannels"}, "channels new ACL users start with"),
      IntOption("acllog-max-len", &EngineConfig::acllog_max_len, 0, INT64_MAX,
                "ACL LOG entries kept"),
      StringOption("aclfile", &EngineConfig::aclfile,
                   "ACL users file (ACL LOAD / SAVE), loaded at startup", /*runtime=*/false),
      EncodingOption("hash-max-listpack-entries", "hash-max-ziplist-entries",
                     &EncodingLimits::hash_max_listpack_entries, 0, INT64_MAX, false,
                     "a hash with more fields converts from listpack to hashtable"),
      EncodingOption("hash-max-listpack-value", "hash-max-ziplist-value",
                     &EncodingLimits::hash_max_listpack_value, 0, INT64_MAX, true,
                     "a hash with a longer field or value converts to hashtable"),
      EncodingOption("zset-max-listpack-entries", "zset-max-ziplist-entries",
                     &EncodingLimits::zset_max_listpack_entries, 0, INT64_MAX, false,
                     "a sorted set with more members converts from listpack to skiplist"),
      EncodingOption("zset-max-listpack-value", "zset-max-ziplist-value",
                     &EncodingLimits::zset_max_listpack_value, 0, INT64_MAX, true,
                     "a sorted set with a longer member converts to skiplist"),
      EncodingOption("set-max-intset-entries", "", &EncodingLimits::set_max_intset_entries, 0,
                     INT64_MAX, false, "an integer set with more members converts to hashtable"),
      EncodingOption("list-max-listpack-size", "list-max-ziplist-size",
                     &EncodingLimits::list_max_listpack_size, INT32_MIN, INT32_MAX, false,
                     "list node size: -1..-5 = 4..64 KB per node, N > 0 = N entries per node"),
      EncodingOption("stream-node-max-entries", "", &EncodingLimits::stream_node_max_entries, 0,
                     INT64_MAX, false,
                     "entries per stream node (0: no limit); XADD/XTRIM `~` trims whole nodes"),
      IntOption("repl-ping-replica-period", &EngineConfig::repl_ping_replica_period, 1, INT32_MAX,
                "seconds between the PINGs sent down a replication stream (SYNC)"),
      IntOption("min-replicas-to-write", &EngineConfig::min_replicas_to_write, 0, INT32_MAX,
                "writes are refused (NOREPLICAS) with fewer replicas attached (0: off)"),
      IntOption("min-replicas-max-lag", &EngineConfig::min_replicas_max_lag, 0, INT32_MAX,
                "a replica counts for min-replicas-to-write within this many seconds"),
      // Accepted for Redis's configs and test suite; they change nothing here (engine.h).
      IntOption("list-compress-depth", &EngineConfig::list_compress_depth, 0, INT32_MAX,
                "accepted, no effect: lists are not compressed"),
      BoolOption("aof-use-rdb-preamble", &EngineConfig::aof_use_rdb_preamble,
                 "accepted, no effect: rewrites write racetrack's snapshot format"),
      IntOption("rdb-key-save-delay", &EngineConfig::rdb_key_save_delay, INT32_MIN, INT32_MAX,
                "accepted, no effect"),
      EnumOption("sanitize-dump-payload", &EngineConfig::sanitize_dump_payload,
                 {"no", "yes", "clients"}, "accepted, no effect: RESTORE payloads are checked"),
      BoolOption("replica-read-only", &EngineConfig::replica_read_only,
                 "accepted, no effect: this server is never a replica"),
      BoolOption("replica-serve-stale-data", &EngineConfig::replica_serve_stale_data,
                 "accepted, no effect: this server is never a replica"),
  };
  // Older names Redis still accepts for the same settings.
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"busy-reply-threshold", "lua-time-limit"},
      {"repl-ping-replica-period", "repl-ping-slave-period"},
      {"min-replicas-to-write", "min-slaves-to-write"},
      {"min-replicas-max-lag", "min-slaves-max-lag"},
      {"replica-read-only", "slave-read-only"},
      {"replica-serve-stale-data", "slave-serve-stale-data"},
  };
  for (ConfigOption& o : t) {
    for (const auto& [name, alias] : kAliases) {
      if (o.name == name) o.aliases = {alias};
    }
  }
  return t;
}

}  // namespace

const std::vector<ConfigOption>& ConfigOptions() {
  // Built once; read-only afterwards (a function-local constant, not mutable global state).
  static const std::vector<ConfigOption> kTable = BuildTable();
  return kTable;
}

const ConfigOption* FindConfigOption(std::string_view name) {
  for (const ConfigOption& o : ConfigOptions()) {
    if (EqualsIgnoreCase(o.name, name)) return &o;
    for (std::string_view a : o.aliases) {
      if (EqualsIgnoreCase(a, name)) return &o;
    }
  }
  return nullptr;
}

bool ParseMemory(std::string_view s, int64_t* out) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024LL * 1024 * 1024},
      {"k", 1000},  {"m", 1000 * 1000},  {"g", 1000LL * 1000 * 1000},
      {"b", 1},
  };
  const std::string lower = ToLower(s);
  std::string_view digits = lower;
  int64_t mul = 1;
  for (const auto& [suffix, m] : kUnits) {
    if (digits.ends_with(suffix)) {
      digits.remove_suffix(suffix.size());
      mul = m;
      break;
    }
  }
  int64_t v;
  // ParseInt64 rejects "", signs other than '-', spaces and overflow; the multiply is checked.
  if (!ParseInt64(digits, &v) || v < 0 || v > INT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

Status ApplyConfigSetting(EngineConfig* config, std::string_view name,
                          const std::vector<std::string>& values) {
  const ConfigOption* o = FindConfigOption(name);
  if (o == nullptr || values.empty() || (values.size() > 1 && !o->multi_word)) {
    return Status::InvalidArgument(std::string(errors::kConfigBadDirective) + ": '" +
                                   std::string(name) + "'");
  }
  std::string value;
  for (const std::string& v : values) value += (value.empty() ? "" : " ") + v;
  std::string err = o->set(*config, value, /*apply=*/false);
  if (err.empty()) err = o->set(*config, value, /*apply=*/true);
  if (!err.empty()) {
    return Status::InvalidArgument("'" + std::string(name) + " " + value + "': " + err);
  }
  return Status::Ok();
}

Status LoadConfigFile(const std::string& path, EngineConfig* config) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read config file " + path + ": " + strerror(errno));
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    std::vector<std::string> words;
    if (!SplitArgs(line, &words)) return Status::InvalidArgument(where + "unbalanced quotes");
    if (words.empty() || words[0][0] == '#') continue;
    std::vector<std::string> values(words.begin() + 1, words.end());
    Status s = ApplyConfigSetting(config, words[0], values);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
  }
  return Status::Ok();
}

// "pubsub 32mb 8mb 60" (classes may follow each other: "normal 0 0 0 pubsub 1mb 512kb 60").
bool ApplyOutputBufferLimits(EngineConfig* config, std::string_view value) {
  std::vector<std::string> words;
  if (!SplitArgs(value, &words) || words.empty() || words.size() % 4 != 0) return false;
  EngineConfig out = *config;
  for (size_t i = 0; i < words.size(); i += 4) {
    int64_t hard, soft, secs;
    if (!ParseMemory(words[i + 1], &hard) || !ParseMemory(words[i + 2], &soft) ||
        !ParseInt64(words[i + 3], &secs) || hard < 0 || soft < 0 || secs < 0) {
      return false;
    }
    const std::string cls = ToLower(words[i]);
    if (cls == "pubsub") {
      out.pubsub_output_hard_limit = hard;
      out.pubsub_output_soft_limit = soft;
      out.pubsub_output_soft_seconds = secs;
    } else if (cls == "normal") {
      out.normal_output_hard_limit = hard;
      out.normal_output_soft_limit = soft;
      out.normal_output_soft_seconds = secs;
    } else if (cls == "replica" || cls == "slave") {
      out.replica_output_hard_limit = hard;
      out.replica_output_soft_limit = soft;
      out.replica_output_soft_seconds = secs;
    } else {
      return false;
    }
  }
  *config = out;
  return true;
}

}  // namespace racetrack::engine

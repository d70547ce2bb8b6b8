// SLOWLOG, LATENCY, MONITOR and COMMAND GETKEYS / GETKEYSANDFLAGS, with the recording behind the
// first three (diagnostics.h).
#include "engine/diagnostics.h"

#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/command_meta.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

constexpr size_t kSlowlogMaxArgc = 32;     // SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kSlowlogMaxString = 128;  // SLOWLOG_ENTRY_MAX_STRING

// Arguments Redis redacts before they can reach the slow log or a monitor: passwords of AUTH,
// HELLO ... AUTH and every rule of ACL SETUSER.
bool Redacted(const CommandSpec& spec, Args argv, size_t j) {
  if (spec.name == "auth") return j >= 1;
  if (spec.name == "acl|setuser") return j >= 2;
  if (spec.name == "hello") {
    for (size_t k = 2; k + 2 < argv.size() && k < j; ++k) {
      if (ArgIs(argv[k], "auth") && (j == k + 1 || j == k + 2)) return true;
    }
  }
  return false;
}

// Redis's sdscatrepr: a double-quoted string with C escapes, \xHH for what is not printable.
void AppendRepr(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    switch (ch) {
      case '\\':
      case '"':
        out += '\\';
        out += ch;
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (std::isprint(static_cast<unsigned char>(ch))) {
          out += ch;
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(ch));
          out += buf;
        }
    }
  }
  out += '"';
}

// EVAL and friends feed monitors before they run, so a script's own commands follow it.
bool IsScriptRun(const CommandSpec& spec) {
  return spec.name == "eval" || spec.name == "evalsha" || spec.name == "eval_ro" ||
         spec.name == "evalsha_ro" || spec.name == "fcall" || spec.name == "fcall_ro";
}

// hdr's index arithmetic for lowest value 1, two significant digits: sub_bucket_count 256 (half
// 128, magnitude 7), unit magnitude 0 (deps/hdr_histogram/hdr_histogram.c).
constexpr int kHdrHalfMagnitude = 7;
constexpr int64_t kHdrHalfCount = 128;
constexpr int64_t kHdrSubBucketMask = 255;
// Buckets needed to reach kMaxNs: 256·2^(n-1) > 10^9 → n = 23, so 24 × 128 indexes.
constexpr int32_t kHdrCountsLen = 24 * 128;

int HdrBucketIndex(int64_t v) {
  return 64 - __builtin_clzll(static_cast<uint64_t>(v | kHdrSubBucketMask)) -
         (kHdrHalfMagnitude + 1);
}

int32_t HdrCountsIndex(int64_t v) {
  const int b = HdrBucketIndex(v);
  const int64_t sub = v >> b;
  return static_cast<int32_t>(((static_cast<int64_t>(b) + 1) << kHdrHalfMagnitude) +
                              (sub - kHdrHalfCount));
}

int64_t HdrValueAtIndex(int32_t index) {
  int b = (index >> kHdrHalfMagnitude) - 1;
  int64_t sub = (index & (kHdrHalfCount - 1)) + kHdrHalfCount;
  if (b < 0) {
    sub -= kHdrHalfCount;
    b = 0;
  }
  return sub << b;
}

int64_t HdrLowestEquivalent(int64_t v) {
  const int b = HdrBucketIndex(v);
  return (v >> b) << b;
}

int64_t HdrHighestEquivalent(int64_t v) {
  const int b = HdrBucketIndex(v);
  const int64_t sub = v >> b;
  const int size_shift = sub >= 2 * kHdrHalfCount ? b + 1 : b;
  return HdrLowestEquivalent(v) + (int64_t{1} << size_shift) - 1;
}

}  // namespace

void LatencyHistogram::Record(int64_t duration_us) {
  const int64_t ns = std::clamp(duration_us * 1000, kMinNs, kMaxNs);
  ++counts_[HdrCountsIndex(ns)];
  ++total_;
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::CumulativeUs() const {
  // hdr_iter_log_init(h, 1024, 2) as Redis's fillCommandCDF walks it: step k stops at the index of
  // 1024·2^k ns (its lowest equivalent) with every count up to that index included, and reports
  // that index's highest equivalent value. A step past the last index reports the last one.
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t cumulative = 0, previous = 0;
  auto it = counts_.begin();
  for (int64_t level = 1024; cumulative < total_; level *= 2) {
    int32_t stop = HdrCountsIndex(HdrLowestEquivalent(level));
    if (stop >= kHdrCountsLen) stop = kHdrCountsLen - 1;
    while (it != counts_.end() && it->first <= stop) cumulative += (it++)->second;
    if (cumulative > previous) {
      out.emplace_back(HdrHighestEquivalent(HdrValueAtIndex(stop)) / 1000,
                       static_cast<uint64_t>(cumulative));
    }
    previous = cumulative;
  }
  return out;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double p = std::min(percentile, 100.0);
  int64_t wanted = static_cast<int64_t>((p / 100) * static_cast<double>(total_) + 0.5);
  wanted = std::max<int64_t>(wanted, 1);
  uint64_t cumulative = 0;
  int64_t value = 0;
  for (const auto& [index, count] : counts_) {
    cumulative += count;
    if (static_cast<int64_t>(cumulative) >= wanted) {
      value = HdrValueAtIndex(index);
      break;
    }
  }
  return percentile == 0.0 ? HdrLowestEquivalent(value) : HdrHighestEquivalent(value);
}

std::string FormatPercentile(double p) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%f", p);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {  // Redis's trimDoubleString
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

void Diagnostics::BeforeCall(const ClientState& client, const CommandSpec& spec, Args argv) {
  if (!monitors_.empty() && IsScriptRun(spec)) FeedMonitors(client, spec, argv);
}

void Diagnostics::AfterCall(Engine& engine, const ClientState& client, const CommandSpec& spec,
                            Args argv, int64_t duration_us) {
  const EngineConfig& cfg = engine.config();
  if (!monitors_.empty() && !(spec.flags & kCmdAdmin) && !IsScriptRun(spec)) {
    FeedMonitors(client, spec, argv);
  }
  if (cfg.latency_tracking) {
    const size_t id = static_cast<size_t>(spec.acl_id);
    if (id >= histograms_.size()) {
      histograms_.resize(static_cast<size_t>(engine.commands().acl_id_count()));
    }
    histograms_[id].Record(duration_us);
  }
  if (cfg.latency_monitor_threshold > 0 &&
      duration_us / 1000 >= cfg.latency_monitor_threshold) {
    LatencySeries& ts = latency_[(spec.flags & kCmdFast) ? "fast-command" : "command"];
    const int64_t latency = duration_us / 1000;
    const int64_t now = engine.clock().NowMs() / 1000;
    ts.max = std::max(ts.max, latency);
    LatencySample& prev = ts.samples[(ts.idx + LatencySeries::kLen - 1) % LatencySeries::kLen];
    if (prev.time_s == now) {
      prev.latency_ms = std::max(prev.latency_ms, latency);
    } else {
      ts.samples[ts.idx] = {now, latency};
      ts.idx = (ts.idx + 1) % LatencySeries::kLen;
    }
  }
  if (cfg.slowlog_log_slower_than < 0 || spec.name == "exec") return;
  if (duration_us >= cfg.slowlog_log_slower_than) {
    SlowlogEntry e;
    e.id = next_slowlog_id_++;
    e.time_s = engine.clock().NowMs() / 1000;
    e.duration_us = duration_us;
    const size_t argc = std::min(argv.size(), kSlowlogMaxArgc);
    for (size_t j = 0; j < argc; ++j) {
      if (argc != argv.size() && j == argc - 1) {
        e.argv.push_back("... (" + std::to_string(argv.size() - argc + 1) + " more arguments)");
      } else if (Redacted(spec, argv, j)) {
        e.argv.emplace_back("(redacted)");
      } else if (argv[j].size() > kSlowlogMaxString) {
        e.argv.push_back(std::string(argv[j].substr(0, kSlowlogMaxString)) + "... (" +
                         std::to_string(argv[j].size() - kSlowlogMaxString) + " more bytes)");
      } else {
        e.argv.emplace_back(argv[j]);
      }
    }
    e.peer = client.addr;
    e.name = client.name;
    slowlog_.push_front(std::move(e));
  }
  while (static_cast<int64_t>(slowlog_.size()) > cfg.slowlog_max_len) slowlog_.pop_back();
}

void Diagnostics::FeedMonitors(const ClientState& client, const CommandSpec& spec, Args argv) {
  // "+1700000000.123456 [0 127.0.0.1:50000] "set" "k" "v"", as Redis's replicationFeedMonitors.
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  char head[96];
  std::snprintf(head, sizeof(head), "+%ld.%06ld [%d %s] ", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec), client.db,
                client.is_script ? "lua" : client.addr.c_str());
  std::string line = head;
  for (size_t j = 0; j < argv.size(); ++j) {
    AppendRepr(line, Redacted(spec, argv, j) ? std::string_view("(redacted)") : argv[j]);
    if (j + 1 != argv.size()) line += ' ';
  }
  line += "\r\n";
  for (ClientState* m : monitors_) {
    m->reply.Raw(line);
    if (m != &client && m->wake) m->wake();
  }
}

void Diagnostics::AddMonitor(ClientState* c) {
  if (std::find(monitors_.begin(), monitors_.end(), c) == monitors_.end()) monitors_.push_back(c);
}

void Diagnostics::RemoveClient(ClientState* c) {
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), c), monitors_.end());
}

namespace {

// ---------------------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------------------

void CmdSlowlogContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "SLOWLOG"); }

void CmdSlowlogGet(CommandContext& ctx) {
  auto& log = ctx.engine.diagnostics().slowlog();
  int64_t count = 10;
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "SLOWLOG"));
    return;
  }
  if (ctx.argv.size() == 3) {
    if (!ParseInt64(ctx.argv[2], &count) || count < -1) {
      ctx.reply.Error(errors::kSlowlogCountRange);
      return;
    }
    if (count == -1) count = static_cast<int64_t>(log.size());
  }
  const size_t n = std::min(static_cast<size_t>(count), log.size());
  ctx.reply.Array(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = log[i];
    ctx.reply.Array(6);
    ctx.reply.Integer(e.id);
    ctx.reply.Integer(e.time_s);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.Array(e.argv.size());
    for (const std::string& a : e.argv) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.peer);
    ctx.reply.Bulk(e.name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.diagnostics().slowlog().size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.engine.diagnostics().slowlog().clear();
  ctx.reply.Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "SLOWLOG",
            {"GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog."});
}

// ---------------------------------------------------------------------------------------------
// LATENCY (LATEST, HISTORY, RESET, HELP)
// ---------------------------------------------------------------------------------------------

void CmdLatencyContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "LATENCY"); }

void CmdLatencyLatest(CommandContext& ctx) {
  auto& events = ctx.engine.diagnostics().latency();
  ctx.reply.Array(events.size());
  for (const auto& [name, ts] : events) {
    const LatencySample& last = ts.samples[(ts.idx + LatencySeries::kLen - 1) % LatencySeries::kLen];
    ctx.reply.Array(4);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(last.time_s);
    ctx.reply.Integer(last.latency_ms);
    ctx.reply.Integer(ts.max);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  auto& events = ctx.engine.diagnostics().latency();
  auto it = events.find(std::string(ctx.argv[2]));
  if (it == events.end()) {
    ctx.reply.EmptyArray();
    return;
  }
  std::vector<LatencySample> out;
  for (size_t j = 0; j < LatencySeries::kLen; ++j) {
    const LatencySample& s = it->second.samples[(it->second.idx + j) % LatencySeries::kLen];
    if (s.time_s != 0) out.push_back(s);
  }
  ctx.reply.Array(out.size());
  for (const LatencySample& s : out) {
    ctx.reply.Array(2);
    ctx.reply.Integer(s.time_s);
    ctx.reply.Integer(s.latency_ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  auto& events = ctx.engine.diagnostics().latency();
  int64_t resets = 0;
  if (ctx.argv.size() == 2) {
    resets = static_cast<int64_t>(events.size());
    events.clear();
  } else {
    for (size_t j = 2; j < ctx.argv.size(); ++j) resets += events.erase(std::string(ctx.argv[j]));
  }
  ctx.reply.Integer(resets);
}

void ReplyHistogram(CommandContext& ctx, const std::string& name, const LatencyHistogram& h) {
  ctx.reply.Bulk(name);
  ctx.reply.Array(4);  // a map of two in RESP2
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(static_cast<int64_t>(h.calls()));
  ctx.reply.Bulk("histogram_usec");
  auto steps = h.CumulativeUs();
  ctx.reply.Array(steps.size() * 2);
  for (const auto& [us, count] : steps) {
    ctx.reply.Integer(us);
    ctx.reply.Integer(static_cast<int64_t>(count));
  }
}

// LATENCY HISTOGRAM [command ...]: every command with data, or the named ones (a container name
// also brings its subcommands; unknown names are skipped), as Redis's latencyCommand.
void CmdLatencyHistogram(CommandContext& ctx) {
  const Diagnostics& diagnostics = ctx.engine.diagnostics();
  const CommandTable& table = ctx.engine.commands();
  auto called = [&](const CommandSpec& c) { return diagnostics.histogram(c) != nullptr; };
  std::vector<const CommandSpec*> out;
  auto add = [&](const CommandSpec& c) {
    if (called(c)) out.push_back(&c);
  };
  if (ctx.argv.size() == 2) {
    for (int id : table.IdsByName(called)) out.push_back(&table.ById(id));
  } else {
    for (size_t j = 2; j < ctx.argv.size(); ++j) {
      const CommandSpec* c = LookupCommandByFullName(ctx.engine.commands(), ctx.argv[j]);
      if (c == nullptr) continue;
      add(*c);
      for (const auto& [sub_name, sub] : c->subcommands) add(*sub);
    }
  }
  ctx.reply.Array(out.size() * 2);
  for (const CommandSpec* c : out) ReplyHistogram(ctx, c->name, *diagnostics.histogram(*c));
}

// Bytes of transparent huge pages this process has (Redis's THPGetAnonHugePagesSize).
int64_t AnonHugePagesBytes() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  int64_t kb = 0;
  while (std::getline(smaps, line)) {
    if (line.rfind("AnonHugePages:", 0) == 0) kb += std::atoll(line.c_str() + 14);
  }
  return kb * 1024;
}

// LATENCY DOCTOR: Redis's createLatencyReport (latency.c) for the events this engine records
// ("command", "fast-command") and the huge-pages check; the advice for fork, AOF, expiry and
// eviction events never applies here because those events are not recorded.
std::string LatencyReport(Engine& engine) {
  const EngineConfig& cfg = engine.config();
  auto& events = engine.diagnostics().latency();
  if (events.empty() && cfg.latency_monitor_threshold == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  std::string report;
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool scheduler = false, large_objects = false, disable_thp = false;
  int advices = 0, eventnum = 0;
  const int64_t now = engine.clock().NowMs() / 1000;
  for (const auto& [event, ts] : events) {
    if (++eventnum == 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind "
                "talking about it, do you Dave?\n\n";
    }
    // analyzeLatencyForEvent: samples, average, mean absolute deviation, seconds since the oldest.
    int samples = 0;
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const LatencySample& s : ts.samples) {
      if (s.time_s == 0) continue;
      ++samples;
      sum += static_cast<uint64_t>(s.latency_ms);
      if (oldest == 0 || s.time_s < oldest) oldest = s.time_s;
    }
    uint64_t avg = 0, mad = 0;
    int64_t period = 0;
    if (samples > 0) {
      avg = sum / static_cast<uint64_t>(samples);
      period = now - oldest;
      if (period == 0) period = 1;
      uint64_t dev = 0;
      for (const LatencySample& s : ts.samples) {
        if (s.time_s == 0) continue;
        int64_t d = static_cast<int64_t>(avg) - s.latency_ms;
        dev += static_cast<uint64_t>(d < 0 ? -d : d);
      }
      mad = dev / static_cast<uint64_t>(samples);
    }
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f "
                  "sec). Worst all time event %lums.",
                  eventnum, event.c_str(), samples, static_cast<unsigned long>(avg),
                  static_cast<unsigned long>(mad),
                  static_cast<double>(period) / samples, static_cast<unsigned long>(ts.max));
    report += line;
    if (event == "command") {
      if (cfg.slowlog_log_slower_than < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (cfg.slowlog_log_slower_than / 1000 > cfg.latency_monitor_threshold) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    } else if (event == "fast-command") {
      scheduler = true;
      ++advices;
    }
    report += "\n";
  }
  if (AnonHugePagesBytes() > 0) {
    disable_thp = true;
    ++advices;
  }
  if (eventnum == 0 && advices == 0) {
    return report + "Dave, no latency spike was observed during the lifetime of this Redis "
                    "instance, not in the slightest bit. I honestly think you ought to sit down "
                    "calmly, take a stress pill, and think things over.\n";
  }
  if (eventnum > 0 && advices == 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy "
                    "fix. Please use the Redis community to get some help, providing this report "
                    "in your help request.\n";
  }
  report += "\nI have a few advices for you:\n\n";
  const std::string threshold_us = std::to_string(cfg.latency_monitor_threshold * 1000);
  if (slowlog_enabled) {
    report += "- There are latency issues with potentially slow commands you are using. Try to "
              "enable the Slow Log Redis feature using the command 'CONFIG SET "
              "slowlog-log-slower-than " + threshold_us + "'. If the Slow log is disabled Redis "
              "is not able to log slow commands execution for you.\n";
  }
  if (slowlog_tuning) {
    report += "- Your current Slow Log configuration only logs events that are slower than your "
              "configured latency monitor threshold. Please use 'CONFIG SET "
              "slowlog-log-slower-than " + threshold_us + "'.\n";
  }
  if (slowlog_inspect) {
    report += "- Check your Slow Log to understand what are the commands you are running which "
              "are too slow to execute. Please check https://redis.io/commands/slowlog for more "
              "information.\n";
  }
  if (scheduler) {
    report += "- The system is slow to execute Redis code paths not containing system calls. This "
              "usually means the system does not provide Redis CPU time to run for long periods. "
              "You should try to:\n"
              "  1) Lower the system load.\n"
              "  2) Use a computer / VM just for Redis if you are running other software in the "
              "same system.\n"
              "  3) Check if you have a \"noisy neighbour\" problem.\n"
              "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency "
              "in your system.\n"
              "  5) Check if the problem is allocator-related by recompiling Redis with "
              "MALLOC=libc, if you are using Jemalloc. However this may create fragmentation "
              "problems.\n";
  }
  if (large_objects) {
    report += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
              "blocking operation. If you have very large objects that are often deleted, "
              "expired, or evicted, try to fragment those objects into multiple smaller "
              "objects.\n";
  }
  if (disable_thp) {
    report += "- I detected a non zero amount of anonymous huge pages used by your process. This "
              "creates very serious latency events in different conditions, especially when "
              "Redis is persisting on disk. To disable THP support use the command 'echo never > "
              "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
              "/etc/rc.local so that the command will be executed again after a reboot. Note "
              "that even if you have already disabled THP, you still need to restart the Redis "
              "process to get rid of the huge pages already created.\n";
  }
  return report;
}

void CmdLatencyDoctor(CommandContext& ctx) { ctx.reply.Bulk(LatencyReport(ctx.engine)); }

// Redis's sparkline (sparkline.c) as LATENCY GRAPH draws it: `rows` rows of "_o#" (filled, '|'
// below the top), then each sample's label written downwards under a blank line, `columns`
// samples per block.
struct SparkSample {
  double value;
  std::string label;
};

std::string RenderSparkline(const std::vector<SparkSample>& seq, double min, double max,
                            int columns, int rows) {
  static constexpr char kFill[] = "_o#";
  constexpr int kCharsetLen = 3;
  std::string out;
  for (size_t start = 0; start < seq.size(); start += static_cast<size_t>(columns)) {
    if (start != 0) out += '\n';
    const size_t len = std::min(seq.size() - start, static_cast<size_t>(columns));
    double relmax = max - min;
    if (relmax == 0) relmax = 1;
    const int steps = kCharsetLen * rows;
    for (int row = 0;; ++row) {
      bool loop = false;
      std::string chars(len, ' ');
      for (size_t j = 0; j < len; ++j) {
        const SparkSample& s = seq[start + j];
        // As Redis: (int)(relval*steps), then divided by relmax and truncated again.
        int step = static_cast<int>(static_cast<int>((s.value - min) * steps) / relmax);
        step = std::clamp(step, 0, steps - 1);
        if (row < rows) {
          const int idx = step - (rows - row - 1) * kCharsetLen;
          loop = true;
          if (idx >= 0 && idx < kCharsetLen) {
            chars[j] = kFill[idx];
          } else if (idx >= kCharsetLen) {
            chars[j] = '|';
          }
        } else {
          if (row - rows < 1) {  // one blank line above the labels (every sample has one)
            loop = true;
            break;
          }
          const size_t at = static_cast<size_t>(row - rows - 1);
          if (s.label.size() > at) {
            loop = true;
            chars[j] = s.label[at];
          }
        }
      }
      if (!loop) break;
      out += chars;
      out += '\n';
    }
  }
  return out;
}

// LATENCY GRAPH <event>: Redis's latencyCommandGenSparkeline — a header with the samples' high and
// low, 80 dashes, and the sparkline labelled with how long ago each sample was taken.
void CmdLatencyGraph(CommandContext& ctx) {
  auto& events = ctx.engine.diagnostics().latency();
  auto it = events.find(std::string(ctx.argv[2]));
  if (it == events.end()) {
    ctx.reply.Error(errors::LatencyNoSamples(ctx.argv[2]));
    return;
  }
  const LatencySeries& ts = it->second;
  const int64_t now = ctx.engine.clock().NowMs() / 1000;
  std::vector<SparkSample> seq;
  int64_t low = 0, high = 0;
  double min = 0, max = 0;
  for (size_t j = 0; j < LatencySeries::kLen; ++j) {
    const LatencySample& s = ts.samples[(ts.idx + j) % LatencySeries::kLen];
    if (s.time_s == 0) continue;
    if (seq.empty()) {
      low = high = s.latency_ms;
      min = max = static_cast<double>(s.latency_ms);
    } else {
      high = std::max(high, s.latency_ms);
      low = std::min(low, s.latency_ms);
      min = std::min(min, static_cast<double>(s.latency_ms));
      max = std::max(max, static_cast<double>(s.latency_ms));
    }
    const int64_t elapsed = now - s.time_s;
    char label[64];
    if (elapsed < 60) {
      std::snprintf(label, sizeof(label), "%llds", static_cast<long long>(elapsed));
    } else if (elapsed < 3600) {
      std::snprintf(label, sizeof(label), "%lldm", static_cast<long long>(elapsed / 60));
    } else if (elapsed < 3600 * 24) {
      std::snprintf(label, sizeof(label), "%lldh", static_cast<long long>(elapsed / 3600));
    } else {
      std::snprintf(label, sizeof(label), "%lldd", static_cast<long long>(elapsed / (3600 * 24)));
    }
    seq.push_back({static_cast<double>(s.latency_ms), label});
  }
  char head[256];
  std::snprintf(head, sizeof(head), "%s - high %lu ms, low %lu ms (all time high %lu ms)\n",
                it->first.c_str(), static_cast<unsigned long>(high),
                static_cast<unsigned long>(low), static_cast<unsigned long>(ts.max));
  ctx.reply.Bulk(std::string(head) + std::string(80, '-') + "\n" +
                 RenderSparkline(seq, min, max, 80, 4));
}

void CmdLatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "LATENCY",
            {"DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>",
             "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
             "    Return time-latency samples for the <event> class.", "LATEST",
             "    Return the latest latency samples for all events.", "RESET [<event> ...]",
             "    Reset latency data of one or more <event> classes.",
             "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
             "    Return a cumulative distribution of latencies in the format of a histogram for "
             "the specified command names.",
             "    If no commands are specified then all histograms are replied."});
}

// ---------------------------------------------------------------------------------------------
// MONITOR
// ---------------------------------------------------------------------------------------------

void CmdMonitor(CommandContext& ctx) {
  if (ctx.client.deny_blocking || ctx.engine.in_nested_call()) {
    ctx.reply.Error(errors::kMonitorDenyBlocking);
    return;
  }
  ctx.engine.diagnostics().AddMonitor(&ctx.client);
  ctx.reply.Ok();
}

// ---------------------------------------------------------------------------------------------
// COMMAND GETKEYS / GETKEYSANDFLAGS
// ---------------------------------------------------------------------------------------------

void ReplyKeys(CommandContext& ctx, bool with_flags) {
  Args cmd_argv = ctx.argv.subspan(2);
  const CommandSpec* spec = LookupCommand(ctx.engine.commands(), cmd_argv);
  if (spec == nullptr) {
    ctx.reply.Error(errors::kGetKeysInvalidCommand);
    return;
  }
  if (!CommandHasKeys(*spec)) {
    ctx.reply.Error(errors::kGetKeysNoKeys);
    return;
  }
  const int argc = static_cast<int>(cmd_argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::kGetKeysBadArity);
    return;
  }
  std::vector<KeyRef> keys;
  if (!CommandKeys(*spec, cmd_argv, &keys)) {
    const CommandMeta* meta = FindCommandMeta(spec->name);
    if (meta != nullptr && meta->no_mandatory_keys) {
      ctx.reply.EmptyArray();
    } else {
      ctx.reply.Error(errors::kGetKeysBadArgs);
    }
    return;
  }
  ctx.reply.Array(keys.size());
  for (const KeyRef& k : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(cmd_argv[static_cast<size_t>(k.pos)]);
      continue;
    }
    ctx.reply.Array(2);
    ctx.reply.Bulk(cmd_argv[static_cast<size_t>(k.pos)]);
    auto names = KeyFlagNames(k.flags);
    ctx.reply.Array(names.size());
    for (std::string_view n : names) ctx.reply.Status(n);
  }
}

void CmdCommandGetKeys(CommandContext& ctx) { ReplyKeys(ctx, false); }
void CmdCommandGetKeysAndFlags(CommandContext& ctx) { ReplyKeys(ctx, true); }

}  // namespace

void RegisterDiagnosticsFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  reg.Add("slowlog", -2, 0, {}, CmdSlowlogContainer);
  reg.Sub("slowlog", "get", -2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogGet);
  reg.Sub("slowlog", "len", 2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogLen);
  reg.Sub("slowlog", "reset", 2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogReset);
  reg.Sub("slowlog", "help", 2, kCmdLoading | kCmdStale, {}, CmdSlowlogHelp);

  reg.Add("latency", -2, 0, {}, CmdLatencyContainer);
  reg.Sub("latency", "latest", 2, kCmdServerAdmin, {}, CmdLatencyLatest);
  reg.Sub("latency", "history", 3, kCmdServerAdmin, {}, CmdLatencyHistory);
  reg.Sub("latency", "reset", -2, kCmdServerAdmin, {}, CmdLatencyReset);
  reg.Sub("latency", "histogram", -2, kCmdServerAdmin, {}, CmdLatencyHistogram);
  reg.Sub("latency", "graph", 3, kCmdServerAdmin, {}, CmdLatencyGraph);
  reg.Sub("latency", "doctor", 2, kCmdServerAdmin, {}, CmdLatencyDoctor);
  reg.Sub("latency", "help", 2, kCmdLoading | kCmdStale, {}, CmdLatencyHelp);

  reg.Add("monitor", 1, kCmdServerAdmin, {}, CmdMonitor);

  CommandRegistrar conn(table, "server");
  conn.Sub("command", "getkeys", -4, kCmdLoading | kCmdStale, {}, CmdCommandGetKeys);
  conn.Sub("command", "getkeysandflags", -4, kCmdLoading | kCmdStale, {},
           CmdCommandGetKeysAndFlags);
}

}  // namespace racetrack::engine

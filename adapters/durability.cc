// Durability modes applied and read back. Why it is done this way:
//  - Every change is made live, so one run can measure `off` and `strict` on the same server
//    (--durability off,strict) without restarting it: PostgreSQL's fsync, full_page_writes
//    (sighup) and synchronous_commit (user) all take ALTER SYSTEM + pg_reload_conf(); the
//    throwaway cluster keeps them in postgresql.conf, not on its command line, which would
//    outrank ALTER SYSTEM.
//  - What is recorded is what a fresh connection reads back, never what was asked for: a reload
//    is asynchronous, so ApplyDurability polls until the server shows the mode.
//  - Turning Redis's log on starts a background rewrite; waiting for it to finish keeps that
//    fork and its disk writes out of the timed phases that follow.
#include "adapters/durability.h"

#include <chrono>
#include <thread>

#include "adapters/client.h"
#include "engine/base/enum_names.h"
#include "engine/base/split.h"

namespace racetrack::adapters {

namespace {

// The order is --durability's help and error text: "off, relaxed, strict".
constexpr EnumName<Durability> kModeNames[] = {
    {Durability::kOff, "off"},
    {Durability::kRelaxed, "relaxed"},
    {Durability::kStrict, "strict"},
};
static_assert(NamesEveryValue(kModeNames, Durability::kStrict));

bool IsSql(TargetKind kind) { return kind == TargetKind::kPostgres; }

Result<std::string> SqlShow(Client& c, const std::string& name) {
  const SqlStatement show{"", "SHOW " + name};
  auto rows = c.Query(show, {});
  if (!rows.ok()) return rows.status();
  auto v = rows->Scalar();
  if (!v) return Status::Internal("SHOW " + name + " returned no value");
  return *v;
}

Result<std::string> ConfigGet(Client& c, const std::string& name) {
  auto r = c.Command({"CONFIG", "GET", name});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("CONFIG GET " + name + ": " + r->str);
  if (r->type != Reply::Type::kArray || r->elements.size() < 2) {
    return Status::Unavailable("CONFIG GET " + name + ": the server does not report it");
  }
  return r->elements[1].str;
}

Status ConfigSet(Client& c, const std::string& name, const std::string& value) {
  auto r = c.Command({"CONFIG", "SET", name, value});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::Unavailable("CONFIG SET " + name + ": " + r->str);
  return Status::Ok();
}

// Redis and racetrack-server both report these in INFO persistence.
Status WaitForRewrite(Client& c) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = c.Command({"INFO", "persistence"});
    if (!info.ok()) return info.status();
    if (info->str.find("aof_rewrite_in_progress:1") == std::string::npos &&
        info->str.find("aof_rewrite_scheduled:1") == std::string::npos) {
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("the append-only log's rewrite did not finish within 30 s");
}

Status ApplyRespLike(Target& target, Durability mode, const std::string& scratch_dir) {
  auto conn = target.Connect();
  if (!conn.ok()) return conn.status();
  Client& c = **conn;
  if (target.kind() == TargetKind::kBuiltin && mode != Durability::kOff) {
    if (scratch_dir.empty()) {
      return Status::InvalidArgument("builtin: durability " +
                                     std::string(DurabilityName(mode)) +
                                     " needs a directory for the append-only log");
    }
    Status s = ConfigSet(c, "dir", scratch_dir);
    if (!s.ok()) return s;
  }
  Status s = ConfigSet(c, "save", "");
  if (s.ok() && mode != Durability::kOff) {
    s = ConfigSet(c, "appendfsync", mode == Durability::kStrict ? "always" : "everysec");
  }
  if (s.ok()) s = ConfigSet(c, "appendonly", mode == Durability::kOff ? "no" : "yes");
  if (s.ok()) s = WaitForRewrite(c);
  return s;
}

Status ApplyPostgres(Target& target, Durability mode) {
  auto conn = target.Connect();
  if (!conn.ok()) return conn.status();
  Client& c = **conn;
  for (const auto& [name, value] : ExpectedDurability(TargetKind::kPostgres, mode)) {
    auto r = c.Query({"", "ALTER SYSTEM SET " + name + " = " + value}, {});
    if (!r.ok()) return Status::Unavailable("ALTER SYSTEM SET " + name + ": " + r.status().message());
  }
  auto r = c.Query({"", "SELECT pg_reload_conf()"}, {});
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

std::string_view DurabilityName(Durability mode) { return NameOf(kModeNames, mode, "off"); }

Result<Durability> ParseDurability(std::string_view text) {
  if (auto mode = ValueOf(kModeNames, text)) return *mode;
  return Status::InvalidArgument("--durability: '" + std::string(text) +
                                 "' is not a mode (valid: " + JoinNames(kModeNames, ", ") + ")");
}

Result<std::vector<Durability>> ParseDurabilityList(std::string_view text) {
  std::vector<Durability> out;
  for (const std::string& item : SplitCommas(text)) {
    auto m = ParseDurability(item);
    if (!m.ok()) return m.status();
    for (Durability seen : out) {
      if (seen == *m) {
        return Status::InvalidArgument("--durability: '" + std::string(DurabilityName(*m)) +
                                       "' is given twice");
      }
    }
    out.push_back(*m);
  }
  return out;
}

DurabilitySettings ExpectedDurability(TargetKind kind, Durability mode) {
  if (IsSql(kind)) {
    const char* sync = mode == Durability::kOff ? "off" : "on";
    return {{"fsync", sync},
            {"full_page_writes", sync},
            {"synchronous_commit", mode == Durability::kStrict ? "on" : "off"}};
  }
  if (kind == TargetKind::kClient) return {};
  if (mode == Durability::kOff) return {{"appendonly", "no"}};
  return {{"appendonly", "yes"},
          {"appendfsync", mode == Durability::kStrict ? "always" : "everysec"}};
}

Result<DurabilitySettings> ReadDurability(Target& target) {
  if (target.kind() == TargetKind::kClient) return DurabilitySettings{};
  auto conn = target.Connect();
  if (!conn.ok()) return conn.status();
  DurabilitySettings out;
  const bool sql = IsSql(target.kind());
  const std::vector<std::string> names =
      sql ? std::vector<std::string>{"fsync", "synchronous_commit", "full_page_writes"}
          : std::vector<std::string>{"appendonly", "appendfsync", "save"};
  for (const std::string& name : names) {
    auto v = sql ? SqlShow(**conn, name) : ConfigGet(**conn, name);
    if (!v.ok()) return v.status();
    out[name] = *v;
  }
  return out;
}

Status ApplyDurability(Target& target, Durability mode, const std::string& scratch_dir) {
  if (target.kind() == TargetKind::kClient) return Status::Ok();
  Status s = IsSql(target.kind()) ? ApplyPostgres(target, mode)
                                  : ApplyRespLike(target, mode, scratch_dir);
  if (!s.ok()) return s;
  // A reload reaches new backends asynchronously: poll until a fresh connection shows the mode.
  const DurabilitySettings want = ExpectedDurability(target.kind(), mode);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  DurabilitySettings got;
  for (;;) {
    auto read = ReadDurability(target);
    if (!read.ok()) return read.status();
    got = *read;
    bool match = true;
    for (const auto& [name, value] : want) match = match && got[name] == value;
    if (match) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string shown;
  for (const auto& [name, value] : got) shown += (shown.empty() ? "" : ", ") + name + "=" + value;
  return Status::Unavailable(std::string(target.name()) + " did not take durability " +
                             std::string(DurabilityName(mode)) + " (it reports " + shown + ")");
}

}  // namespace racetrack::adapters

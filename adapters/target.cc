#include "adapters/target.h"

#include "adapters/throwaway.h"

namespace racetrack::adapters {

const std::vector<TargetKind>& AllTargetKinds() {
  static const std::vector<TargetKind> kAll = {TargetKind::kBuiltin, TargetKind::kBuiltinTcp,
                                               TargetKind::kRedis, TargetKind::kPostgres};
  return kAll;
}

std::string_view TargetName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kBuiltin: return "builtin";
    case TargetKind::kBuiltinTcp: return "builtin-tcp";
    case TargetKind::kRedis: return "redis";
    case TargetKind::kPostgres: return "postgres";
  }
  return "?";
}

std::string TargetNameList() {
  std::string out;
  for (TargetKind k : AllTargetKinds()) {
    if (!out.empty()) out += ", ";
    out += TargetName(k);
  }
  return out;
}

Result<TargetKind> ParseTargetName(std::string_view name) {
  for (TargetKind k : AllTargetKinds()) {
    if (TargetName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown target '" + std::string(name) +
                                 "' (valid: " + TargetNameList() + ")");
}

namespace {

Result<std::unique_ptr<Target>> OpenTargetOnly(TargetKind kind, const TargetOptions& options,
                                               ThrowawayServers* servers) {
  if (kind == TargetKind::kBuiltin) return MakeBuiltinTarget();
  std::string url;
  if (kind == TargetKind::kRedis && !options.redis_url.empty()) url = options.redis_url;
  if (kind == TargetKind::kPostgres && !options.postgres_url.empty()) url = options.postgres_url;
  if (url.empty()) {
    if (servers == nullptr) {
      return Status::Unavailable("no URL given and throwaway servers are disabled");
    }
    auto started = servers->Url(kind);
    if (!started.ok()) return started.status();
    url = *started;
  }
  if (kind == TargetKind::kPostgres) return MakePostgresTarget(url, options);
  return MakeRespTarget(kind, url, options);
}

}  // namespace

Result<std::unique_ptr<Target>> OpenTarget(TargetKind kind, const TargetOptions& options,
                                           ThrowawayServers* servers) {
  auto target = OpenTargetOnly(kind, options, servers);
  if (target.ok()) (*target)->set_bin_dir(options.bin_dir);
  return target;
}

}  // namespace racetrack::adapters

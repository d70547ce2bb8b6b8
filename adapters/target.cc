#include "adapters/target.h"

#include "adapters/cluster.h"
#include "adapters/throwaway.h"

namespace racetrack::adapters {

const std::vector<TargetKind>& AllTargetKinds() {
  static const std::vector<TargetKind> kAll = {TargetKind::kBuiltin, TargetKind::kBuiltinTcp,
                                               TargetKind::kRedis, TargetKind::kPostgres};
  return kAll;
}

const std::vector<TargetKind>& KnownTargetKinds() {
  static const std::vector<TargetKind> kKnown = {TargetKind::kBuiltin, TargetKind::kBuiltinTcp,
                                                 TargetKind::kRedis, TargetKind::kPostgres,
                                                 TargetKind::kClient, TargetKind::kRedisCluster};
  return kKnown;
}

std::string_view TargetName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kBuiltin: return "builtin";
    case TargetKind::kBuiltinTcp: return "builtin-tcp";
    case TargetKind::kRedis: return "redis";
    case TargetKind::kPostgres: return "postgres";
    case TargetKind::kClient: return "client";
    case TargetKind::kRedisCluster: return "redis-cluster";
  }
  return "?";
}

std::string TargetNameList() {
  std::string out;
  for (TargetKind k : KnownTargetKinds()) {
    if (!out.empty()) out += ", ";
    out += TargetName(k);
  }
  return out;
}

Result<TargetKind> ParseTargetName(std::string_view name) {
  for (TargetKind k : KnownTargetKinds()) {
    if (TargetName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown target '" + std::string(name) +
                                 "' (valid: " + TargetNameList() + ")");
}

namespace {

// The URL the user gave for `kind` (its --*-url flag), else a throwaway server's.
Result<std::string> UrlFor(TargetKind kind, const TargetOptions& options,
                           ThrowawayServers* servers) {
  const std::string given = kind == TargetKind::kRedis          ? options.redis_url
                            : kind == TargetKind::kPostgres     ? options.postgres_url
                            : kind == TargetKind::kRedisCluster ? options.redis_cluster_url
                                                                : std::string();
  if (!given.empty()) return given;
  if (servers == nullptr) {
    return Status::Unavailable("no URL given for " + std::string(TargetName(kind)) +
                               " and throwaway servers are disabled");
  }
  return servers->Url(kind);
}

Result<std::unique_ptr<Target>> OpenTargetOnly(TargetKind kind, const TargetOptions& options,
                                               ThrowawayServers* servers) {
  if (kind == TargetKind::kBuiltin) return MakeBuiltinTarget();
  if (kind == TargetKind::kClient) return MakeClientTarget();
  auto url = UrlFor(kind, options, servers);
  if (!url.ok()) return url.status();
  if (kind == TargetKind::kRedisCluster) {
    auto cluster = MakeClusterTarget(*url, options);
    if (!cluster.ok()) return cluster.status();
    return std::unique_ptr<Target>(std::move(cluster).value());
  }
  if (kind == TargetKind::kPostgres) return MakePostgresTarget(*url, options);
  return MakeRespTarget(kind, *url, options);
}

// No server: every command is refused (Client's defaults name the target); the approaches that
// run here (kCapClientSide) never send one.
class NoServerClient final : public Client {
 public:
  std::string_view target_name() const override { return "client"; }
  uint32_t capabilities() const override { return kCapClientSide; }
  Result<Reply> Command(const Argv&) override { return NotSupported("commands"); }
  Result<std::vector<Reply>> Pipeline(std::span<const Argv>) override {
    return NotSupported("pipelines");
  }
};

class ClientTarget final : public Target {
 public:
  TargetKind kind() const override { return TargetKind::kClient; }
  uint32_t capabilities() const override { return kCapClientSide; }
  std::string endpoint() const override { return "no server"; }
  std::string server_version() const override { return "none (client-side)"; }
  Result<std::unique_ptr<Client>> Connect() override {
    return std::unique_ptr<Client>(std::make_unique<NoServerClient>());
  }
};

}  // namespace

std::unique_ptr<Target> MakeClientTarget() { return std::make_unique<ClientTarget>(); }

Result<std::unique_ptr<Target>> OpenTarget(TargetKind kind, const TargetOptions& options,
                                           ThrowawayServers* servers) {
  auto target = OpenTargetOnly(kind, options, servers);
  if (target.ok()) (*target)->set_bin_dir(options.bin_dir);
  return target;
}

}  // namespace racetrack::adapters

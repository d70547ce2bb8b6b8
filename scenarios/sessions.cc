// Lesson `sessions`: what "log out now" costs with server-side sessions and with JWTs.
//
// Users are split over the worker threads (user u belongs to worker u % clients), so a worker is
// the only one touching its users' client-side state (short-refresh's access tokens) and no
// lock is needed on the request path. Each Step is one request by one of the worker's users,
// chosen at random.
//
// The revocation: the first worker to pass --revoke-at-ms after the start of the first timed
// phase (ApproachRun::PhaseStarting; without a harness, the first Step) logs the chosen users
// out — DEL / DELETE / a denylist entry / DEL of the refresh token — in one pipelined batch, and
// the instant its replies are in is "the revocation acknowledged". A request counts as "accepted
// after revocation" when it started after that instant, came from a revoked user, and was
// accepted. That request's latency includes the batch (one operation of the run).
//
// --maxmemory (bytes) with --maxmemory-policy runs the Redis-like store under a memory limit:
// sessions evicted by the policy log their users out (counted: users_evicted and requests of
// not-revoked users rejected), and noeviction refuses logins (and denylist entries) instead.
// The limit is set with CONFIG SET for the run and restored afterwards. It is not measured on
// the in-process target, whose memory figure is the whole process's.
#include "scenarios/sessions.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <numeric>
#include <random>
#include <string>

#include "engine/base/clock.h"
#include "scenarios/claims.h"
#include "scenarios/jwt.h"
#include "scenarios/knobs.h"
#include "scenarios/memory_per_key.h"

namespace racetrack::scenarios {

namespace {

enum class Kind { kSessionTtl, kSqlSession, kJwt, kJwtDenylist, kJwtShortRefresh };

const LessonApproach<Kind> kApproaches[] = {
    {Kind::kSessionTtl,
     {"session-ttl", "Session hash + sliding TTL",
      "HGET + PEXPIRE per request (one pipelined round trip); logout = DEL",
      kCapHashes | kCapPipeline, true}},
    {Kind::kSqlSession,
     {"sql-session", "SQL session row",
      "UPDATE ... SET last_seen RETURNING per request; logout = DELETE", kCapSql, true}},
    {Kind::kJwt,
     {"jwt", "JWT (HS256), verified locally",
      "HMAC-SHA256 check in the client, no server; logout cannot revoke it", kCapClientSide,
      false}},
    {Kind::kJwtDenylist,
     {"jwt-denylist", "JWT + denylist",
      "verify locally, then GET the token id's denylist entry (TTL = token's remaining life)",
      kCapStrings | kCapPipeline, true}},
    {Kind::kJwtShortRefresh,
     {"jwt-short-refresh", "30 s JWT + refresh token",
      "short access tokens verified locally; on expiry the refresh token is checked in the store",
      kCapStrings | kCapPipeline, true}},
};

Kind KindOf(std::string_view id) { return KindOfApproach(id, kApproaches); }

constexpr int64_t kSessionIdleS = 1800;  // sliding expiry of server-side sessions
constexpr int64_t kJwtLifetimeS = 900;   // plain JWTs: 15 minutes, the usual
constexpr int64_t kRefreshLifetimeS = 7 * 24 * 3600;
constexpr int64_t kSeriesBucketUs = 50'000;
constexpr size_t kBatch = 500;  // commands per pipelined batch in setup and revocation

const char* const kPolicies[] = {"allkeys-lru", "allkeys-lfu", "volatile-ttl", "volatile-lru",
                                 "noeviction"};

struct Params {
  int64_t users = 10'000;
  double revoke = 0.01;
  int64_t revoke_at_ms = 300;
  int64_t access_ttl_s = 30;
  int64_t maxmemory = 0;
  std::string policy = "allkeys-lru";
};

int64_t NowUs() { return engine::MonotonicUs(); }
int64_t WallS() { return static_cast<int64_t>(std::time(nullptr)); }

const SqlStatement kSqlCreate{"", "CREATE TABLE IF NOT EXISTS rt_sessions (id text PRIMARY KEY, "
                                  "user_id int NOT NULL, last_seen timestamptz NOT NULL)"};
const SqlStatement kSqlTruncate{"", "TRUNCATE rt_sessions"};
const SqlStatement kSqlFill{
    "", "INSERT INTO rt_sessions SELECT 'sess-' || g || '-' || $1, g, now() "
        "FROM generate_series(0, $2::int - 1) g"};
const SqlStatement kSqlTouch{
    "ss_touch", "UPDATE rt_sessions SET last_seen = now() WHERE id = $1 AND last_seen > now() - "
                "make_interval(secs => 1800) RETURNING user_id"};
const SqlStatement kSqlLogout{"ss_logout", "DELETE FROM rt_sessions WHERE id = ANY($1::text[])"};

class SessionsRun;

class SessionsWorker final : public Worker {
 public:
  SessionsWorker(SessionsRun* run, Client* client, int index, std::vector<int64_t> users,
                 uint64_t seed)
      : run_(run), client_(client), index_(index), users_(std::move(users)), rng_(seed) {}
  Status Step() override;

 private:
  // Whether the request of user `u` is accepted; counts its round trips.
  Result<bool> Request(int64_t u);
  Result<bool> VerifyJwt(const std::string& token, nlohmann::json* claims, bool* expired);

  SessionsRun* run_;
  Client* client_;
  int index_;
  std::vector<int64_t> users_;
  std::mt19937_64 rng_;
};

class SessionsRun final : public ApproachRun {
 public:
  SessionsRun(const ApproachInfo& approach, Params p, uint64_t seed, int clients)
      : approach_(approach), kind_(KindOf(approach.id)), p_(std::move(p)), seed_(seed),
        clients_(clients) {
    // A fresh nonce per run keeps the keys of runs apart.
    nonce_ = std::to_string((seed * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(NowUs())) %
                            1'000'000'007);
    secret_ = "racetrack-sessions-secret-" + nonce_;
  }

  Status Prepare(Client& admin);

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int index) override {
    std::vector<int64_t> mine;
    for (int64_t u = index; u < p_.users; u += clients_) mine.push_back(u);
    if (mine.empty()) mine.push_back(index % p_.users);  // more threads than users
    return std::unique_ptr<Worker>(std::make_unique<SessionsWorker>(
        this, &client, index, std::move(mine), seed_ * 31 + static_cast<uint64_t>(index)));
  }

  void PhaseStarting(int repetition, int64_t start_us) override {
    hooked_.store(true);
    if (repetition == 0) {
      int64_t zero = 0;
      origin_us_.compare_exchange_strong(zero, start_us);
    }
  }

  Result<std::map<std::string, double>> Sample(Client&) override {
    return std::map<std::string, double>{
        {"accepted_after_revocation", static_cast<double>(accepted_after_.load())},
        {"rejected_revoked", static_cast<double>(rejected_revoked_.load())},
        {"wrongly_rejected", static_cast<double>(wrongly_rejected_.load())}};
  }

  Result<Correctness> Verify(Client& admin) override;
  std::map<std::string, double> Figures() const override { return figures_; }
  std::string MemoryMethod() const override { return memory_method_; }
  std::map<std::string, std::vector<double>> Series() const override { return series_; }

  // ---- used by workers ----
  Kind kind() const { return kind_; }
  const Params& params() const { return p_; }
  const std::string& secret() const { return secret_; }
  std::string SessionKey(int64_t u) const { return "rt:sess:" + nonce_ + ":" + std::to_string(u); }
  std::string SessionId(int64_t u) const { return "sess-" + std::to_string(u) + "-" + nonce_; }
  std::string DenyKey(const std::string& jti) const { return "rt:deny:" + nonce_ + ":" + jti; }
  std::string RefreshKey(int64_t u) const {
    return "rt:refresh:" + nonce_ + ":" + std::to_string(u);
  }
  std::string& Token(int64_t u) { return tokens_[static_cast<size_t>(u)]; }
  bool ToBeRevoked(int64_t u) const { return to_revoke_[static_cast<size_t>(u)] != 0; }
  std::string SignAccess(int64_t u, int64_t iat, int64_t lifetime_s) const;

  // The revocation instant (0 until acknowledged), and the revocation itself.
  int64_t revoked_at() const { return revoked_at_us_.load(std::memory_order_acquire); }
  Status MaybeRevoke(Client& c);

  void Count(int64_t u, int64_t t0, bool accepted, int round_trips, int64_t verify_ns);

 private:
  Status Revoke(Client& c);
  Status ApplyMemoryLimit(Client& admin);
  Status RestoreMemoryLimit(Client& admin);
  Status RunBatches(Client& c, const std::vector<Argv>& commands, int64_t* refused);
  // figures_' memory_per_key_bytes (per session) and memory_method_; a failure goes into *note.
  void MeasureMemory(Client& admin, std::string* note);
  // Verify's steps.
  Result<int64_t> CountEvicted(Client& admin);
  Correctness Judge(int64_t evicted) const;
  void AddFiguresAndSeries();
  Status Cleanup(Client& admin);

  const ApproachInfo& approach_;
  Kind kind_;
  Params p_;
  uint64_t seed_;
  int clients_;
  std::string nonce_;
  std::string secret_;
  std::vector<std::string> tokens_;  // per user: JWT (access token for short-refresh)
  std::vector<uint8_t> to_revoke_;
  int64_t revoked_count_ = 0;
  int64_t logins_refused_ = 0;
  int64_t revocations_failed_ = 0;
  std::string saved_maxmemory_, saved_policy_;
  bool memory_limited_ = false;

  std::atomic<bool> hooked_{false};
  std::atomic<int64_t> origin_us_{0};
  std::atomic<bool> revoking_{false};
  std::atomic<int64_t> revoked_at_us_{0};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> round_trips_{0};
  std::atomic<int64_t> accepted_after_{0};
  std::atomic<int64_t> rejected_revoked_{0};
  std::atomic<int64_t> wrongly_rejected_{0};
  std::atomic<int64_t> last_accepted_after_us_{0};
  std::mutex mu_;  // guards the histograms below
  std::vector<int64_t> verify_ns_;
  std::map<int64_t, int64_t> revoked_user_accepted_;  // per bucket since origin
  int64_t last_bucket_ = -1;                           // of any request
  std::map<std::string, double> figures_;
  std::string memory_method_;
  std::map<std::string, std::vector<double>> series_;
};

std::string SessionsRun::SignAccess(int64_t u, int64_t iat, int64_t lifetime_s) const {
  return jwt::Sign({{"sub", std::to_string(u)},
                    {"jti", nonce_ + "-" + std::to_string(u)},
                    {"iat", iat},
                    {"exp", iat + lifetime_s}},
                   secret_);
}

Status SessionsRun::RunBatches(Client& c, const std::vector<Argv>& commands, int64_t* refused) {
  for (size_t i = 0; i < commands.size(); i += kBatch) {
    const size_t n = std::min(kBatch, commands.size() - i);
    auto replies = c.Pipeline(std::span<const Argv>(commands.data() + i, n));
    if (!replies.ok()) return replies.status();
    for (const Reply& r : *replies) {
      if (!r.is_error()) continue;
      // noeviction under --maxmemory: the write is refused; anything else is a real error.
      if (refused != nullptr && r.str.find("OOM") != std::string::npos) {
        ++*refused;
      } else {
        return Status::InvalidArgument(r.str);
      }
    }
  }
  return Status::Ok();
}

Status SessionsRun::ApplyMemoryLimit(Client& admin) {
  if (p_.maxmemory <= 0 || kind_ == Kind::kSqlSession || kind_ == Kind::kJwt) return Status::Ok();
  auto read = [&](const char* name, std::string* out) -> Status {
    auto r = admin.Command({"CONFIG", "GET", name});
    if (!r.ok()) return r.status();
    if (r->type != Reply::Type::kArray || r->elements.size() < 2) {
      return Status::InvalidArgument(std::string("CONFIG GET ") + name + " returned " +
                                     r->ToString());
    }
    *out = r->elements[1].str;
    return Status::Ok();
  };
  Status s = read("maxmemory", &saved_maxmemory_);
  if (!s.ok()) return s;
  s = read("maxmemory-policy", &saved_policy_);
  if (!s.ok()) return s;
  auto set = admin.Command({"CONFIG", "SET", "maxmemory", std::to_string(p_.maxmemory),
                            "maxmemory-policy", p_.policy});
  if (!set.ok()) return set.status();
  if (set->is_error()) return Status::InvalidArgument("CONFIG SET maxmemory: " + set->str);
  memory_limited_ = true;
  return Status::Ok();
}

Status SessionsRun::RestoreMemoryLimit(Client& admin) {
  if (!memory_limited_) return Status::Ok();
  memory_limited_ = false;
  auto r = admin.Command({"CONFIG", "SET", "maxmemory", saved_maxmemory_, "maxmemory-policy",
                          saved_policy_});
  if (!r.ok()) return r.status();
  return r->is_error() ? Status::InvalidArgument(r->str) : Status::Ok();
}

Status SessionsRun::Prepare(Client& admin) {
  const auto n = static_cast<size_t>(p_.users);
  // Who will log out: a seeded random choice of round(users x revoke) users.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed_);
  std::shuffle(order.begin(), order.end(), rng);
  revoked_count_ = std::llround(static_cast<double>(p_.users) * p_.revoke);
  to_revoke_.assign(n, 0);
  for (int64_t i = 0; i < revoked_count_; ++i) to_revoke_[static_cast<size_t>(order[i])] = 1;

  Status s = ApplyMemoryLimit(admin);
  if (!s.ok()) return s;
  const int64_t now = WallS();
  std::vector<Argv> commands;
  switch (kind_) {
    case Kind::kSessionTtl:
      for (size_t u = 0; u < n; ++u) {
        const std::string key = SessionKey(static_cast<int64_t>(u));
        commands.push_back({"HSET", key, "user", std::to_string(u), "created",
                            std::to_string(now)});
        commands.push_back({"PEXPIRE", key, std::to_string(kSessionIdleS * 1000)});
      }
      return RunBatches(admin, commands, &logins_refused_);
    case Kind::kSqlSession: {
      auto r = admin.Query(kSqlCreate, {});
      if (!r.ok()) return r.status();
      r = admin.Query(kSqlTruncate, {});
      if (!r.ok()) return r.status();
      const std::string params[] = {nonce_, std::to_string(p_.users)};
      r = admin.Query(kSqlFill, params);
      return r.ok() ? Status::Ok() : r.status();
    }
    case Kind::kJwt:
    case Kind::kJwtDenylist:
      tokens_.resize(n);
      for (size_t u = 0; u < n; ++u) tokens_[u] = SignAccess(static_cast<int64_t>(u), now, kJwtLifetimeS);
      return Status::Ok();
    case Kind::kJwtShortRefresh: {
      // Access tokens issued at staggered times over the last access-ttl, as in a live system,
      // so they expire (and are refreshed) spread out rather than all at once.
      tokens_.resize(n);
      std::uniform_int_distribution<int64_t> age(0, p_.access_ttl_s - 1);
      for (size_t u = 0; u < n; ++u) {
        tokens_[u] = SignAccess(static_cast<int64_t>(u), now - age(rng), p_.access_ttl_s);
        commands.push_back({"SET", RefreshKey(static_cast<int64_t>(u)), std::to_string(u), "PX",
                            std::to_string(kRefreshLifetimeS * 1000)});
      }
      return RunBatches(admin, commands, &logins_refused_);
    }
  }
  return Status::Internal("unknown approach");
}

Status SessionsRun::MaybeRevoke(Client& c) {
  if (revoked_at() != 0 || revoking_.load(std::memory_order_relaxed)) return Status::Ok();
  const int64_t now = NowUs();
  int64_t origin = origin_us_.load();
  if (origin == 0) {
    if (hooked_.load()) return Status::Ok();  // the harness's warm-up: not yet
    int64_t zero = 0;  // no harness (tests): the first request starts the clock
    origin_us_.compare_exchange_strong(zero, now);
    origin = origin_us_.load();
  }
  if (now < origin + p_.revoke_at_ms * 1000) return Status::Ok();
  bool expected = false;
  if (!revoking_.compare_exchange_strong(expected, true)) return Status::Ok();
  Status s = Revoke(c);
  revoked_at_us_.store(std::max<int64_t>(1, NowUs()), std::memory_order_release);
  return s;
}

Status SessionsRun::Revoke(Client& c) {
  std::vector<int64_t> users;
  for (int64_t u = 0; u < p_.users; ++u) {
    if (ToBeRevoked(u)) users.push_back(u);
  }
  if (users.empty()) return Status::Ok();
  std::vector<Argv> commands;
  switch (kind_) {
    case Kind::kSessionTtl:
      for (int64_t u : users) commands.push_back({"DEL", SessionKey(u)});
      return RunBatches(c, commands, nullptr);
    case Kind::kSqlSession: {
      std::string array = "{";
      for (int64_t u : users) array += (array.size() > 1 ? "," : "") + SessionId(u);
      array += "}";
      auto r = c.Query(kSqlLogout, std::vector<std::string>{array});
      return r.ok() ? Status::Ok() : r.status();
    }
    case Kind::kJwt:
      return Status::Ok();  // the server has nothing to delete: that is the point
    case Kind::kJwtDenylist: {
      const int64_t now = WallS();
      for (int64_t u : users) {
        // The entry lives as long as the token could: its remaining life.
        auto claims = jwt::Verify(Token(u), secret_, now);
        if (!claims.ok()) continue;  // already expired: nothing to deny
        const int64_t left_ms = ((*claims)["exp"].get<int64_t>() - now) * 1000;
        commands.push_back({"SET", DenyKey((*claims)["jti"].get<std::string>()), "1", "PX",
                            std::to_string(std::max<int64_t>(1, left_ms))});
      }
      return RunBatches(c, commands, &revocations_failed_);
    }
    case Kind::kJwtShortRefresh:
      for (int64_t u : users) commands.push_back({"DEL", RefreshKey(u)});
      return RunBatches(c, commands, nullptr);
  }
  return Status::Ok();
}

void SessionsRun::Count(int64_t u, int64_t t0, bool accepted, int round_trips,
                        int64_t verify_ns) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  round_trips_.fetch_add(round_trips, std::memory_order_relaxed);
  const int64_t revoked_at = this->revoked_at();
  const bool revoked_user = ToBeRevoked(u);
  if (revoked_user && revoked_at != 0 && t0 >= revoked_at) {
    if (accepted) {
      accepted_after_.fetch_add(1, std::memory_order_relaxed);
      int64_t prev = last_accepted_after_us_.load(std::memory_order_relaxed);
      while (t0 > prev && !last_accepted_after_us_.compare_exchange_weak(prev, t0)) {
      }
    } else {
      rejected_revoked_.fetch_add(1, std::memory_order_relaxed);
    }
  } else if (!revoked_user && !accepted) {
    wrongly_rejected_.fetch_add(1, std::memory_order_relaxed);
  }
  std::lock_guard lock(mu_);
  if (verify_ns >= 0 && verify_ns_.size() < 200'000) verify_ns_.push_back(verify_ns);
  const int64_t origin = origin_us_.load();
  if (origin != 0 && t0 >= origin) {
    const int64_t bucket = (t0 - origin) / kSeriesBucketUs;
    last_bucket_ = std::max(last_bucket_, bucket);
    if (revoked_user && accepted) ++revoked_user_accepted_[bucket];
  }
}

// ---- requests ----

Result<bool> SessionsWorker::VerifyJwt(const std::string& token, nlohmann::json* claims,
                                       bool* expired) {
  auto c = jwt::Verify(token, run_->secret(), WallS());
  *expired = false;
  if (c.ok()) {
    *claims = std::move(c).value();
    return true;
  }
  if (jwt::IsExpired(c.status())) {
    *expired = true;
    return false;
  }
  return Status::Internal("a token this run signed failed to verify: " + c.status().message());
}

Status SessionsWorker::Step() {
  Status s = run_->MaybeRevoke(*client_);
  if (!s.ok()) return s;
  std::uniform_int_distribution<size_t> pick(0, users_.size() - 1);
  const int64_t u = users_[pick(rng_)];
  const int64_t t0 = NowUs();
  int round_trips = 0;
  int64_t verify_ns = -1;
  bool accepted = false;
  switch (run_->kind()) {
    case Kind::kSessionTtl: {
      const std::string key = run_->SessionKey(u);
      const std::vector<Argv> cmds = {
          {"HGET", key, "user"}, {"PEXPIRE", key, std::to_string(kSessionIdleS * 1000)}};
      auto r = client_->Pipeline(cmds);
      if (!r.ok()) return r.status();
      round_trips = 1;
      if ((*r)[0].is_error()) return Status::InvalidArgument((*r)[0].str);
      accepted = !(*r)[0].is_nil();
      break;
    }
    case Kind::kSqlSession: {
      auto r = client_->Query(kSqlTouch, std::vector<std::string>{run_->SessionId(u)});
      if (!r.ok()) return r.status();
      round_trips = 1;
      accepted = !r->rows.empty();
      break;
    }
    case Kind::kJwt:
    case Kind::kJwtDenylist:
    case Kind::kJwtShortRefresh: {
      nlohmann::json claims;
      bool expired = false;
      const auto v0 = std::chrono::steady_clock::now();
      auto valid = VerifyJwt(run_->Token(u), &claims, &expired);
      verify_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - v0)
                      .count();
      if (!valid.ok()) return valid.status();
      accepted = *valid;
      if (run_->kind() == Kind::kJwtDenylist && accepted) {
        auto denied = client_->Get(run_->DenyKey(claims["jti"].get<std::string>()));
        if (!denied.ok()) return denied.status();
        round_trips = 1;
        accepted = !denied->has_value();
      }
      if (run_->kind() == Kind::kJwtShortRefresh && expired) {
        // The access token ran out: ask the store whether the refresh token still stands.
        auto refresh = client_->Get(run_->RefreshKey(u));
        if (!refresh.ok()) return refresh.status();
        round_trips = 1;
        if (refresh->has_value()) {
          run_->Token(u) = run_->SignAccess(u, WallS(), run_->params().access_ttl_s);
          accepted = true;
        }
      }
      break;
    }
  }
  run_->Count(u, t0, accepted, round_trips, verify_ns);
  return Status::Ok();
}

// ---- verdict ----

// One way on every target (scenarios/memory_per_key.h): after the run, at rest, every key.
void SessionsRun::MeasureMemory(Client& admin, std::string* note) {
  Result<KeyMemory> m = Status::Internal("unset");
  std::vector<std::string> keys;
  switch (kind_) {
    case Kind::kSqlSession:
      m = SqlMemoryPerKey(admin, "rt_sessions", p_.users);
      break;
    case Kind::kJwt:
      figures_["memory_per_key_bytes"] = 0;  // nothing on any server
      memory_method_ = "nothing is stored on a server";
      return;
    case Kind::kSessionTtl:
    case Kind::kJwtShortRefresh:
      for (int64_t u = 0; u < p_.users; ++u) {
        if (ToBeRevoked(u)) continue;
        keys.push_back(kind_ == Kind::kSessionTtl ? SessionKey(u) : RefreshKey(u));
      }
      m = RespMemoryPerKey(admin, keys);
      break;
    case Kind::kJwtDenylist:
      // Stored per revoked token only: spread over all sessions.
      for (int64_t u = 0; u < p_.users; ++u) {
        if (ToBeRevoked(u)) keys.push_back(DenyKey(nonce_ + "-" + std::to_string(u)));
      }
      if (keys.empty()) return;
      m = RespMemoryPerKey(admin, keys, p_.users);
      break;
  }
  if (!m.ok()) {
    *note += " Memory not measured: " + m.status().message() + ".";
    return;
  }
  AddMemoryFigures(*m, &figures_);
  memory_method_ = m->method;
}

Status SessionsRun::Cleanup(Client& admin) {
  if (kind_ == Kind::kSqlSession) {
    auto r = admin.Query(kSqlTruncate, {});
    return r.ok() ? Status::Ok() : r.status();
  }
  if (kind_ == Kind::kJwt) return Status::Ok();
  std::vector<Argv> commands;
  for (int64_t u = 0; u < p_.users; ++u) {
    if (kind_ == Kind::kSessionTtl) commands.push_back({"DEL", SessionKey(u)});
    if (kind_ == Kind::kJwtShortRefresh) commands.push_back({"DEL", RefreshKey(u)});
    if (kind_ == Kind::kJwtDenylist && ToBeRevoked(u)) {
      commands.push_back({"DEL", DenyKey(nonce_ + "-" + std::to_string(u))});
    }
  }
  return RunBatches(admin, commands, nullptr);
}

// Users logged out by eviction: sessions of users who never logged out that are gone.
Result<int64_t> SessionsRun::CountEvicted(Client& admin) {
  int64_t evicted = 0;
  if (!memory_limited_ || (kind_ != Kind::kSessionTtl && kind_ != Kind::kJwtShortRefresh)) {
    return evicted;
  }
  std::vector<Argv> exists;
  for (int64_t u = 0; u < p_.users; ++u) {
    if (!ToBeRevoked(u)) {
      exists.push_back({"EXISTS", kind_ == Kind::kSessionTtl ? SessionKey(u) : RefreshKey(u)});
    }
  }
  for (size_t i = 0; i < exists.size(); i += kBatch) {
    const size_t n = std::min(kBatch, exists.size() - i);
    auto r = admin.Pipeline(std::span<const Argv>(exists.data() + i, n));
    if (!r.ok()) return r.status();
    for (const Reply& x : *r) evicted += x.type == Reply::Type::kInteger && x.integer == 0;
  }
  return evicted;
}

Correctness SessionsRun::Judge(int64_t evicted) const {
  Correctness c;
  const int64_t revoked_at = this->revoked_at();
  const int64_t accepted_after = accepted_after_.load();
  const int64_t last = last_accepted_after_us_.load();
  const double delay_ms =
      accepted_after > 0 && revoked_at != 0 ? static_cast<double>(last - revoked_at) / 1000 : 0;
  const int64_t requests = requests_.load();
  c.figures = {{"requests", static_cast<double>(requests)},
               {"users", static_cast<double>(p_.users)},
               {"revoked_users", static_cast<double>(revoked_count_)},
               {"accepted_after_revocation", static_cast<double>(accepted_after)},
               {"rejected_after_revocation", static_cast<double>(rejected_revoked_.load())},
               {"revocation_delay_ms", delay_ms},
               {"wrongly_rejected", static_cast<double>(wrongly_rejected_.load())},
               {"users_evicted", static_cast<double>(evicted)},
               {"logins_refused", static_cast<double>(logins_refused_)},
               {"revocations_failed", static_cast<double>(revocations_failed_)}};
  const bool revoked = revoked_at != 0;
  const bool wrong_out = wrongly_rejected_.load() > 0 || evicted > 0 || logins_refused_ > 0;
  if (kind_ == Kind::kJwtShortRefresh) {
    // Its contract: a revoked user is out within one access-token lifetime.
    c.ok = revoked && delay_ms <= static_cast<double>(p_.access_ttl_s) * 1000 && !wrong_out;
  } else {
    c.ok = revoked && accepted_after == 0 && !wrong_out;
  }
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "%lld of %lld users logged out; %lld requests from them were accepted after the "
                "logout was acknowledged (the last %.0f ms after it), %lld rejected.",
                static_cast<long long>(revoked_count_), static_cast<long long>(p_.users),
                static_cast<long long>(accepted_after), delay_ms,
                static_cast<long long>(rejected_revoked_.load()));
  c.note = buf;
  if (!revoked) {
    c.note = "The revocation never happened: the run was shorter than --revoke-at-ms (" +
             std::to_string(p_.revoke_at_ms) + " ms).";
  }
  if (kind_ == Kind::kJwt && accepted_after > 0) {
    c.note += " A signed token stays valid until its exp (15 min): logging out cannot take it "
              "back.";
  }
  if (kind_ == Kind::kJwtShortRefresh) {
    c.note += " Within its contract, a revoked user is out once the access token (" +
              std::to_string(p_.access_ttl_s) + " s) expires.";
  }
  if (evicted > 0 || wrongly_rejected_.load() > 0 || logins_refused_ > 0) {
    c.note += " Under maxmemory " + std::to_string(p_.maxmemory) + " bytes (" + p_.policy +
              "): " + std::to_string(evicted) + " users logged out by eviction, " +
              std::to_string(wrongly_rejected_.load()) + " requests of users who never logged "
              "out rejected, " + std::to_string(logins_refused_) + " logins refused.";
  }
  return c;
}

// Round trips and token size per request, local verification time, and the series of accepted
// requests of the users who log out, per 50 ms, with the revocation instant.
void SessionsRun::AddFiguresAndSeries() {
  const int64_t revoked_at = this->revoked_at();
  const int64_t requests = requests_.load();
  if (requests > 0) {
    figures_["round_trips_per_request"] =
        static_cast<double>(round_trips_.load()) / static_cast<double>(requests);
  }
  if (!tokens_.empty()) {
    double total = 0;
    for (const auto& t : tokens_) total += static_cast<double>(t.size());
    figures_["token_bytes"] = total / static_cast<double>(tokens_.size());
  }
  {
    std::lock_guard lock(mu_);
    if (!verify_ns_.empty()) {
      std::vector<int64_t> v = verify_ns_;
      std::sort(v.begin(), v.end());
      figures_["local_verify_p50_us"] = static_cast<double>(v[v.size() / 2]) / 1000;
      figures_["local_verify_p99_us"] =
          static_cast<double>(v[std::min(v.size() - 1, v.size() * 99 / 100)]) / 1000;
    }
    // Accepted requests of the users who log out, per 50 ms, with the revocation instant.
    const int64_t origin = origin_us_.load();
    const int64_t last_bucket = last_bucket_;
    if (origin != 0 && last_bucket >= 0) {
      const double revoke_s =
          revoked_at != 0 ? static_cast<double>(revoked_at - origin) / 1e6 : -1;
      for (int64_t b = 0; b <= last_bucket; ++b) {
        series_["t_s"].push_back(static_cast<double>((b + 1) * kSeriesBucketUs) / 1e6);
        auto it = revoked_user_accepted_.find(b);
        series_["revoked_users_accepted"].push_back(
            it == revoked_user_accepted_.end() ? 0 : static_cast<double>(it->second));
        series_["revoke_at_s"].push_back(revoke_s);
      }
    }
  }
}

Result<Correctness> SessionsRun::Verify(Client& admin) {
  Result<int64_t> evicted = CountEvicted(admin);
  if (!evicted.ok()) return evicted.status();
  std::string extra_note;
  MeasureMemory(admin, &extra_note);
  Status restored = RestoreMemoryLimit(admin);
  Status cleaned = Cleanup(admin);
  Correctness c = Judge(*evicted);
  c.note += extra_note;
  if (!restored.ok()) c.note += " Could not restore maxmemory: " + restored.message();
  if (!cleaned.ok()) c.note += " Cleanup failed: " + cleaned.message();
  AddFiguresAndSeries();
  return c;
}

// ---- the scenario ----

// BEGIN lesson sessions
constexpr char kLesson[] = R"(The article says Redis sessions are "your undo button" and that "a JWT can't be taken back before it expires". Both halves hold, and the numbers show what each costs.

A server-side session (a hash per user with a sliding expiry in the Redis-like, or a row in PostgreSQL) is looked up on every request: one round trip each time, a few hundred bytes of server memory per user, and logout is a DEL — the next request is refused, zero accepted after revocation.

A JWT is verified in the client process with an HMAC (a few microseconds, no server, no memory per user). Logout cannot reach it: every request of a "logged-out" user is accepted until the token's exp (15 minutes here; measured: 306 requests of 100 logged-out users accepted in the 0.7 s left of a 1 s run). The fixes give the statefulness back. A denylist of revoked token ids (with a TTL of the token's remaining life) stops them at once — at the price of one round trip per request again, the same as the session store it was meant to replace, though its memory is per revoked token, not per user. Short access tokens (30 s) with a revocable refresh token are the middle ground: almost no round trips (one per refresh), and a revoked user is out within one access-token lifetime — "revoked within 30 s" is its contract, not "now".

The store's memory limit is part of the design: run --maxmemory (bytes) with --maxmemory-policy. With allkeys-lru a full store evicts sessions and logs users out who never asked (counted); volatile-lru does the same to keys with a TTL (every session here has one); noeviction keeps every session but refuses new logins — and refuses denylist entries, so a revocation fails open.)";
// END lesson sessions

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "sessions", "Sessions: TTL sessions vs JWT, and what \"log out now\" costs", "requests",
      "When a user logs out (or is marked compromised), how many of their requests are still "
      "accepted afterwards, and what does each request cost?");
  info.approaches = ApproachInfos(kApproaches);
  info.expected =
      "session-ttl, sql-session and jwt-denylist accept nothing after the logout is acknowledged, "
      "paying one round trip per request. jwt accepts every request of a revoked user until the "
      "token expires, with no round trip at all. jwt-short-refresh accepts them until the access "
      "token expires (at most 30 s), with a round trip only per refresh.";
  info.lesson = kLesson;
  info.live_figures = {"accepted_after_revocation", "rejected_revoked", "wrongly_rejected"};
  info.default_clients = 8;
  info.default_duration_s = 1.0;
  info.knobs = {
      Knob("users", "users with a session, spread over the client threads", 1, 1'000'000, {10'000}),
      Knob("revoke", "fraction of users who log out at --revoke-at-ms", 0, 1, {0.01}, kKnobReal),
      Knob("revoke-at-ms", "when they log out, ms after the timed run starts", 0, 3'600'000, {300}),
      Knob("access-ttl-s", "jwt-short-refresh: access token lifetime, s", 1, 86'400, {30}),
      Knob("maxmemory", "store memory limit in bytes for the run, 0 = none (not in-process)", 0,
           1e12, {0}),
      ChoiceKnob("maxmemory-policy", "eviction policy with --maxmemory",
                 std::vector<std::string>(std::begin(kPolicies), std::end(kPolicies)), {0}),
  };
  return info;
}

class SessionsScenario final : public Lesson {
 public:
  SessionsScenario() : Lesson(BuildInfo()) {}

  std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo& approach, adapters::TargetKind kind,
      const KnobValues& knobs) const override {
    const KnobInfo* mm = FindKnob(info_, "maxmemory");
    const double maxmemory = KnobValuesOrDefault(*mm, knobs).front();
    if (maxmemory > 0) {
      // The memory-limit pattern needs a Redis-like server of its own.
      const Kind k = KindOf(approach.id);
      if (kind != adapters::TargetKind::kBuiltinTcp && kind != adapters::TargetKind::kRedis) {
        return {};
      }
      if (k == Kind::kSqlSession || k == Kind::kJwt) return {};
    }
    // One point carrying every knob's value (none sweeps), recorded as the record's params.
    std::map<std::string, double> point;
    for (const KnobInfo& k : info_.knobs) {
      if (maxmemory <= 0 && (k.name == "maxmemory" || k.name == "maxmemory-policy")) continue;
      point[k.name] = KnobValuesOrDefault(k, knobs).front();
    }
    return {point};
  }

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    auto knobs = RunKnobValues(info_, context.extra);
    if (!knobs.ok()) return knobs.status();
    std::map<std::string, double>& v = *knobs;
    Params p;
    p.users = static_cast<int64_t>(v["users"]);
    p.revoke = v["revoke"];
    p.revoke_at_ms = static_cast<int64_t>(v["revoke-at-ms"]);
    p.access_ttl_s = static_cast<int64_t>(v["access-ttl-s"]);
    p.maxmemory = static_cast<int64_t>(v["maxmemory"]);
    p.policy = kPolicies[static_cast<size_t>(v["maxmemory-policy"])];
    if (p.maxmemory > 0 && context.target != nullptr &&
        context.target->kind() == adapters::TargetKind::kBuiltin) {
      return Status::InvalidArgument("--maxmemory is not measured in-process (the engine's "
                                     "memory figure is the whole process's)");
    }
    auto run = std::make_unique<SessionsRun>(approach, p, context.seed, context.clients);
    Status s = run->Prepare(admin);
    return PreparedRun(std::move(run), s);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeSessionsScenario() { return std::make_unique<SessionsScenario>(); }

}  // namespace racetrack::scenarios

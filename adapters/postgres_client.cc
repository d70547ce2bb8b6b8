// The postgres target over libpq.
//
// Every statement goes through the extended protocol with its values as parameters — never
// spliced into SQL text. Named statements are prepared once per connection on first use
// (PQprepare) and executed with PQexecPrepared; unnamed ones (DDL, one-offs) use PQexecParams.
// QueryBatch uses libpq's pipeline mode (PostgreSQL 14+ libpq): every call is sent, one Sync,
// then the results are read — one round trip for the batch.
//
// COMMIT after a failed statement is answered by PostgreSQL with a successful "ROLLBACK" tag;
// Commit() turns that into an error so a rolled-back transaction is never reported as committed.
#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "adapters/url.h"

namespace racetrack::adapters {

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string OneLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// LISTEN/NOTIFY is in every supported version; a local `postgres` binary is what the persistence
// lesson starts, kills and restarts.
constexpr uint32_t kPostgresCaps = kCapSql | kCapSqlPipeline | kCapSqlListen | kCapOwnProcess;

struct PgEndpoint {
  std::string url;       // full, with password: only ever handed to libpq
  std::string redacted;
  std::string password;
  double connect_timeout_s;
  double command_timeout_s;
};

class PostgresClient final : public Client {
 public:
  explicit PostgresClient(const PgEndpoint& ep) : ep_(ep) {}
  ~PostgresClient() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  Status Open() {
    const std::string timeout =
        std::to_string(std::max(1, static_cast<int>(ep_.connect_timeout_s + 0.5)));
    const std::string user_timeout =
        std::to_string(static_cast<int>(ep_.command_timeout_s * 1000));
    const char* keys[] = {"dbname", "connect_timeout", "application_name", "tcp_user_timeout",
                          "keepalives", "keepalives_idle", nullptr};
    const char* values[] = {ep_.url.c_str(), timeout.c_str(), "racetrack", user_timeout.c_str(),
                            "1", "5", nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr) return Fail(Status::Unavailable(Prefix() + "out of memory"));
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Fail(Status::Unavailable(Prefix() + Clean(PQerrorMessage(conn_))));
    }
    // NOTICEs ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    return Status::Ok();
  }

  std::string server_version() const {
    const char* v = PQparameterStatus(conn_, "server_version");
    std::string s = v == nullptr ? "unknown" : v;
    return s.substr(0, s.find(' '));
  }

  std::string_view target_name() const override { return "postgres"; }
  uint32_t capabilities() const override { return kPostgresCaps; }

  Result<Reply> Command(const Argv&) override { return NotSupported("Redis commands"); }
  Result<std::vector<Reply>> Pipeline(std::span<const Argv>) override {
    return NotSupported("Redis commands");
  }

  Result<SqlRows> Query(const SqlStatement& st, std::span<const std::string> params) override {
    if (!broken_.ok()) return broken_;
    last_sqlstate_.clear();
    Status s = EnsurePrepared(st, static_cast<int>(params.size()));
    if (!s.ok()) return s;
    BindParams(params);
    PGresult* raw =
        st.name.empty()
            ? PQexecParams(conn_, st.sql.c_str(), static_cast<int>(params.size()), nullptr,
                           values_.data(), lengths_.data(), nullptr, 0)
            : PQexecPrepared(conn_, st.name.c_str(), static_cast<int>(params.size()),
                             values_.data(), lengths_.data(), nullptr, 0);
    return Collect(PgResult(raw));
  }

  Result<std::vector<SqlRows>> QueryBatch(std::span<const SqlCall> calls) override {
    if (!broken_.ok()) return broken_;
    last_sqlstate_.clear();
    for (const SqlCall& call : calls) {
      if (call.statement->name.empty()) {
        return Status::InvalidArgument("QueryBatch needs named (prepared) statements");
      }
      Status s = EnsurePrepared(*call.statement, static_cast<int>(call.params.size()));
      if (!s.ok()) return s;
    }
    if (PQenterPipelineMode(conn_) != 1) return Fail(ConnStatus("entering pipeline mode"));
    for (const SqlCall& call : calls) {
      BindParams(call.params);
      if (PQsendQueryPrepared(conn_, call.statement->name.c_str(),
                              static_cast<int>(call.params.size()), values_.data(),
                              lengths_.data(), nullptr, 0) != 1) {
        return Fail(ConnStatus("sending a pipelined query"));
      }
    }
    if (PQpipelineSync(conn_) != 1) return Fail(ConnStatus("pipeline sync"));
    std::vector<SqlRows> out;
    Status first_error;
    for (size_t i = 0; i < calls.size(); ++i) {
      PgResult r(PQgetResult(conn_));
      if (r == nullptr) return Fail(ConnStatus("reading pipelined results"));
      auto rows = Collect(std::move(r));
      if (!rows.ok() && first_error.ok()) first_error = rows.status();
      out.push_back(rows.ok() ? std::move(rows).value() : SqlRows{});
      PgResult end(PQgetResult(conn_));  // nullptr terminates each query's results
      if (!broken_.ok()) return broken_;
    }
    PgResult sync(PQgetResult(conn_));
    if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      return Fail(ConnStatus("expected the pipeline sync"));
    }
    if (PQexitPipelineMode(conn_) != 1) return Fail(ConnStatus("leaving pipeline mode"));
    if (!first_error.ok()) return first_error;
    return out;
  }

  Status Begin(Isolation isolation) override {
    static const SqlStatement kRc{"", "BEGIN ISOLATION LEVEL READ COMMITTED"};
    static const SqlStatement kRr{"", "BEGIN ISOLATION LEVEL REPEATABLE READ"};
    static const SqlStatement kSer{"", "BEGIN ISOLATION LEVEL SERIALIZABLE"};
    const SqlStatement& st = isolation == Isolation::kSerializable     ? kSer
                             : isolation == Isolation::kRepeatableRead ? kRr
                                                                       : kRc;
    auto r = Query(st, {});
    return r.ok() ? Status::Ok() : r.status();
  }

  Status Commit() override {
    static const SqlStatement kCommit{"", "COMMIT"};
    if (!broken_.ok()) return broken_;
    last_sqlstate_.clear();
    PgResult r(PQexecParams(conn_, kCommit.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
    if (r != nullptr && PQresultStatus(r.get()) == PGRES_COMMAND_OK &&
        std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
      return Status::InvalidArgument(Prefix() + "COMMIT rolled back: an earlier statement failed");
    }
    auto rows = Collect(std::move(r));
    return rows.ok() ? Status::Ok() : rows.status();
  }

  Status Rollback() override {
    static const SqlStatement kRollback{"", "ROLLBACK"};
    const std::string keep = last_sqlstate_;  // the conflict that made us roll back stays visible
    auto r = Query(kRollback, {});
    last_sqlstate_ = keep;
    return r.ok() ? Status::Ok() : r.status();
  }

  Status Subscribe(std::string_view channel) override {
    if (!broken_.ok()) return broken_;
    char* quoted = PQescapeIdentifier(conn_, channel.data(), channel.size());
    if (quoted == nullptr) return Status::InvalidArgument(Prefix() + Clean(PQerrorMessage(conn_)));
    const SqlStatement listen{"", std::string("LISTEN ") + quoted};
    PQfreemem(quoted);
    auto r = Query(listen, {});
    return r.ok() ? Status::Ok() : r.status();
  }

  // Notifications arrive between queries; libpq only reads them when asked (PQconsumeInput), so
  // wait for the socket with poll() and then collect them.
  Result<std::optional<PushMessage>> Receive(double timeout_s) override {
    if (!broken_.ok()) return broken_;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::microseconds(static_cast<int64_t>(timeout_s * 1e6));
    for (;;) {
      if (PQconsumeInput(conn_) != 1) return Fail(ConnStatus("reading notifications"));
      if (PGnotify* n = PQnotifies(conn_)) {
        PushMessage m{n->relname, n->extra};
        PQfreemem(n);
        return std::optional<PushMessage>(std::move(m));
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::optional<PushMessage>();
      pollfd pfd{PQsocket(conn_), POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return std::optional<PushMessage>();
    }
  }

  void Abort() override {
    if (conn_ == nullptr || !broken_.ok()) return;
    shutdown(PQsocket(conn_), SHUT_RDWR);
    broken_ = Status::Unavailable(Prefix() + "connection cut by the client (Abort)");
  }

  bool LastErrorWasConflict() const override {
    return last_sqlstate_ == "40001" || last_sqlstate_ == "40P01";
  }

 private:
  std::string Prefix() const { return "postgres " + ep_.redacted + ": "; }
  std::string Clean(const char* msg) const { return RedactSecret(OneLine(msg), ep_.password); }

  Status Fail(Status s) {
    broken_ = s;
    return s;
  }
  Status ConnStatus(const char* doing) const {
    return Status::Unavailable(Prefix() + doing + ": " + Clean(PQerrorMessage(conn_)));
  }

  Status EnsurePrepared(const SqlStatement& st, int nparams) {
    if (st.name.empty() || prepared_.count(st.name) != 0) return Status::Ok();
    PgResult r(PQprepare(conn_, st.name.c_str(), st.sql.c_str(), nparams, nullptr));
    auto rows = Collect(std::move(r));
    if (!rows.ok()) return rows.status();
    prepared_.insert(st.name);
    return Status::Ok();
  }

  void BindParams(std::span<const std::string> params) {
    values_.resize(params.size());
    lengths_.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      values_[i] = params[i].c_str();
      lengths_[i] = static_cast<int>(params[i].size());
    }
  }

  Result<SqlRows> Collect(PgResult r) {
    if (r == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
      return Fail(Status::Unavailable(Prefix() + "connection lost: " +
                                      Clean(PQerrorMessage(conn_))));
    }
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      SqlRows rows;
      const int n = PQntuples(r.get());
      const int cols = PQnfields(r.get());
      rows.rows.resize(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        auto& row = rows.rows[static_cast<size_t>(i)];
        row.reserve(static_cast<size_t>(cols));
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(r.get(), i, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(r.get(), i, c),
                                         static_cast<size_t>(PQgetlength(r.get(), i, c))));
          }
        }
      }
      const char* affected = PQcmdTuples(r.get());
      rows.affected = (affected != nullptr && *affected != '\0') ? std::atoll(affected) : 0;
      return rows;
    }
    if (st == PGRES_PIPELINE_ABORTED) {
      return Status::InvalidArgument(Prefix() + "skipped: an earlier statement in the batch failed");
    }
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    last_sqlstate_ = state == nullptr ? "" : state;
    return Status::InvalidArgument(Prefix() + Clean(PQresultErrorMessage(r.get())));
  }

  PgEndpoint ep_;
  PGconn* conn_ = nullptr;
  Status broken_;
  std::string last_sqlstate_;
  std::unordered_set<std::string> prepared_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
};

class PostgresTarget final : public Target {
 public:
  PostgresTarget(PgEndpoint ep, std::string version)
      : ep_(std::move(ep)), version_(std::move(version)) {}
  TargetKind kind() const override { return TargetKind::kPostgres; }
  uint32_t capabilities() const override { return kPostgresCaps; }
  std::string endpoint() const override { return ep_.redacted; }
  std::string server_version() const override { return version_; }
  std::string dial_url() const override { return ep_.url; }  // for adapters/delay_proxy.h (h7)
  Result<std::unique_ptr<Client>> Connect() override {
    auto client = std::make_unique<PostgresClient>(ep_);
    Status s = client->Open();
    if (!s.ok()) return s;
    return std::unique_ptr<Client>(std::move(client));
  }

 private:
  PgEndpoint ep_;
  std::string version_;
};

}  // namespace

Result<std::unique_ptr<Target>> MakePostgresTarget(std::string_view url_text,
                                                   const TargetOptions& options) {
  auto url = ParseUrlOfScheme(url_text, {"postgresql", "postgres"},
                              "postgresql://user:password@host:port/dbname");
  if (!url.ok()) return url.status();
  PgEndpoint ep{std::string(url_text), Redact(url_text), url->password, options.connect_timeout_s,
                options.command_timeout_s};
  PostgresClient probe(ep);
  Status s = probe.Open();
  if (!s.ok()) return s;
  return std::unique_ptr<Target>(std::make_unique<PostgresTarget>(ep, probe.server_version()));
}

}  // namespace racetrack::adapters

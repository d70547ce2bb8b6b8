// The messaging transports. Why per-slot keys: message n belongs to consumer slot n mod C, and
// giving each slot its own stream / list / table partition makes "its consumer or that
// consumer's replacement" exact (as Kafka partitions do); Pub/Sub and NOTIFY broadcast instead.
#include "scenarios/messaging_transport.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/base/clock.h"
#include "scenarios/messaging.h"

namespace racetrack::scenarios::messaging {

namespace {

using adapters::PushMessage;
using adapters::Reply;
using adapters::SqlStatement;

constexpr char kPubSubChannel[] = "rt:messaging";
constexpr char kNotifyChannel[] = "rt_messaging";
constexpr char kStreamPrefix[] = "rt:messaging:s:";
constexpr char kQueuePrefix[] = "rt:messaging:q:";
constexpr char kProcessingPrefix[] = "rt:messaging:p:";
constexpr char kGroup[] = "rt-group";

using engine::MonotonicNs;

Status ReplyStatus(const Result<Reply>& r) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::InvalidArgument(r->str);
  return Status::Ok();
}

Status PipelineStatus(const Result<std::vector<Reply>>& r) {
  if (!r.ok()) return r.status();
  for (const Reply& x : *r) {
    if (x.is_error()) return Status::InvalidArgument(x.str);
  }
  return Status::Ok();
}

// Appends the decodable payloads to *out.
void DecodeInto(std::string_view payload, std::string ref, std::vector<Msg>* out) {
  Msg m;
  if (!DecodeMessage(payload, &m.n, &m.sent_ns)) return;
  m.ref = std::move(ref);
  out->push_back(std::move(m));
}

// Pushed messages: the first waits up to kFetchWaitMs, the rest of what already arrived follows.
Result<std::vector<Msg>> ReceivePushes(Client& c) {
  std::vector<Msg> out;
  for (int i = 0; i < 4 * kBatch; ++i) {
    auto m = c.Receive(i == 0 ? kFetchWaitMs / 1000.0 : 0.0);
    if (!m.ok()) return m.status();
    if (!m->has_value()) break;
    DecodeInto((*m)->payload, "", &out);
  }
  return out;
}

class PubSubTransport final : public Transport {
 public:
  Status Reset(Client&, int) override { return Status::Ok(); }
  Status Send(Client& p, const Outgoing& batch, int) override {
    std::vector<adapters::Argv> cmds;
    cmds.reserve(batch.size());
    for (const auto& [n, payload] : batch) cmds.push_back({"PUBLISH", kPubSubChannel, payload});
    return PipelineStatus(p.Pipeline(cmds));
  }
  Status Join(Client& c, int, int, std::vector<Msg>*) override {
    return c.Subscribe(kPubSubChannel);
  }
  Result<std::vector<Msg>> Fetch(Client& c, int, int) override { return ReceivePushes(c); }
};

class NotifyTransport final : public Transport {
 public:
  Status Reset(Client&, int) override { return Status::Ok(); }
  Status Send(Client& p, const Outgoing& batch, int) override {
    // One statement per batch; the payloads are "digits:digits:xxx", safe in an array literal.
    static const SqlStatement kNotify{
        "rt_messaging_notify", "SELECT pg_notify('rt_messaging', m) FROM unnest($1::text[]) AS m"};
    std::string array = "{";
    for (const auto& [n, payload] : batch) array += (array.size() > 1 ? "," : "") + payload;
    array += "}";
    auto r = p.Query(kNotify, std::vector<std::string>{array});
    return r.ok() ? Status::Ok() : r.status();
  }
  Status Join(Client& c, int, int, std::vector<Msg>*) override {
    return c.Subscribe(kNotifyChannel);
  }
  Result<std::vector<Msg>> Fetch(Client& c, int, int) override { return ReceivePushes(c); }
};

std::string ConsumerName(int slot, int generation) {
  return "c" + std::to_string(slot) + "-" + std::to_string(generation);
}

// Entries of one stream in an XREADGROUP / XAUTOCLAIM reply: [[id, [field, value, ...]], ...].
void DecodeEntries(const Reply& entries, std::vector<Msg>* out) {
  for (const Reply& e : entries.elements) {
    if (e.elements.size() != 2) continue;
    const Reply& fields = e.elements[1];
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str == "m") DecodeInto(fields.elements[i + 1].str, e.elements[0].str, out);
    }
  }
}

class StreamTransport final : public Transport {
 public:
  explicit StreamTransport(bool reclaim) : reclaim_(reclaim) {}
  Status Reset(Client& admin, int consumers) override {
    for (int i = 0; i < consumers; ++i) {
      const std::string key = kStreamPrefix + std::to_string(i);
      auto del = admin.Del(key);
      if (!del.ok()) return del.status();
      Status s = ReplyStatus(admin.Command({"XGROUP", "CREATE", key, kGroup, "$", "MKSTREAM"}));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  Status Send(Client& p, const Outgoing& batch, int consumers) override {
    std::vector<adapters::Argv> cmds;
    cmds.reserve(batch.size());
    for (const auto& [n, payload] : batch) {
      cmds.push_back({"XADD", kStreamPrefix + std::to_string(n % static_cast<uint64_t>(consumers)),
                      "*", "m", payload});
    }
    return PipelineStatus(p.Pipeline(cmds));
  }
  Status Join(Client& c, int slot, int generation, std::vector<Msg>* recovered) override {
    if (!reclaim_ || generation == 0) return Status::Ok();
    // The replacement takes over every pending entry of the stream (the dead consumer's: each
    // slot has one consumer at a time). min-idle-time 0: we know the owner is dead.
    const std::string key = kStreamPrefix + std::to_string(slot);
    std::string cursor = "0-0";
    do {
      auto r = c.Command({"XAUTOCLAIM", key, kGroup, ConsumerName(slot, generation), "0", cursor,
                          "COUNT", "100"});
      Status s = ReplyStatus(r);
      if (!s.ok()) return s;
      if (r->elements.size() < 2) return Status::Corruption("XAUTOCLAIM: unexpected reply");
      cursor = r->elements[0].str;
      DecodeEntries(r->elements[1], recovered);
    } while (cursor != "0-0");
    claimed_.fetch_add(recovered->size(), std::memory_order_relaxed);
    return Status::Ok();
  }
  Result<std::vector<Msg>> Fetch(Client& c, int slot, int generation) override {
    const std::string key = kStreamPrefix + std::to_string(slot);
    auto r = c.Command({"XREADGROUP", "GROUP", kGroup, ConsumerName(slot, generation), "COUNT",
                        std::to_string(kBatch), "BLOCK", std::to_string(kFetchWaitMs), "STREAMS",
                        key, ">"});
    Status s = ReplyStatus(r);
    if (!s.ok()) return s;
    std::vector<Msg> out;
    for (const Reply& stream : r->elements) {
      if (stream.elements.size() == 2) DecodeEntries(stream.elements[1], &out);
    }
    return out;
  }
  Status Ack(Client& c, int slot, const std::vector<Msg>& batch) override {
    if (batch.empty()) return Status::Ok();
    adapters::Argv cmd = {"XACK", kStreamPrefix + std::to_string(slot), kGroup};
    for (const Msg& m : batch) cmd.push_back(m.ref);
    return ReplyStatus(c.Command(cmd));
  }
  Result<int64_t> Pending(Client& observer, int consumers) override {
    int64_t total = 0;
    for (int i = 0; i < consumers; ++i) {
      auto r = observer.Command({"XPENDING", kStreamPrefix + std::to_string(i), kGroup});
      if (!r.ok()) return r.status();
      if (!r->elements.empty()) total += r->elements[0].integer;
    }
    return total;
  }

 private:
  bool reclaim_;
  std::atomic<uint64_t> claimed_{0};
};

class ListTransport final : public Transport {
 public:
  explicit ListTransport(bool reliable) : reliable_(reliable) {}
  Status Reset(Client& admin, int consumers) override {
    for (int i = 0; i < consumers; ++i) {
      for (const char* prefix : {kQueuePrefix, kProcessingPrefix}) {
        auto del = admin.Del(prefix + std::to_string(i));
        if (!del.ok()) return del.status();
      }
    }
    return Status::Ok();
  }
  Status Send(Client& p, const Outgoing& batch, int consumers) override {
    std::vector<adapters::Argv> cmds;
    cmds.reserve(batch.size());
    for (const auto& [n, payload] : batch) {
      cmds.push_back(
          {"LPUSH", kQueuePrefix + std::to_string(n % static_cast<uint64_t>(consumers)), payload});
    }
    return PipelineStatus(p.Pipeline(cmds));
  }
  Status Join(Client& c, int slot, int generation, std::vector<Msg>*) override {
    if (!reliable_ || generation == 0) return Status::Ok();
    // The reaper: whatever a dead consumer left in its processing list goes back to the end of
    // the queue that is popped next.
    const std::string queue = kQueuePrefix + std::to_string(slot);
    const std::string processing = kProcessingPrefix + std::to_string(slot);
    for (;;) {
      auto r = c.Command({"LMOVE", processing, queue, "RIGHT", "RIGHT"});
      Status s = ReplyStatus(r);
      if (!s.ok()) return s;
      if (r->is_nil()) return Status::Ok();
    }
  }
  Result<std::vector<Msg>> Fetch(Client& c, int slot, int) override {
    const std::string queue = kQueuePrefix + std::to_string(slot);
    const std::string wait = std::to_string(kFetchWaitMs / 1000.0);
    std::vector<Msg> out;
    if (reliable_) {
      auto r = c.Command({"BLMOVE", queue, kProcessingPrefix + std::to_string(slot), "RIGHT",
                          "LEFT", wait});
      Status s = ReplyStatus(r);
      if (!s.ok()) return s;
      if (!r->is_nil()) DecodeInto(r->str, r->str, &out);
    } else {
      auto r = c.Command({"BRPOP", queue, wait});
      Status s = ReplyStatus(r);
      if (!s.ok()) return s;
      if (r->elements.size() == 2) DecodeInto(r->elements[1].str, "", &out);
    }
    return out;
  }
  Status Ack(Client& c, int slot, const std::vector<Msg>& batch) override {
    if (!reliable_) return Status::Ok();
    for (const Msg& m : batch) {
      Status s =
          ReplyStatus(c.Command({"LREM", kProcessingPrefix + std::to_string(slot), "1", m.ref}));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  Result<int64_t> Pending(Client& observer, int consumers) override {
    if (!reliable_) return int64_t{0};
    int64_t total = 0;
    for (int i = 0; i < consumers; ++i) {
      auto r = observer.Command({"LLEN", kProcessingPrefix + std::to_string(i)});
      if (!r.ok()) return r.status();
      total += r->integer;
    }
    return total;
  }

 private:
  bool reliable_;
};

class SqlQueueTransport final : public Transport {
 public:
  Status Reset(Client& admin, int) override {
    static const SqlStatement kCreate{
        "", "CREATE TABLE IF NOT EXISTS rt_messaging (id bigint PRIMARY KEY, part int NOT NULL, "
            "payload text NOT NULL)"};
    static const SqlStatement kIndex{
        "", "CREATE INDEX IF NOT EXISTS rt_messaging_part ON rt_messaging (part, id)"};
    static const SqlStatement kTruncate{"", "TRUNCATE rt_messaging"};
    for (const SqlStatement* st : {&kCreate, &kIndex, &kTruncate}) {
      auto r = admin.Query(*st, {});
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }
  Status Send(Client& p, const Outgoing& batch, int consumers) override {
    static const SqlStatement kInsert{
        "rt_messaging_insert",
        "INSERT INTO rt_messaging (id, part, payload) "
        "SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[])"};
    std::string ids = "{", parts = "{", payloads = "{";
    for (const auto& [n, payload] : batch) {
      const char* sep = ids.size() > 1 ? "," : "";
      ids += sep + std::to_string(n);
      parts += sep + std::to_string(n % static_cast<uint64_t>(consumers));
      payloads += sep + payload;
    }
    auto r = p.Query(kInsert, std::vector<std::string>{ids + "}", parts + "}", payloads + "}"});
    return r.ok() ? Status::Ok() : r.status();
  }
  Status Join(Client&, int, int, std::vector<Msg>*) override { return Status::Ok(); }
  // Opens a transaction that Ack() commits: the rows stay locked (and deleted only for us) until
  // then; a consumer that dies before the commit gives them back.
  Result<std::vector<Msg>> Fetch(Client& c, int slot, int) override {
    static const SqlStatement kTake{
        "rt_messaging_take",
        "DELETE FROM rt_messaging WHERE id IN (SELECT id FROM rt_messaging WHERE part = $1 "
        "ORDER BY id LIMIT " + std::to_string(kBatch) + " FOR UPDATE SKIP LOCKED) "
        "RETURNING payload"};
    const int64_t deadline = MonotonicNs() + int64_t{kFetchWaitMs} * 1'000'000;
    for (;;) {
      Status s = c.Begin();
      if (!s.ok()) return s;
      auto rows = c.Query(kTake, std::vector<std::string>{std::to_string(slot)});
      if (!rows.ok()) {
        if (rows.status().code() != Status::Code::kUnavailable) (void)c.Rollback();
        return rows.status();
      }
      std::vector<Msg> out;
      for (const auto& row : rows->rows) {
        if (!row.empty() && row[0]) DecodeInto(*row[0], "", &out);
      }
      if (!out.empty()) return out;
      s = c.Commit();
      if (!s.ok()) return s;
      if (MonotonicNs() >= deadline) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(kSqlPollMs));
    }
  }
  Status Ack(Client& c, int, const std::vector<Msg>&) override { return c.Commit(); }
};

}  // namespace

std::unique_ptr<Transport> MakeTransport(const std::string& id) {
  if (id == "pubsub") return std::make_unique<PubSubTransport>();
  if (id == "streams-group") return std::make_unique<StreamTransport>(true);
  if (id == "streams-no-reclaim") return std::make_unique<StreamTransport>(false);
  if (id == "list-queue") return std::make_unique<ListTransport>(false);
  if (id == "list-reliable") return std::make_unique<ListTransport>(true);
  if (id == "sql-notify") return std::make_unique<NotifyTransport>();
  RT_CHECK(id == "sql-queue");
  return std::make_unique<SqlQueueTransport>();
}

}  // namespace racetrack::scenarios::messaging

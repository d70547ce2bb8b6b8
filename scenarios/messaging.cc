// messaging: a producer, C consumers, and one consumer that dies in the middle.
//
// How this lesson fits the harness (it is not "one Step = one request"): the run owns its threads.
// One timeline thread is the producer — it sends message n at t0 + n / send-rate, kills consumer 0
// at --kill-at-ms and starts its replacement at --restart-at-ms — and each consumer slot has a
// thread with its own connection. A harness worker's Step() is "one message was processed": it
// waits for the next processing event and hands the harness that message's end-to-end latency
// (scheduled send -> processed) through Worker::LastLatencyNs, so the record's latency histogram
// and throughput are the messages', not a request's. The run ends its own phase
// (ApproachRun::OwnsTimeline): when every message was processed, or nothing moved for
// kIdleEndMs after the last send and the restart, Step() returns Finished(). The first Step of a
// phase starts the round; every repetition is a fresh round on reset keys/tables.
//
// Ownership: message n belongs to consumer slot n mod C. The queue-like approaches give each slot
// its own stream / list / table partition, as Kafka gives each consumer its partitions, so "its
// consumer or that consumer's replacement" is exact; Pub/Sub and NOTIFY deliver every message to
// every subscriber and only the owner's receipt counts.
//
// How a consumer dies: after --kill-at-ms, the victim's next fetch that returns a batch (an empty
// fetch, as on a stalled machine, does not count until the replacement is due); it processes
// the first half (rounded down) and then its connection is cut without a goodbye (Client::Abort:
// no QUIT, no ack, no COMMIT) — a process that crashed while working through a batch. What the
// server still holds for it (a stream's pending entries, a processing list, an open transaction's
// locked rows) is what a replacement can recover; what it had only in memory is gone.
#include "scenarios/messaging.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/clock.h"
#include "scenarios/claims.h"
#include "scenarios/knobs.h"
#include "scenarios/messaging_transport.h"

namespace racetrack::scenarios {

namespace {

using messaging::Msg;
using messaging::Outgoing;
using messaging::Transport;

// BEGIN lesson messaging
constexpr char kLesson[] = R"(A producer sends numbered messages; each belongs to one of C consumers. In the middle of the run one consumer crashes while working through what it fetched (its connection is cut, no goodbye), and a replacement starts a moment later. Which ways of passing messages lose some, and which deliver some twice?

Pub/Sub (PUBLISH/SUBSCRIBE) is fire-and-forget, as the article says: the server writes each message into the sockets of whoever is subscribed at that instant and forgets it. Everything published while the consumer was dead is gone, and so is what it had received but not yet processed. A subscriber that reads slower than the producer writes is worse off: its output buffer grows on the server until client-output-buffer-limit pubsub (32 MB hard, or 8 MB for 60 s, by default) disconnects it and it loses the rest (try --slow-consumer 200 --payload-bytes 8000). PostgreSQL's LISTEN/NOTIFY behaves the same way for a listener that is not connected.

Streams with a consumer group keep every delivered entry in the group's pending entries list until it is acknowledged (XACK). That is half of the article's "guarantee every message gets processed": the other half is code you write. The replacement here first runs XAUTOCLAIM to take over the dead consumer's pending entries, and so loses nothing — but the entries the dead consumer had already processed without acknowledging are processed again. That is at-least-once delivery, not exactly-once: processing must be idempotent. Without the XAUTOCLAIM (streams-no-reclaim) those entries stay in the stream, pending for a consumer that will never come back: lost to the application although the server still has them.

A plain list queue (LPUSH / BRPOP) loses the message in the dead consumer's hands: BRPOP removed it from the server before it was processed. LMOVE into a per-consumer processing list, removed only after processing, with a reaper that puts a dead consumer's processing list back on the queue, loses nothing (the same at-least-once caveat applies).

In PostgreSQL, a table used as a queue (SELECT ... FOR UPDATE SKIP LOCKED inside the transaction that deletes the row when done) loses nothing: a consumer that dies mid-transaction never commits, so its rows come back. Each consumer polls when its partition is empty, which shows in the latency.)";
// END lesson messaging

constexpr int kSendBatch = 256;        // most messages one producer round trip carries
constexpr int kIdleEndMs = 1500;       // nothing processed for this long after the end: done
                                       // (400 ms ended a loaded sql-queue run early)
constexpr int kMaxDrainMs = 60'000;    // hard stop after the last send

using engine::MonotonicNs;

void SleepNs(int64_t ns) {
  if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

// ---------------------------------------------------------------------------------------------
// Knobs.

struct Knobs {
  uint64_t messages = 10'000;
  double send_rate = 5'000;
  int consumers = 2;
  int64_t kill_ms = 500;     // 0 = nobody dies
  int64_t restart_ms = 1000;
  double slow_rate = 0;      // 0 = no slow consumer
  int payload_bytes = 64;

  int64_t SendEndMs() const {
    return static_cast<int64_t>(std::ceil(static_cast<double>(messages) * 1000.0 / send_rate));
  }
};

std::vector<KnobInfo> MessagingKnobs() {
  return {
      Knob("messages", "messages the producer sends", 1, 10'000'000, {10'000}),
      Knob("send-rate", "messages per second the producer sends", 1, 1'000'000, {5'000}),
      Knob("consumers", "consumers; message n belongs to consumer n mod C", 1, 64, {2}),
      Knob("kill-at-ms",
           "ms after the start when consumer 0 dies (0 = nobody dies); before sending ends", 0,
           3'600'000, {500}),
      Knob("restart-at-ms", "ms after the start when its replacement starts; after --kill-at-ms", 1,
           3'600'000, {1000}),
      Knob("slow-consumer",
           "the last consumer processes at most this many messages/s (0 = none slow)", 0, 1'000'000,
           {0}, kKnobReal),
      Knob("payload-bytes", "bytes per message (NOTIFY allows up to 8000)", 32, 8000, {64}),
  };
}

// The knobs of `info` (MessagingKnobs) for one run, from `extra` (RunContext::extra).
Knobs KnobsFrom(const ScenarioInfo& info, const std::map<std::string, double>& extra) {
  auto value = [&](const char* name) { return RunKnobValue(info, extra, name); };
  Knobs k;
  k.messages = static_cast<uint64_t>(value("messages"));
  k.send_rate = value("send-rate");
  k.consumers = static_cast<int>(value("consumers"));
  k.kill_ms = static_cast<int64_t>(value("kill-at-ms"));
  k.restart_ms = static_cast<int64_t>(value("restart-at-ms"));
  k.slow_rate = value("slow-consumer");
  k.payload_bytes = static_cast<int>(value("payload-bytes"));
  return k;
}

// The rules one knob's range cannot express: the kill must happen while messages still flow.
Status CheckTimeline(const Knobs& k) {
  if (k.kill_ms == 0) return Status::Ok();
  const int64_t end = k.SendEndMs();
  if (k.kill_ms >= end) {
    return Status::InvalidArgument(
        "--kill-at-ms " + std::to_string(k.kill_ms) + " is after the producer's last send at " +
        std::to_string(end) + " ms (--messages / --send-rate); use a value below " +
        std::to_string(end));
  }
  if (k.restart_ms <= k.kill_ms) {
    return Status::InvalidArgument("--restart-at-ms " + std::to_string(k.restart_ms) +
                                   " must be after --kill-at-ms " + std::to_string(k.kill_ms));
  }
  if (k.restart_ms > end + 10'000) {
    return Status::InvalidArgument("--restart-at-ms " + std::to_string(k.restart_ms) +
                                   " is more than 10 s after the last send at " +
                                   std::to_string(end) + " ms");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// The run.

int64_t Percentile(std::vector<int64_t> v, double q) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

class MessagingRun;

class MessagingWorker final : public Worker {
 public:
  explicit MessagingWorker(MessagingRun* run) : run_(run) {}
  Status Step() override;
  std::optional<int64_t> LastLatencyNs() const override { return latency_ns_; }

 private:
  friend class MessagingRun;
  MessagingRun* run_;
  uint64_t phases_done_ = 0;
  std::optional<int64_t> latency_ns_;
};

// One consumer process: a slot, a generation (0 = original, 1 = the replacement), a connection.
struct ConsumerProc {
  int slot = 0;
  int generation = 0;
  std::unique_ptr<Client> conn;
  std::atomic<bool> die{false};   // crash at the next fetch that brings messages
  std::atomic<bool> due{false};   // its replacement is due: crash now, even with empty hands
  std::atomic<bool> stop{false};  // the round is over: leave quietly
  std::atomic<bool> ready{false};
  std::atomic<bool> exited{false};
  std::string error;  // why it stopped, when not asked to (read after join)
  std::thread thread;
};

class MessagingRun final : public ApproachRun {
 public:
  MessagingRun(const ApproachInfo& approach, Knobs knobs, adapters::Target* target)
      : approach_(approach), knobs_(knobs), target_(target),
        transport_(messaging::MakeTransport(approach.id)),
        processed_(std::make_unique<std::atomic<uint32_t>[]>(knobs.messages)),
        sent_to_(std::make_unique<std::atomic<uint64_t>[]>(static_cast<size_t>(knobs.consumers))),
        delivered_by_(
            std::make_unique<std::atomic<uint64_t>[]>(static_cast<size_t>(knobs.consumers))) {}

  ~MessagingRun() override { EndRound(); }

  bool OwnsTimeline() const override { return true; }

  Result<std::unique_ptr<Worker>> MakeWorker(Client&, int) override {
    return std::unique_ptr<Worker>(std::make_unique<MessagingWorker>(this));
  }

  // Called by a worker; see the top of the file.
  Status Step(MessagingWorker* w) {
    std::unique_lock lock(mu_);
    if (w->phases_done_ == rounds_started_) {
      ++rounds_started_;
      round_done_ = false;
      round_error_ = Status::Ok();
      events_.clear();
      lock.unlock();
      Status s = StartRound();
      lock.lock();
      if (!s.ok()) {
        round_error_ = s;
        round_done_ = true;
      }
      cv_.notify_all();
    }
    for (;;) {
      if (!events_.empty()) {
        w->latency_ns_ = events_.front();
        events_.pop_front();
        return Status::Ok();
      }
      if (round_done_) {
        w->phases_done_ = rounds_started_;
        if (!round_error_.ok()) return round_error_;
        return Finished();
      }
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  Result<std::map<std::string, double>> Sample(Client& observer) override {
    const int64_t t0 = t0_ns_.load();
    if (t0 == 0 || round_over_.load()) return LiveFigures(std::nullopt);
    auto pending = transport_->Pending(observer, knobs_.consumers);
    auto figures = LiveFigures(pending.ok() ? std::optional<int64_t>(*pending) : std::nullopt);
    std::lock_guard lock(series_mu_);
    series_["t_s"].push_back(static_cast<double>(MonotonicNs() - t0) / 1e9);
    for (const char* name : {"sent", "delivered", "lag", "pending"}) {
      series_[name].push_back(figures[name]);
    }
    for (int i = 0; i < knobs_.consumers; ++i) {
      const uint64_t sent = sent_to_[static_cast<size_t>(i)].load();
      const uint64_t done = delivered_by_[static_cast<size_t>(i)].load();
      series_["lag_c" + std::to_string(i)].push_back(
          static_cast<double>(sent - std::min(sent, done)));
    }
    return figures;
  }

  Result<Correctness> Verify(Client&) override {
    std::lock_guard lock(mu_);
    Correctness c;
    const DeliveryTally& t = total_;
    c.ok = t.lost == 0 && t.messages > 0;
    c.figures = {{"messages", static_cast<double>(t.messages)},
                 {"delivered", static_cast<double>(t.delivered)},
                 {"lost", static_cast<double>(t.lost)},
                 {"duplicated", static_cast<double>(t.duplicated)},
                 {"redeliveries", static_cast<double>(t.redeliveries)},
                 {"disconnected_by_server", static_cast<double>(disconnects_)}};
    if (t.messages == 0) {
      c.note = "no message was sent.";
      return c;
    }
    const bool killed = knobs_.kill_ms > 0;
    if (t.lost > 0) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%",
                    100.0 * static_cast<double>(t.lost) / static_cast<double>(t.messages));
      c.note = std::to_string(t.lost) + " of " + std::to_string(t.messages) +
               " messages were never processed by their consumer (" + pct + ")";
      if (disconnects_ > 0) c.note += "; the server disconnected a slow subscriber";
      if (!approach_.expected_correct) c.note += ": what this lesson shows";
      c.note += ".";
    } else if (!approach_.expected_correct) {
      c.note = killed ? "nothing lost in this run, but only by luck: the approach keeps no record "
                        "of what a dead consumer missed."
                      : "nothing lost: no consumer died (--kill-at-ms 0).";
    } else {
      c.note = "every message was processed by its consumer or its replacement";
      if (t.duplicated > 0) {
        c.note += "; " + std::to_string(t.duplicated) +
                  " were processed twice (at-least-once: the dead consumer had processed them "
                  "but not acknowledged them)";
      }
      c.note += ".";
    }
    return c;
  }

  std::map<std::string, double> Figures() const override {
    std::lock_guard lock(mu_);
    std::map<std::string, double> f = {
        {"e2e_p50_us", static_cast<double>(Percentile(latencies_, 0.50)) / 1e3},
        {"e2e_p99_us", static_cast<double>(Percentile(latencies_, 0.99)) / 1e3},
        {"throughput_msgs_s", throughput_},
        {"kill_at_s", knobs_.kill_ms > 0 ? knobs_.kill_ms / 1e3 : -1},
        {"restart_at_s", knobs_.kill_ms > 0 ? knobs_.restart_ms / 1e3 : -1},
        {"send_end_s", knobs_.SendEndMs() / 1e3},
    };
    return f;
  }

  std::map<std::string, std::vector<double>> Series() const override {
    std::lock_guard lock(series_mu_);
    return series_;
  }

  Status ResetAll(Client& admin) { return transport_->Reset(admin, knobs_.consumers); }

 private:
  std::map<std::string, double> LiveFigures(std::optional<int64_t> pending) {
    const double sent = static_cast<double>(sent_.load());
    const double delivered = static_cast<double>(delivered_.load());
    // Consumer 0 is the one that dies; its backlog against everyone else's.
    const double victim = static_cast<double>(sent_to_[0].load()) -
                          static_cast<double>(delivered_by_[0].load());
    return {{"sent", sent},
            {"delivered", delivered},
            {"lag", sent - delivered},
            {"lag_victim", victim},
            {"lag_others", sent - delivered - victim},
            {"pending", static_cast<double>(pending.value_or(0))},
            {"duplicated", static_cast<double>(duplicated_.load())}};
  }

  // Resets the keys, starts every consumer and waits until each is subscribed/ready, then starts
  // the timeline (producer) thread.
  Status StartRound() {
    EndRound();  // a previous round's threads, if any are left
    if (target_ == nullptr) return Status::InvalidArgument("messaging needs the target to connect");
    auto admin = target_->Connect();
    if (!admin.ok()) return admin.status();
    Status s = transport_->Reset(**admin, knobs_.consumers);
    if (!s.ok()) return s;
    t0_ns_ = 0;  // Sample() reads nothing of a round that has not started
    const size_t m = static_cast<size_t>(knobs_.messages);
    for (size_t i = 0; i < m; ++i) processed_[i].store(0);
    for (size_t i = 0; i < static_cast<size_t>(knobs_.consumers); ++i) {
      sent_to_[i].store(0);
      delivered_by_[i].store(0);
    }
    sent_ = delivered_ = duplicated_ = 0;
    round_over_ = false;
    {
      std::lock_guard lock(series_mu_);
      series_.clear();
    }
    {
      std::lock_guard lock(mu_);
      latencies_.clear();
      latencies_.reserve(m);
    }
    consumers_.clear();
    for (int i = 0; i < knobs_.consumers; ++i) {
      auto c = StartConsumer(i, 0);
      if (!c.ok()) return c.status();
      consumers_.push_back(std::move(*c));
    }
    const int64_t wait_until = MonotonicNs() + 10'000'000'000;
    for (auto& c : consumers_) {
      while (!c->ready.load() && !c->exited.load() && MonotonicNs() < wait_until) {
        SleepNs(1'000'000);
      }
      if (!c->ready.load()) {
        return Status::Unavailable("consumer " + std::to_string(c->slot) + " did not start: " +
                                   (c->exited.load() ? c->error : std::string("timeout")));
      }
    }
    auto producer = target_->Connect();
    if (!producer.ok()) return producer.status();
    timeline_ = std::thread([this, p = std::move(*producer)]() mutable { Timeline(*p); });
    return Status::Ok();
  }

  Result<std::unique_ptr<ConsumerProc>> StartConsumer(int slot, int generation) {
    auto conn = target_->Connect();
    if (!conn.ok()) return conn.status();
    auto c = std::make_unique<ConsumerProc>();
    c->slot = slot;
    c->generation = generation;
    c->conn = std::move(*conn);
    ConsumerProc* raw = c.get();
    c->thread = std::thread([this, raw] {
      ConsumerLoop(raw);
      raw->exited.store(true);
    });
    return c;
  }

  void Process(ConsumerProc* c, const Msg& m) {
    if (m.n >= knobs_.messages) return;
    const int64_t now = MonotonicNs();
    const uint32_t count = processed_[m.n].fetch_add(1) + 1;
    if (count == 1) {
      delivered_.fetch_add(1);
      delivered_by_[static_cast<size_t>(c->slot)].fetch_add(1);
    } else if (count == 2) {
      duplicated_.fetch_add(1);
    }
    last_progress_ns_.store(now);
    {
      std::lock_guard lock(mu_);
      events_.push_back(now - m.sent_ns);
      latencies_.push_back(now - m.sent_ns);
    }
    cv_.notify_one();
    if (knobs_.slow_rate > 0 && c->slot == knobs_.consumers - 1) {
      SleepNs(static_cast<int64_t>(1e9 / knobs_.slow_rate));
    }
  }

  // Only the owner's messages count; Pub/Sub and NOTIFY hand everyone everything.
  void KeepOwn(int slot, std::vector<Msg>* batch) const {
    const auto c = static_cast<uint64_t>(knobs_.consumers);
    std::erase_if(*batch, [&](const Msg& m) { return m.n % c != static_cast<uint64_t>(slot); });
  }

  void ConsumerLoop(ConsumerProc* c) {
    Client& conn = *c->conn;
    std::vector<Msg> batch;
    Status s = transport_->Join(conn, c->slot, c->generation, &batch);
    if (!s.ok()) {
      c->error = s.message();
      return;
    }
    c->ready.store(true);
    for (;;) {
      if (!batch.empty()) {
        KeepOwn(c->slot, &batch);
        if (c->die.load()) {
          // The crash: half the batch processed, the rest in hand, no acknowledgement.
          for (size_t i = 0; i < batch.size() / 2; ++i) Process(c, batch[i]);
          conn.Abort();
          return;
        }
        for (const Msg& m : batch) Process(c, m);
        s = transport_->Ack(conn, c->slot, batch);
        if (!s.ok()) break;
      } else if (c->die.load() && c->due.load()) {
        // Killed while idle and no message came before the replacement was due: it dies with
        // nothing in hand, and this run loses nothing by luck (the note says so).
        conn.Abort();
        return;
      }
      if (c->stop.load()) return;
      auto next = transport_->Fetch(conn, c->slot, c->generation);
      if (!next.ok()) {
        s = next.status();
        break;
      }
      batch = std::move(*next);
    }
    if (c->stop.load()) return;
    c->error = s.message();
    std::lock_guard lock(mu_);
    ++disconnects_;
  }

  void Kill(ConsumerProc* c) { c->die.store(true); }

  // The producer and the clock of the round: sends, kills, restarts, decides the end.
  void Timeline(Client& producer) {
    const Knobs& k = knobs_;
    const double gap_ns = 1e9 / k.send_rate;
    const int64_t t0 = MonotonicNs() + 1'000'000;
    t0_ns_.store(t0);
    last_progress_ns_.store(t0);
    const int64_t kill_at = k.kill_ms > 0 ? t0 + k.kill_ms * 1'000'000 : INT64_MAX;
    const int64_t restart_at = k.kill_ms > 0 ? t0 + k.restart_ms * 1'000'000 : INT64_MAX;
    bool killed = false, restarted = k.kill_ms == 0;
    Status failed;
    uint64_t n = 0;
    int64_t send_end = 0;
    Outgoing batch;
    for (;;) {
      const int64_t now = MonotonicNs();
      if (!killed && now >= kill_at) {
        Kill(consumers_[0].get());
        killed = true;
      }
      if (killed && !restarted && now >= restart_at) {
        // The dead process is gone before its replacement starts (it dies at its next fetch).
        ConsumerProc* old = consumers_[0].get();
        old->due.store(true);
        while (!old->exited.load()) SleepNs(1'000'000);
        auto fresh = StartConsumer(0, old->generation + 1);
        if (!fresh.ok()) {
          failed = fresh.status();
          break;
        }
        graveyard_.push_back(std::move(consumers_[0]));
        consumers_[0] = std::move(*fresh);
        restarted = true;
      }
      if (n < k.messages) {
        batch.clear();
        while (n < k.messages && batch.size() < kSendBatch &&
               t0 + static_cast<int64_t>(static_cast<double>(n) * gap_ns) <= now) {
          const int64_t scheduled = t0 + static_cast<int64_t>(static_cast<double>(n) * gap_ns);
          batch.emplace_back(n, EncodeMessage(n, scheduled, k.payload_bytes));
          ++n;
        }
        if (!batch.empty()) {
          failed = transport_->Send(producer, batch, k.consumers);
          if (!failed.ok()) break;
          for (const auto& [i, payload] : batch) {
            sent_to_[static_cast<size_t>(i % static_cast<uint64_t>(k.consumers))].fetch_add(1);
          }
          sent_.fetch_add(batch.size());
          if (n == k.messages) send_end = MonotonicNs();
          continue;
        }
        const int64_t next_send = t0 + static_cast<int64_t>(static_cast<double>(n) * gap_ns);
        SleepNs(std::min<int64_t>(next_send - MonotonicNs(), 1'000'000));
        continue;
      }
      if (restarted) {
        const int64_t quiet = now - std::max(last_progress_ns_.load(), send_end);
        if (delivered_.load() == k.messages || quiet >= int64_t{kIdleEndMs} * 1'000'000 ||
            now - send_end >= int64_t{kMaxDrainMs} * 1'000'000) {
          break;
        }
      }
      SleepNs(2'000'000);
    }
    FinishRound(failed);
  }

  void FinishRound(const Status& failed) {
    round_over_.store(true);
    for (auto& c : consumers_) c->stop.store(true);
    for (auto& c : consumers_) {
      if (c->thread.joinable()) c->thread.join();
    }
    for (auto& c : graveyard_) {
      if (c->thread.joinable()) c->thread.join();
    }
    const int64_t last = last_progress_ns_.load();
    std::vector<uint32_t> counts(static_cast<size_t>(knobs_.messages));
    for (size_t i = 0; i < counts.size(); ++i) counts[i] = processed_[i].load();
    const DeliveryTally t = TallyDeliveries(counts);
    std::lock_guard lock(mu_);
    total_.messages += t.messages;
    total_.delivered += t.delivered;
    total_.lost += t.lost;
    total_.duplicated += t.duplicated;
    total_.redeliveries += t.redeliveries;
    const double span_s = static_cast<double>(last - t0_ns_.load()) / 1e9;
    throughput_ = span_s > 0 ? static_cast<double>(t.delivered) / span_s : 0;
    if (!failed.ok()) round_error_ = failed;
    round_done_ = true;
    cv_.notify_all();
  }

  // Joins the timeline thread (which joins the consumers).
  void EndRound() {
    if (timeline_.joinable()) timeline_.join();
    consumers_.clear();
    graveyard_.clear();
  }

  const ApproachInfo& approach_;
  const Knobs knobs_;
  adapters::Target* target_;
  std::unique_ptr<Transport> transport_;

  mutable std::mutex mu_;  // guards the fields below up to total_
  std::condition_variable cv_;
  uint64_t rounds_started_ = 0;
  bool round_done_ = false;
  Status round_error_;
  std::deque<int64_t> events_;     // latencies of processings not yet taken by a Step
  std::vector<int64_t> latencies_;  // every processing of the last round
  DeliveryTally total_;             // over all rounds
  uint64_t disconnects_ = 0;
  double throughput_ = 0;

  // The current round (reset by StartRound before its threads exist, then written by them).
  std::unique_ptr<std::atomic<uint32_t>[]> processed_;  // per message: owner's processings
  std::unique_ptr<std::atomic<uint64_t>[]> sent_to_;     // per slot
  std::unique_ptr<std::atomic<uint64_t>[]> delivered_by_;
  std::atomic<uint64_t> sent_{0}, delivered_{0}, duplicated_{0};
  std::atomic<int64_t> t0_ns_{0}, last_progress_ns_{0};
  std::atomic<bool> round_over_{false};
  std::vector<std::unique_ptr<ConsumerProc>> consumers_;  // the current one of each slot
  std::vector<std::unique_ptr<ConsumerProc>> graveyard_;  // dead ones, joined at the end
  std::thread timeline_;

  mutable std::mutex series_mu_;
  std::map<std::string, std::vector<double>> series_;
};

Status MessagingWorker::Step() { return run_->Step(this); }

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "messaging", "Messaging when a consumer dies", "messages",
      "When a consumer crashes mid-run and a replacement takes over, which ways of passing "
      "messages lose some, and which deliver some twice?");
  info.approaches = {
      {"pubsub", "Pub/Sub", "PUBLISH / SUBSCRIBE: fire-and-forget", kCapPubSub, false},
      {"streams-group", "Streams + group + XAUTOCLAIM",
       "XADD, XREADGROUP, XACK; the replacement reclaims the dead one's pending entries",
       kCapStreams, true},
      {"streams-no-reclaim", "Streams + group, no reclaim",
       "the same without XAUTOCLAIM: the dead consumer's pending entries are never processed",
       kCapStreams, false},
      {"list-queue", "List LPUSH / BRPOP", "pop = gone from the server, processed or not",
       kCapLists, false},
      {"list-reliable", "List LMOVE + reaper",
       "BLMOVE into a processing list, LREM when done; the replacement requeues what is left",
       kCapLists, true},
      {"sql-notify", "SQL LISTEN / NOTIFY", "pg_notify: fire-and-forget, like Pub/Sub",
       kCapSqlListen, false},
      {"sql-queue", "SQL queue table, SKIP LOCKED",
       "DELETE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING, commit when done",
       kCapSql, true},
  };
  info.expected =
      "pubsub, sql-notify, streams-no-reclaim and list-queue lose messages when the consumer "
      "dies (Pub/Sub and NOTIFY everything sent while it was down; the list the message in "
      "its hands; streams without XAUTOCLAIM the dead consumer's pending entries). "
      "streams-group, list-reliable and sql-queue lose none, and redeliver what the dead "
      "consumer had processed but not acknowledged (duplicated > 0: at-least-once).";
  info.lesson = kLesson;
  info.live_figures = {"lag_victim", "lag_others", "pending", "delivered", "duplicated"};
  info.default_clients = 1;
  info.knobs = MessagingKnobs();
  return info;
}

class MessagingScenario final : public Lesson {
 public:
  MessagingScenario() : Lesson(BuildInfo()) {}

  Status ValidateKnobs(const KnobValues& knobs) const override {
    std::map<std::string, double> extra;
    for (const KnobInfo& k : info_.knobs) extra[k.name] = KnobValuesOrDefault(k, knobs).front();
    return CheckTimeline(KnobsFrom(info_, extra));
  }

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    const Knobs knobs = KnobsFrom(info_, context.extra);
    Status s = CheckTimeline(knobs);
    if (!s.ok()) return s;
    if (context.target == nullptr) {
      return Status::InvalidArgument("messaging needs its target to open consumer connections");
    }
    auto run = std::make_unique<MessagingRun>(approach, knobs, context.target);
    s = run->ResetAll(admin);
    return PreparedRun(std::move(run), s);
  }
};

}  // namespace

DeliveryTally TallyDeliveries(const std::vector<uint32_t>& processed) {
  DeliveryTally t;
  t.messages = processed.size();
  for (uint32_t count : processed) {
    if (count == 0) {
      ++t.lost;
      continue;
    }
    ++t.delivered;
    if (count > 1) {
      ++t.duplicated;
      t.redeliveries += count - 1;
    }
  }
  return t;
}

std::string EncodeMessage(uint64_t n, int64_t sent_ns, int payload_bytes) {
  std::string s = std::to_string(n) + ":" + std::to_string(sent_ns) + ":";
  if (static_cast<int>(s.size()) < payload_bytes) s.append(static_cast<size_t>(payload_bytes) - s.size(), 'x');
  return s;
}

bool DecodeMessage(std::string_view payload, uint64_t* n, int64_t* sent_ns) {
  const size_t a = payload.find(':');
  if (a == std::string_view::npos) return false;
  const size_t b = payload.find(':', a + 1);
  if (b == std::string_view::npos) return false;
  auto r1 = std::from_chars(payload.data(), payload.data() + a, *n);
  auto r2 = std::from_chars(payload.data() + a + 1, payload.data() + b, *sent_ns);
  return r1.ec == std::errc() && r1.ptr == payload.data() + a && r2.ec == std::errc() &&
         r2.ptr == payload.data() + b;
}

std::unique_ptr<Scenario> MakeMessagingScenario() { return std::make_unique<MessagingScenario>(); }

}  // namespace racetrack::scenarios

#include "engine/replication.h"

#include <algorithm>

#include "engine/client.h"

namespace racetrack::engine {
namespace {

void AppendCommand(std::string* out, const std::vector<std::string>& argv) {
  out->append("*" + std::to_string(argv.size()) + "\r\n");
  for (const std::string& a : argv) {
    out->append("$" + std::to_string(a.size()) + "\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

}  // namespace

void Replication::Attach(ClientState& client, bool psync, std::string_view payload,
                         int64_t now_ms) {
  if (psync) client.reply.Status("FULLRESYNC " + replid_ + " " + std::to_string(offset_));
  client.reply.Raw("$" + std::to_string(payload.size()) + "\r\n");
  client.reply.Raw(payload);  // no CRLF after the payload, as Redis sends an RDB
  client.is_replica = true;
  replicas_.push_back({&client, -1, now_ms, offset_});
  if (replicas_.size() == 1) last_ping_ms_ = now_ms;
}

void Replication::Detach(const ClientState* client) {
  std::erase_if(replicas_, [client](const Replica& r) { return r.client == client; });
  if (replicas_.empty()) pending_.clear();
}

size_t Replication::GoodReplicas(int64_t now_ms, int64_t max_lag_s) const {
  return static_cast<size_t>(std::count_if(replicas_.begin(), replicas_.end(), [&](const Replica& r) {
    return now_ms - r.ack_ms <= max_lag_s * 1000;
  }));
}

bool Replication::Ack(const ClientState& client, int64_t offset, int64_t now_ms) {
  for (Replica& r : replicas_) {
    if (r.client != &client) continue;
    r.ack_ms = now_ms;
    r.ack_offset = offset;
    return true;
  }
  return false;
}

void Replication::SetMaster(std::string host, int port) {
  master_host_ = std::move(host);
  master_port_ = port;
  pending_.clear();
}

void Replication::UnsetMaster() {
  if (!has_master()) return;
  master_host_.clear();
  master_port_ = 0;
  // Redis's shiftReplicationId + disconnectSlaves: a new history, so the replicas reconnect.
  for (Replica& r : replicas_) {
    r.client->close_after_reply = true;
    if (r.client->wake) r.client->wake();
  }
}

std::vector<std::pair<std::string, int64_t>> Replication::ReplicaOffsets() const {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const Replica& r : replicas_) out.emplace_back(r.client->addr, r.ack_offset);
  return out;
}

void Replication::Feed(int db, Args argv) {
  // A replica streams only what its master sends (never here), not its own changes.
  if (replicas_.empty() || has_master()) return;
  pending_.emplace_back(db, std::vector<std::string>(argv.begin(), argv.end()));
}

void Replication::Flush() {
  if (pending_.empty()) return;
  std::vector<std::pair<int, std::vector<std::string>>> batch;
  batch.swap(pending_);
  const bool wrap = batch.size() > 1;
  if (wrap) Send(batch.front().first, {"MULTI"});
  for (const auto& [db, argv] : batch) Send(db, argv);
  if (wrap) Send(batch.back().first, {"EXEC"});
}

void Replication::SendNow(int db, Args argv) {
  if (replicas_.empty() || has_master()) return;
  Send(db, std::vector<std::string>(argv.begin(), argv.end()));
}

void Replication::Cron(int64_t now_ms, int64_t period_s) {
  if (replicas_.empty() || has_master() || now_ms - last_ping_ms_ < period_s * 1000) return;
  last_ping_ms_ = now_ms;
  std::string ping;
  AppendCommand(&ping, {"PING"});  // no SELECT: a PING belongs to no database
  offset_ += static_cast<int64_t>(ping.size());
  for (Replica& r : replicas_) {
    r.client->reply.Raw(ping);
    if (r.client->wake) r.client->wake();
  }
}

void Replication::Send(int db, const std::vector<std::string>& argv) {
  std::string cmd;
  AppendCommand(&cmd, argv);
  std::string select;
  AppendCommand(&select, {"SELECT", std::to_string(db)});
  bool selected = false;
  for (Replica& r : replicas_) {
    if (r.db != db) {
      r.client->reply.Raw(select);
      r.db = db;
      selected = true;
    }
    r.client->reply.Raw(cmd);
    if (r.client->wake) r.client->wake();
  }
  offset_ += static_cast<int64_t>(cmd.size() + (selected ? select.size() : 0));
}

std::vector<std::string> Replication::InfoLines(int64_t now_ms) const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& r = replicas_[i];
    std::string ip = r.client->addr.substr(0, r.client->addr.rfind(':'));
    std::string port = r.client->addr.substr(r.client->addr.rfind(':') + 1);
    lines.push_back("slave" + std::to_string(i) + ":ip=" + ip + ",port=" + port +
                    ",state=online,offset=" + std::to_string(r.ack_offset) +
                    ",lag=" + std::to_string((now_ms - r.ack_ms) / 1000));
  }
  return lines;
}

}  // namespace racetrack::engine

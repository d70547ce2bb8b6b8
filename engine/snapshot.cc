#include "engine/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "engine/db.h"
#include "engine/ds/encoding.h"
#include "engine/ds/stream.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/function.h"

namespace racetrack::engine {
namespace {

enum : uint8_t {
  kTypeString = 0, kTypeList = 1, kTypeSet = 2, kTypeZSet = 3, kTypeHash = 4, kTypeStream = 5,
  kOpFunction = 0xFC, kOpExpire = 0xFD, kOpSelectDb = 0xFE, kOpEnd = 0xFF,
};

// Parses a RESP reply that is an array of bulk strings (LRANGE, SMEMBERS, HGETALL, ZRANGE
// WITHSCORES). Returns false for anything else.
bool ParseBulkArray(std::string_view r, std::vector<std::string_view>* out) {
  auto read_line = [&r](size_t* pos, std::string_view* line) {
    size_t e = r.find("\r\n", *pos);
    if (e == std::string_view::npos) return false;
    *line = r.substr(*pos, e - *pos);
    *pos = e + 2;
    return true;
  };
  size_t pos = 0;
  std::string_view line;
  if (!read_line(&pos, &line) || line.empty() || line[0] != '*') return false;
  int64_t n = std::stoll(std::string(line.substr(1)));
  out->clear();
  for (int64_t i = 0; i < n; ++i) {
    if (!read_line(&pos, &line) || line.empty() || line[0] != '$') return false;
    size_t len = static_cast<size_t>(std::stoll(std::string(line.substr(1))));
    if (pos + len + 2 > r.size()) return false;
    out->push_back(r.substr(pos, len));
    pos += len + 2;
  }
  return true;
}

// Runs one command on an internal client (no auth, never blocks) and returns its reply.
std::string RunInternal(Engine& engine, ClientState& client, const std::vector<std::string>& argv) {
  engine.ExecuteQueued(client, argv);
  std::string out = std::move(client.reply.buffer());
  client.reply.Clear();
  return out;
}

bool EncodeCollection(Engine& engine, ClientState& client, ObjType t, const std::string& key,
                      std::string* out) {
  std::vector<std::string> argv;
  switch (t) {
    case ObjType::kList: argv = {"lrange", key, "0", "-1"}; break;
    case ObjType::kSet: argv = {"smembers", key}; break;
    case ObjType::kZSet: argv = {"zrange", key, "0", "-1", "withscores"}; break;
    case ObjType::kHash: argv = {"hgetall", key}; break;
    default: return false;
  }
  std::string reply = RunInternal(engine, client, argv);
  std::vector<std::string_view> items;
  if (!ParseBulkArray(reply, &items)) return false;
  size_t per = (t == ObjType::kZSet || t == ObjType::kHash) ? 2 : 1;
  PutVarint(out, items.size() / per);
  for (std::string_view s : items) PutString(out, s);
  return true;
}

// One key's record: type, key, payload (the layout in snapshot.h). False, with *out unchanged,
// when the value could not be read.
bool EncodeKey(Engine& engine, ClientState& client, const std::string& key, const Value& value,
               std::string* out) {
  size_t mark = out->size();
  ObjType t = value.type();
  switch (t) {
    case ObjType::kString:
      out->push_back(static_cast<char>(kTypeString));
      PutString(out, key);
      PutString(out, value.str());
      return true;
    case ObjType::kStream: {
      out->push_back(static_cast<char>(kTypeStream));
      PutString(out, key);
      std::string blob;
      value.As<StreamObject>()->Serialize(&blob);
      PutString(out, blob);
      return true;
    }
    default: {
      uint8_t code = t == ObjType::kList ? kTypeList
                     : t == ObjType::kSet ? kTypeSet
                     : t == ObjType::kZSet ? kTypeZSet
                                           : kTypeHash;
      out->push_back(static_cast<char>(code));
      PutString(out, key);
      if (EncodeCollection(engine, client, t, key, out)) return true;
      out->resize(mark);
      return false;
    }
  }
}

}  // namespace

std::string EncodeSnapshot(Engine& engine) {
  // Reads go through the command table; keep INFO's counters as they were.
  EngineStats saved_stats = engine.stats();
  ClientState client;
  client.authenticated = true;
  client.deny_blocking = true;
  std::string out(kSnapshotMagic);
  PutVarint(&out, kSnapshotVersion);
  // Function libraries first (as Redis's RDB saves them before the keys): each one's code.
  if (engine.has_functions()) {
    for (const std::string& code : engine.functions().LibraryCodes()) {
      out.push_back(static_cast<char>(kOpFunction));
      PutString(&out, code);
    }
  }
  int64_t now = engine.clock().NowMs();
  for (int d = 0; d < engine.num_dbs(); ++d) {
    Db& db = engine.db(d);
    if (db.size() == 0) continue;
    out.push_back(static_cast<char>(kOpSelectDb));
    PutVarint(&out, static_cast<uint64_t>(d));
    client.db = d;
    std::vector<std::string> keys;
    keys.reserve(db.size());
    db.ForEach([&](std::string_view k, const Db::Entry& e) {
      if (e.ExpiredAt(now)) return;
      keys.emplace_back(k);
    });
    for (const auto& key : keys) {
      const Db::Entry* e = db.Peek(key);
      if (e == nullptr) continue;
      if (e->expire_ms >= 0) {
        out.push_back(static_cast<char>(kOpExpire));
        PutFixed64(&out, static_cast<uint64_t>(db.ExpireOf(*e)));
      }
      size_t mark = out.size();
      if (!EncodeKey(engine, client, key, e->value, &out)) {
        // The type's read command failed (should not happen): leave the key out, loudly.
        std::fprintf(stderr, "racetrack: snapshot skipped key '%s' (type %d not readable)\n",
                     key.c_str(), static_cast<int>(e->value.type()));
        out.resize(e->expire_ms >= 0 ? mark - 9 : mark);
      }
    }
  }
  out.push_back(static_cast<char>(kOpEnd));
  uint32_t crc = Crc32(0, out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  engine.stats() = std::move(saved_stats);
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  std::string dir = ".";
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) dir = path.substr(0, slash);
  std::string temp = dir + "/temp-" + std::to_string(getpid()) + ".rts";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot create " + temp + ": " + strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = strerror(errno);
      close(fd);
      unlink(temp.c_str());
      return Status::IoError("write " + temp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(temp.c_str());
    return Status::IoError("fsync " + temp + ": " + strerror(errno));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    std::string err = strerror(errno);
    unlink(temp.c_str());
    return Status::IoError("rename " + temp + " -> " + path + ": " + err);
  }
  // Make the rename itself durable.
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

Status WriteSnapshotFile(Engine& engine, const std::string& path) {
  return WriteFileAtomically(path, EncodeSnapshot(engine));
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::IoError("cannot open " + path + ": " + strerror(errno));
  }
  out->clear();
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return Status::IoError("read " + path + ": " + strerror(errno));
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return Status::Ok();
}

namespace {

// One pass over the records. With apply == false it only validates the structure and finds the
// end; with apply == true it rebuilds the keys.
// Reads the payload of a key record of type `op` (its key already read) and, when `d` is set,
// creates `key` in it. Returns "" or what is wrong with the bytes.
std::string LoadValue(Engine* engine, ClientState& client, ByteReader& r, uint8_t op,
                      const std::string& key, Db* d) {
  if (op == kTypeString) {
    std::string v;
    if (!r.GetString(&v)) return "truncated string value";
    if (d) d->Set(key, Value(std::move(v)));
    return "";
  }
  if (op == kTypeStream) {
    std::string_view blob;
    if (!r.GetView(&blob)) return "truncated stream";
    auto s = std::make_unique<StreamObject>();
    if (!StreamObject::Deserialize(blob, s.get())) return "malformed stream";
    if (d) d->Set(key, Value(std::move(s)));
    return "";
  }
  uint64_t n;
  if (!r.GetVarint(&n)) return "truncated collection size";
  // The engine never holds an empty collection, so never saves one; loading one would leave no
  // key for its TTL to land on.
  if (n == 0) return "empty collection";
  size_t per = (op == kTypeZSet || op == kTypeHash) ? 2 : 1;
  const char* cmd = op == kTypeList ? "rpush" : op == kTypeSet ? "sadd" : op == kTypeZSet ? "zadd" : "hset";
  std::vector<std::string> argv = {cmd, key};
  auto flush = [&]() {
    if (argv.size() > 2 && d) {
      std::string reply = RunInternal(*engine, client, argv);
      if (!reply.empty() && reply[0] == '-') return false;
    }
    argv.resize(2);
    return true;
  };
  for (uint64_t i = 0; i < n; ++i) {
    std::string a, b;
    if (!r.GetString(&a) || (per == 2 && !r.GetString(&b))) return "truncated collection";
    if (op == kTypeZSet) {  // stored member, score; ZADD wants score, member
      argv.push_back(std::move(b));
      argv.push_back(std::move(a));
    } else {
      argv.push_back(std::move(a));
      if (per == 2) argv.push_back(std::move(b));
    }
    if (argv.size() >= 1024 && !flush()) return std::string(cmd) + " refused the data";
  }
  if (!flush()) return std::string(cmd) + " refused the data";
  return "";
}

Status ParseSnapshot(Engine* engine, std::string_view bytes, const std::string& name, bool apply,
                     uint64_t* keys, size_t* end) {
  auto corrupt = [&name](size_t off, const std::string& what) {
    return Status::Corruption("Bad snapshot file format reading " + name + " at offset " +
                              std::to_string(off) + ": " + what);
  };
  if (!bytes.starts_with(kSnapshotMagic)) return corrupt(0, "wrong magic (not a racetrack snapshot)");
  ByteReader r(bytes.substr(kSnapshotMagic.size()));
  size_t base = kSnapshotMagic.size();
  uint64_t version;
  if (!r.GetVarint(&version)) return corrupt(base + r.pos(), "truncated header");
  if (version != kSnapshotVersion) {
    return corrupt(base, "unsupported version " + std::to_string(version));
  }
  ClientState client;
  client.authenticated = true;
  client.deny_blocking = true;
  int db = 0;
  int64_t expire = -1;
  int64_t now = engine ? engine->clock().NowMs() : 0;
  *keys = 0;
  while (true) {
    size_t at = base + r.pos();
    uint8_t op;
    if (!r.GetByte(&op)) return corrupt(at, "truncated (no end marker)");
    if (op == kOpEnd) break;
    if (op == kOpSelectDb) {
      uint64_t d;
      if (!r.GetVarint(&d)) return corrupt(at, "truncated db selector");
      if (engine && d >= static_cast<uint64_t>(engine->num_dbs())) {
        return corrupt(at, "db " + std::to_string(d) + " out of range (databases " +
                               std::to_string(engine->num_dbs()) + ")");
      }
      db = static_cast<int>(d);
      continue;
    }
    if (op == kOpFunction) {
      std::string code;
      if (!r.GetString(&code)) return corrupt(at, "truncated function library");
      if (engine && apply) {
        Result<std::string> loaded = engine->functions().Load(code, /*replace=*/true);
        if (!loaded.ok()) return corrupt(at, "function library refused: " + loaded.status().message());
      }
      continue;
    }
    if (op == kOpExpire) {
      uint64_t ms;
      if (!r.GetFixed64(&ms)) return corrupt(at, "truncated expire");
      expire = static_cast<int64_t>(ms);
      continue;
    }
    if (op > kTypeStream) return corrupt(at, "unknown record type " + std::to_string(op));
    std::string key;
    if (!r.GetString(&key)) return corrupt(at, "truncated key");
    bool live = expire < 0 || expire > now;
    Db* d = engine && apply ? &engine->db(db) : nullptr;
    client.db = db;
    std::string what = LoadValue(engine, client, r, op, key, d && live ? d : nullptr);
    if (!what.empty()) return corrupt(at, what);
    if (d && live) {
      if (expire >= 0) d->SetExpire(key, expire);
      ++*keys;
    }
    expire = -1;
  }
  size_t data_end = base + r.pos();
  if (bytes.size() < data_end + 4) return corrupt(data_end, "truncated checksum");
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[data_end + i])) << (8 * i);
  if (stored != Crc32(0, bytes.substr(0, data_end))) return corrupt(data_end, "checksum mismatch");
  *end = data_end + 4;
  return Status::Ok();
}

}  // namespace

Status LoadSnapshotBytes(Engine& engine, std::string_view bytes, const std::string& name,
                         uint64_t* keys, size_t* consumed) {
  size_t end;
  Status s = ParseSnapshot(&engine, bytes, name, false, keys, &end);
  if (!s.ok()) return s;
  EngineStats saved = engine.stats();
  s = ParseSnapshot(&engine, bytes, name, true, keys, &end);
  engine.stats() = std::move(saved);
  for (int d = 0; d < engine.num_dbs(); ++d) engine.db(d).AddDirty(0);
  *consumed = end;
  return s;
}

Status LoadSnapshotFile(Engine& engine, const std::string& path, uint64_t* keys) {
  std::string bytes;
  Status s = ReadWholeFile(path, &bytes);
  if (!s.ok()) return s;
  size_t consumed;
  s = LoadSnapshotBytes(engine, bytes, path, keys, &consumed);
  if (!s.ok()) return s;
  if (consumed != bytes.size()) {
    return Status::Corruption("Bad snapshot file format reading " + path + " at offset " +
                              std::to_string(consumed) + ": trailing bytes after the checksum");
  }
  return Status::Ok();
}

std::string DumpKey(Engine& engine, int db, std::string_view key) {
  const Db::Entry* e = engine.db(db).Peek(key);
  if (e == nullptr) return "";
  EngineStats saved_stats = engine.stats();  // the read goes through the command table
  ClientState client;
  client.authenticated = true;
  client.deny_blocking = true;
  client.db = db;
  std::string out;
  bool ok = EncodeKey(engine, client, std::string(key), e->value, &out);
  engine.stats() = std::move(saved_stats);
  if (!ok) return "";
  out.push_back(static_cast<char>(kSnapshotVersion & 0xff));
  out.push_back(static_cast<char>((kSnapshotVersion >> 8) & 0xff));
  uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

Status RestoreKey(Engine& engine, int db, std::string_view key, std::string_view payload,
                  bool apply) {
  if (payload.size() < 10) return Status::InvalidArgument(std::string(errors::kDumpPayloadBad));
  const size_t body_size = payload.size() - 10;
  uint64_t crc = 0;
  for (int i = 0; i < 8; ++i) {
    crc |= static_cast<uint64_t>(static_cast<uint8_t>(payload[body_size + 2 + i])) << (8 * i);
  }
  const uint64_t version = static_cast<uint8_t>(payload[body_size]) |
                           static_cast<uint64_t>(static_cast<uint8_t>(payload[body_size + 1])) << 8;
  if (version != kSnapshotVersion || crc != Crc64(0, payload.substr(0, body_size + 2))) {
    return Status::InvalidArgument(std::string(errors::kDumpPayloadBad));
  }
  EngineStats saved_stats = engine.stats();
  ClientState client;
  client.authenticated = true;
  client.deny_blocking = true;
  client.db = db;
  std::string what;
  // Checked whole before anything is created, then loaded.
  std::vector<Db*> passes = {nullptr};
  if (apply) passes.push_back(&engine.db(db));
  for (Db* target : passes) {
    ByteReader r(payload.substr(0, body_size));
    uint8_t op;
    std::string stored_key;
    if (!r.GetByte(&op) || op > kTypeStream || !r.GetString(&stored_key)) {
      what = "bad header";
      break;
    }
    what = LoadValue(&engine, client, r, op, std::string(key), target);
    if (what.empty() && r.pos() != body_size) what = "trailing bytes";
    if (!what.empty()) break;
  }
  engine.stats() = std::move(saved_stats);
  if (!what.empty()) return Status::InvalidArgument(std::string(errors::kBadDataFormat));
  return Status::Ok();
}

}  // namespace racetrack::engine

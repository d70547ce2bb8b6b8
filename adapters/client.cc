#include "adapters/client.h"

#include <charconv>

#include "engine/base/enum_names.h"
#include "engine/base/parse.h"

namespace racetrack::adapters {

std::string CapabilityNames(uint32_t caps) {
  static constexpr EnumName<uint32_t> kNames[] = {
      {kCapStrings, "GET/SET"},       {kCapIncr, "INCR"},
      {kCapHashes, "HINCRBY"},        {kCapWatchMulti, "WATCH/MULTI/EXEC"},
      {kCapScripting, "EVAL"},        {kCapPipeline, "pipelining"},
      {kCapSql, "SQL"},               {kCapSqlPipeline, "SQL pipeline mode"},
      {kCapSortedSets, "sorted sets"},  {kCapHyperLogLog, "HyperLogLog (PFADD)"},
      {kCapBitmaps, "bitmaps (SETBIT/BITCOUNT)"},
      {kCapClientSide, "client-side only (no server)"},
      {kCapPubSub, "Pub/Sub"},          {kCapStreams, "streams"},
      {kCapLists, "blocking lists"},    {kCapSqlListen, "LISTEN/NOTIFY"},
      {kCapOwnProcess, "a server process racetrack can kill and restart"},
  };
  std::string out;
  for (std::string_view name : SetBitNames(kNames, caps)) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string Reply::ToString() const {
  switch (type) {
    case Type::kNil: return "(nil)";
    case Type::kInteger: return std::to_string(integer);
    case Type::kString: return "\"" + str + "\"";
    case Type::kStatus: return str;
    case Type::kError: return "(error) " + str;
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements[i].ToString();
      }
      return out + "]";
    }
  }
  return "?";
}

namespace {

// Reads a "\r\n"-terminated line starting at `pos`; returns npos when incomplete.
size_t LineEnd(std::string_view in, size_t pos) {
  const size_t end = in.find("\r\n", pos);
  return end;
}

// Returns bytes consumed from `pos`, 0 if incomplete, or an error.
Result<size_t> ParseAt(std::string_view in, size_t pos, Reply* out, int depth) {
  if (depth > 64) return Status::Corruption("RESP reply nested too deeply");
  if (pos >= in.size()) return size_t{0};
  const size_t eol = LineEnd(in, pos);
  if (eol == std::string_view::npos) return size_t{0};
  const char kind = in[pos];
  const std::string_view line = in.substr(pos + 1, eol - pos - 1);
  const size_t header = eol + 2 - pos;
  int64_t len = 0;  // of a bulk string ('$') or an array ('*'); negative is RESP2's nil
  if (kind == '$' || kind == '*') {
    if (!ParseWhole(line, &len)) {
      return Status::Corruption(kind == '$' ? "bad RESP bulk length" : "bad RESP array length");
    }
    if (len < 0) {
      out->type = Reply::Type::kNil;
      return header;
    }
  }
  switch (kind) {
    case '+':
      out->type = Reply::Type::kStatus;
      out->str.assign(line);
      return header;
    case '-':
      out->type = Reply::Type::kError;
      out->str.assign(line);
      return header;
    case ':':
      out->type = Reply::Type::kInteger;
      if (!ParseWhole(line, &out->integer)) return Status::Corruption("bad RESP integer");
      return header;
    case '$': {
      const size_t body = eol + 2;
      if (in.size() < body + static_cast<size_t>(len) + 2) return size_t{0};
      out->type = Reply::Type::kString;
      out->str.assign(in.substr(body, static_cast<size_t>(len)));
      return header + static_cast<size_t>(len) + 2;
    }
    case '*': {
      out->type = Reply::Type::kArray;
      out->elements.assign(static_cast<size_t>(len), Reply{});
      size_t used = header;
      for (int64_t i = 0; i < len; ++i) {
        auto r = ParseAt(in, pos + used, &out->elements[static_cast<size_t>(i)], depth + 1);
        if (!r.ok()) return r;
        if (*r == 0) return size_t{0};
        used += *r;
      }
      return used;
    }
    default:
      return Status::Corruption("not a RESP reply (starts with '" + std::string(1, kind) + "')");
  }
}

}  // namespace

Result<size_t> ParseReply(std::string_view in, Reply* out) { return ParseAt(in, 0, out, 0); }

std::optional<std::string> SqlRows::Scalar() const {
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

Status Client::NotSupported(std::string_view what) const {
  return Status::InvalidArgument("target " + std::string(target_name()) + " does not support " +
                                 std::string(what));
}

// Defaults: Redis-like operations map to Command(); SQL operations are unsupported. Adapters
// override what they speak natively.

namespace {
Status ReplyError(const Reply& r) {
  if (r.str.rfind("WRONGTYPE", 0) == 0) return Status::WrongType(r.str);
  return Status::InvalidArgument(r.str);
}
}  // namespace

Result<std::optional<std::string>> Client::Get(std::string_view key) {
  auto r = Command({"GET", std::string(key)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  if (r->is_nil()) return std::optional<std::string>{};
  return std::optional<std::string>(std::move(r->str));
}

Status Client::Set(std::string_view key, std::string_view value) {
  auto r = Command({"SET", std::string(key), std::string(value)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return Status::Ok();
}

Result<int64_t> Client::Del(std::string_view key) {
  auto r = Command({"DEL", std::string(key)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return r->integer;
}

Result<int64_t> Client::Incr(std::string_view key, int64_t by) {
  auto r = by == 1 ? Command({"INCR", std::string(key)})
                   : Command({"INCRBY", std::string(key), std::to_string(by)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return r->integer;
}

Result<int64_t> Client::HIncrBy(std::string_view key, std::string_view field, int64_t by) {
  auto r = Command({"HINCRBY", std::string(key), std::string(field), std::to_string(by)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return r->integer;
}

Result<Reply> Client::Eval(std::string_view script, std::span<const std::string> keys,
                           std::span<const std::string> args) {
  Argv argv{"EVAL", std::string(script), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = Command(argv);
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return r;
}

Status Client::Watch(std::span<const std::string> keys) {
  Argv argv{"WATCH"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  auto r = Command(argv);
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return Status::Ok();
}

Status Client::Unwatch() {
  auto r = Command({"UNWATCH"});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r);
  return Status::Ok();
}

Result<std::optional<std::vector<Reply>>> Client::Exec(std::span<const Argv> commands) {
  std::vector<Argv> batch;
  batch.reserve(commands.size() + 2);
  batch.push_back({"MULTI"});
  batch.insert(batch.end(), commands.begin(), commands.end());
  batch.push_back({"EXEC"});
  auto replies = Pipeline(batch);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i + 1 < replies->size(); ++i) {
    if ((*replies)[i].is_error()) {
      // MULTI refused or a command failed to queue: EXEC answers EXECABORT; report the cause.
      return ReplyError((*replies)[i]);
    }
  }
  Reply& exec = replies->back();
  if (exec.is_error()) return ReplyError(exec);
  if (exec.is_nil()) return std::optional<std::vector<Reply>>{};  // a watched key changed
  return std::optional<std::vector<Reply>>(std::move(exec.elements));
}

Result<SqlRows> Client::Query(const SqlStatement&, std::span<const std::string>) {
  return NotSupported("SQL");
}
Result<std::vector<SqlRows>> Client::QueryBatch(std::span<const SqlCall>) {
  return NotSupported("SQL");
}
Status Client::Subscribe(std::string_view) { return NotSupported("subscriptions"); }
Result<std::optional<PushMessage>> Client::Receive(double) {
  return NotSupported("subscriptions");
}
void Client::Abort() {}

Status Client::Begin(Isolation) { return NotSupported("SQL transactions"); }
Status Client::Commit() { return NotSupported("SQL transactions"); }
Status Client::Rollback() { return NotSupported("SQL transactions"); }

}  // namespace racetrack::adapters

// CRC16 and key positions for the cluster client (cluster_slots.h).
//
// Why a table from the server rather than a list of our own: the server knows every command it
// has, including the ones added after this file was written, and its first/last/step triple
// places the keys of all fixed-position commands. Only the "movablekeys" ones (the count sits in
// an argument) need parsing here, and an unparsed one falls back to COMMAND GETKEYS.
#include "adapters/cluster_slots.h"

#include <array>
#include <cctype>

namespace racetrack::adapters {

namespace {

// The table of CRC16/XMODEM for every byte value, computed at compile time from the polynomial.
constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<uint16_t>(crc << 1);
    }
    table[static_cast<size_t>(byte)] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = MakeCrcTable();

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses a non-negative count; nullopt when the text is not one.
std::optional<size_t> Count(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// Keys given as "numkeys key..." with the count at argv[at]; `extra` keys before it (a dest).
std::optional<std::vector<size_t>> CountedKeys(const Argv& argv, size_t at,
                                               std::vector<size_t> extra) {
  if (argv.size() <= at) return extra;  // the server answers the arity error
  auto n = Count(argv[at]);
  if (!n || at + 1 + *n > argv.size()) return extra;
  for (size_t i = 0; i < *n; ++i) extra.push_back(at + 1 + i);
  return extra;
}

// The commands whose keys move with an argument, parsed. nullopt: not one of them.
std::optional<std::optional<std::vector<size_t>>> MovableKeys(const std::string& name,
                                                              const Argv& argv) {
  if (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
      name == "fcall" || name == "fcall_ro") {
    return CountedKeys(argv, 2, {});
  }
  if (name == "zunionstore" || name == "zinterstore" || name == "zdiffstore") {
    return CountedKeys(argv, 2, {1});
  }
  if (name == "zunion" || name == "zinter" || name == "zdiff" || name == "zintercard" ||
      name == "sintercard" || name == "lmpop" || name == "zmpop") {
    return CountedKeys(argv, 1, {});
  }
  if (name == "blmpop" || name == "bzmpop") return CountedKeys(argv, 2, {});
  if (name == "xread" || name == "xreadgroup") {
    for (size_t i = 1; i < argv.size(); ++i) {
      if (Lower(argv[i]) != "streams") continue;
      const size_t rest = argv.size() - i - 1;
      std::vector<size_t> keys;
      for (size_t k = 0; k < rest / 2; ++k) keys.push_back(i + 1 + k);
      return std::optional<std::vector<size_t>>(keys);
    }
    return std::optional<std::vector<size_t>>(std::vector<size_t>{});
  }
  return std::nullopt;
}

}  // namespace

uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

std::string_view HashTagOf(std::string_view key) {
  const size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  const size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

int KeySlot(std::string_view key) { return Crc16(HashTagOf(key)) & (kClusterSlots - 1); }

Status CommandKeyTable::Load(const Reply& reply) {
  if (reply.type != Reply::Type::kArray) {
    return Status::Corruption("COMMAND did not answer an array: " + reply.ToString());
  }
  auto add = [&](const Reply& entry) -> bool {
    if (entry.type != Reply::Type::kArray || entry.elements.size() < 6) return false;
    const auto& e = entry.elements;
    Spec spec{static_cast<int>(e[3].integer), static_cast<int>(e[4].integer),
              static_cast<int>(e[5].integer), false};
    if (e[2].type == Reply::Type::kArray) {
      for (const Reply& flag : e[2].elements) {
        spec.movable |= flag.str == "movablekeys";
        spec.write |= flag.str == "write";
      }
    }
    specs_[Lower(e[0].str)] = spec;
    return true;
  };
  for (const Reply& entry : reply.elements) {
    if (!add(entry)) return Status::Corruption("COMMAND entry of an unexpected shape");
    // Redis 7: element 9 lists a container command's subcommands ("memory|usage").
    if (entry.elements.size() > 9 && entry.elements[9].type == Reply::Type::kArray) {
      for (const Reply& sub : entry.elements[9].elements) add(sub);
    }
  }
  return Status::Ok();
}

CommandKeyTable CommandKeyTable::Defaults() {
  CommandKeyTable t;
  for (const char* read : {"get", "hget", "hgetall", "hmget", "ttl", "pttl", "zrevrange",
                           "zrange", "zrank", "zrevrank", "zscore", "zcard", "type", "strlen",
                           "llen", "lrange", "scard", "smembers", "getbit", "bitcount", "xlen"}) {
    t.specs_[read] = Spec{1, 1, 1, false, false};
  }
  for (const char* write : {"set", "incr", "incrby", "decr", "decrby", "hincrby", "hset",
                            "expire", "pexpire", "zadd", "zincrby", "zremrangebyscore", "getset",
                            "setnx", "lpush", "rpush", "lpop", "rpop", "sadd", "pfadd", "setbit",
                            "xadd"}) {
    t.specs_[write] = Spec{1, 1, 1, false, true};
  }
  for (const char* many : {"exists", "watch", "mget"}) t.specs_[many] = Spec{1, -1, 1, false, false};
  for (const char* many : {"del", "unlink", "pfcount", "pfmerge"}) {
    t.specs_[many] = Spec{1, -1, 1, false, true};
  }
  t.specs_["mset"] = Spec{1, -1, 2, false, true};
  t.specs_["memory|usage"] = Spec{2, 2, 1, false, false};
  t.specs_["object|encoding"] = Spec{2, 2, 1, false, false};
  return t;
}

const CommandKeyTable::Spec* CommandKeyTable::Find(const Argv& argv) const {
  const std::string name = Lower(argv[0]);
  auto it = specs_.end();
  if (argv.size() > 1) it = specs_.find(name + "|" + Lower(argv[1]));
  if (it == specs_.end()) it = specs_.find(name);
  return it == specs_.end() ? nullptr : &it->second;
}

bool CommandKeyTable::MayWrite(const Argv& argv) const {
  if (argv.empty()) return false;
  const std::string name = Lower(argv[0]);
  if (name.rfind("eval", 0) == 0 || name.rfind("fcall", 0) == 0) return true;
  const Spec* s = Find(argv);
  return s == nullptr || s->write;
}

std::optional<std::vector<size_t>> CommandKeyTable::KeyIndexes(const Argv& argv) const {
  if (argv.empty()) return std::vector<size_t>{};
  const std::string name = Lower(argv[0]);
  if (auto movable = MovableKeys(name, argv)) return *movable;
  const Spec* found = Find(argv);
  if (found == nullptr) return std::vector<size_t>{};  // unknown: the server says so
  const Spec& s = *found;
  if (s.first <= 0) return s.movable ? std::nullopt : std::optional(std::vector<size_t>{});
  const int n = static_cast<int>(argv.size());
  const int last = s.last < 0 ? n + s.last : s.last;
  std::vector<size_t> out;
  for (int i = s.first; i <= last && i < n; i += std::max(1, s.step)) {
    out.push_back(static_cast<size_t>(i));
  }
  // A fixed-position command with movable extras (SORT ... STORE dst, GEORADIUS ... STORE):
  // the extras are found by the server.
  if (s.movable) return std::nullopt;
  return out;
}

}  // namespace racetrack::adapters

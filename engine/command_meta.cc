#include "engine/command_meta.h"

#include <strings.h>

#include <string>
#include <unordered_map>

#include "engine/base/enum_names.h"
#include "engine/ds/util.h"

namespace racetrack::engine {
namespace {

constexpr AclCategoryName kCategoryNames[] = {
    {"keyspace", kAclKeyspace},   {"read", kAclRead},
    {"write", kAclWrite},         {"set", kAclSet},
    {"sortedset", kAclSortedset}, {"list", kAclList},
    {"hash", kAclHash},           {"string", kAclString},
    {"bitmap", kAclBitmap},       {"hyperloglog", kAclHyperloglog},
    {"geo", kAclGeo},             {"stream", kAclStream},
    {"pubsub", kAclPubsub},       {"admin", kAclAdmin},
    {"fast", kAclFast},           {"slow", kAclSlow},
    {"blocking", kAclBlocking},   {"dangerous", kAclDangerous},
    {"connection", kAclConnection}, {"transaction", kAclTransaction},
    {"scripting", kAclScripting},
};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Redis's getKeysUsingKeySpecs: every spec in order; -1 when one does not resolve.
int KeysFromSpecs(const CommandSpec& spec, const CommandMeta& meta, Args argv,
                  std::vector<KeyRef>* out) {
  const int argc = static_cast<int>(argv.size());
  for (const RedisKeySpec& ks : meta.key_specs) {
    if (ks.flags & kKeyNotKey) continue;
    int first = 0;
    if (ks.begin.type == KeyBegin::kIndex) {
      first = ks.begin.index;
    } else if (ks.begin.type == KeyBegin::kKeyword) {
      const int from = ks.begin.startfrom;
      const int start = from > 0 ? from : argc + from;
      const int end = from > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsNoCase(argv[static_cast<size_t>(i)], ks.begin.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;  // keyword absent: this spec names no keys
    } else {
      return -1;
    }
    int last = 0, step = 1;
    if (ks.find.type == KeyFind::kRange) {
      step = ks.find.b;
      if (ks.find.a >= 0) {
        last = first + ks.find.a;
      } else if (ks.find.c == 0) {
        last = argc + ks.find.a;
      } else {
        last = first + ((argc - first) / ks.find.c + ks.find.a);
      }
    } else if (ks.find.type == KeyFind::kKeynum) {
      step = ks.find.c;
      if (ks.find.a >= argc || first + ks.find.a >= argc) return -1;
      int64_t numkeys;
      if (!ParseInt64(argv[static_cast<size_t>(first + ks.find.a)], &numkeys) || numkeys < 0) {
        return -1;
      }
      first += ks.find.b;
      last = first + static_cast<int>(numkeys) - 1;
    } else {
      return -1;
    }
    if (last >= argc || last < first || first >= argc) return -1;
    for (int i = first; i <= last; i += step) {
      if (i >= argc || i < first) {
        if (spec.arity < 0) continue;
        break;
      }
      out->push_back({i, ks.flags});
    }
    if (ks.flags & kKeyIncomplete) return -1;
  }
  return static_cast<int>(out->size());
}

// Redis's command-specific getkeys procs, for the commands whose specs are incomplete or whose
// flags depend on the arguments. Only commands this engine can have are here.
bool KeysFromProc(std::string_view name, Args argv, std::vector<KeyRef>* out) {
  const int argc = static_cast<int>(argv.size());
  if (name == "set") {  // setGetKeys: GET makes the write a read too
    uint32_t flags = kKeyOw | kKeyUpdate;
    for (int i = 3; i < argc; ++i) {
      if (EqualsNoCase(argv[static_cast<size_t>(i)], "get")) {
        flags = kKeyRw | kKeyAccess | kKeyUpdate;
        break;
      }
    }
    out->push_back({1, flags});
    return true;
  }
  if (name == "bitfield") {  // bitfieldGetKeys: only GETs (and OVERFLOW) read only
    bool readonly = true;
    for (int i = 2; i < argc; ++i) {
      int rem = argc - i - 1;
      std::string_view a = argv[static_cast<size_t>(i)];
      if (EqualsNoCase(a, "get") && rem >= 2) {
        i += 2;
      } else if ((EqualsNoCase(a, "set") || EqualsNoCase(a, "incrby")) && rem >= 3) {
        readonly = false;
        break;
      } else if (EqualsNoCase(a, "overflow") && rem >= 1) {
        i += 1;
      } else {
        readonly = false;
        break;
      }
    }
    out->push_back({1, readonly ? kKeyRo | kKeyAccess : kKeyRw | kKeyAccess | kKeyUpdate});
    return true;
  }
  if (name == "sort" || name == "sort_ro") {  // sortGetKeys: the last STORE's key
    out->push_back({1, kKeyRo | kKeyAccess});
    if (name == "sort_ro") return true;
    int store = -1;
    for (int i = 2; i < argc; ++i) {
      std::string_view a = argv[static_cast<size_t>(i)];
      if (EqualsNoCase(a, "limit")) {
        i += 2;
      } else if (EqualsNoCase(a, "get") || EqualsNoCase(a, "by")) {
        i += 1;
      } else if (EqualsNoCase(a, "store") && i + 1 < argc) {
        store = i + 1;
      }
    }
    if (store >= 0) out->push_back({store, kKeyOw | kKeyUpdate});
    return true;
  }
  return false;
}

bool HasVariableFlags(const CommandMeta& meta) {
  for (const RedisKeySpec& ks : meta.key_specs) {
    if (ks.flags & kKeyVariableFlags) return true;
  }
  return false;
}

}  // namespace

std::span<const AclCategoryName> AclCategoryNames() { return kCategoryNames; }

uint32_t AclCategoryByName(std::string_view name) {
  for (const AclCategoryName& c : kCategoryNames) {
    if (EqualsNoCase(c.name, name)) return c.bit;
  }
  return 0;
}

std::vector<std::string_view> KeyFlagNames(uint32_t flags) {
  static constexpr EnumName<uint32_t> kNames[] = {
      {kKeyRo, "RO"},         {kKeyRw, "RW"},
      {kKeyOw, "OW"},         {kKeyRm, "RM"},
      {kKeyAccess, "access"}, {kKeyUpdate, "update"},
      {kKeyInsert, "insert"}, {kKeyDelete, "delete"},
      {kKeyNotKey, "not_key"}, {kKeyIncomplete, "incomplete"},
      {kKeyVariableFlags, "variable_flags"},
  };
  return SetBitNames(kNames, flags);
}

const CommandSpec* LookupCommand(const CommandTable& table, Args argv) {
  if (argv.empty()) return nullptr;
  const CommandSpec* spec = table.Find(argv[0]);
  if (spec == nullptr || spec->subcommands.empty() || argv.size() < 2) return spec;
  auto it = spec->subcommands.find(ToLower(argv[1]));
  return it == spec->subcommands.end() ? nullptr : it->second.get();
}

const CommandSpec* LookupCommandByFullName(const CommandTable& table, std::string_view full) {
  const size_t bar = full.find('|');
  const CommandSpec* base = table.Find(full.substr(0, bar));
  if (bar == std::string_view::npos || base == nullptr) return base;
  std::string_view sub = full.substr(bar + 1);
  if (base->subcommands.empty() || sub.find('|') != std::string_view::npos) return nullptr;
  auto it = base->subcommands.find(ToLower(sub));
  return it == base->subcommands.end() ? nullptr : it->second.get();
}

namespace {

// The entry of a generated table by full name, through an index built on first use.
template <typename Entry, typename Table>
const Entry* FindByName(const Table& table, std::string_view full_name) {
  static const auto* index = [&table] {
    auto* m = new std::unordered_map<std::string_view, const Entry*>();
    for (const Entry& e : table) m->emplace(e.name, &e);
    return m;
  }();
  auto it = index->find(full_name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace

const CommandDoc* FindCommandDoc(std::string_view full_name) {
  return FindByName<CommandDoc>(RedisCommandDocs(), full_name);
}

const CommandMeta* FindCommandMeta(std::string_view full_name) {
  return FindByName<CommandMeta>(RedisCommandMetas(), full_name);
}

uint32_t CommandAclCategories(const CommandSpec& spec) {
  uint32_t cats = 0;
  if (const CommandMeta* meta = FindCommandMeta(spec.name)) cats = meta->categories;
  if (spec.flags & kCmdWrite) cats |= kAclWrite;
  if ((spec.flags & kCmdReadOnly) && !(cats & kAclScripting)) cats |= kAclRead;
  if (spec.flags & kCmdAdmin) cats |= kAclAdmin | kAclDangerous;
  if (spec.flags & kCmdPubSub) cats |= kAclPubsub;
  if (spec.flags & kCmdFast) cats |= kAclFast;
  if (spec.flags & kCmdBlocking) cats |= kAclBlocking;
  if (!(cats & kAclFast)) cats |= kAclSlow;
  return cats;
}

bool CommandHasKeys(const CommandSpec& spec) {
  const CommandMeta* meta = FindCommandMeta(spec.name);
  if (meta == nullptr) return spec.first_key > 0;
  if (spec.name == "set" || spec.name == "bitfield" || spec.name == "sort" ||
      spec.name == "sort_ro") {
    return true;
  }
  for (const RedisKeySpec& ks : meta->key_specs) {
    if (!(ks.flags & kKeyNotKey)) return true;
  }
  return false;
}

bool CommandKeys(const CommandSpec& spec, Args argv, std::vector<KeyRef>* out) {
  out->clear();
  const CommandMeta* meta = FindCommandMeta(spec.name);
  if (meta == nullptr) {  // not a Redis 7.0 command: the legacy positions, used every way
    for (int pos : spec.KeyPositions(argv.size())) {
      out->push_back({pos, kKeyRw | kKeyAccess | kKeyUpdate});
    }
    return !out->empty();
  }
  if (!HasVariableFlags(*meta)) {
    int n = KeysFromSpecs(spec, *meta, argv, out);
    if (n >= 0) return n > 0;
    out->clear();
  }
  // As Redis's fallback to the getkeys procs: the keynum-style ones (EVAL, ZUNIONSTORE, ...)
  // find no keys where the spec did not resolve, so only the procs with flags of their own remain.
  if (KeysFromProc(spec.name, argv, out)) return !out->empty();
  return false;
}

std::vector<KeyRef> CommandChannels(const CommandSpec& spec, Args argv) {
  struct ChannelSpec {
    std::string_view name;
    uint32_t flags;
    int start;
    int count;
  };
  static constexpr ChannelSpec kSpecs[] = {
      {"subscribe", kChannelSubscribe, 1, -1},
      {"ssubscribe", kChannelSubscribe, 1, -1},
      {"unsubscribe", kChannelUnsubscribe, 1, -1},
      {"sunsubscribe", kChannelUnsubscribe, 1, -1},
      {"psubscribe", kChannelPattern | kChannelSubscribe, 1, -1},
      {"punsubscribe", kChannelPattern | kChannelUnsubscribe, 1, -1},
      {"publish", kChannelPublish, 1, 1},
      {"spublish", kChannelPublish, 1, 1},
  };
  std::vector<KeyRef> out;
  for (const ChannelSpec& c : kSpecs) {
    if (c.name != spec.name) continue;
    int argc = static_cast<int>(argv.size());
    int stop = c.count == -1 ? argc : std::min(argc, c.start + c.count);
    for (int i = c.start; i < stop; ++i) out.push_back({i, c.flags});
    break;
  }
  return out;
}

}  // namespace racetrack::engine

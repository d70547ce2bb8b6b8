#include "engine/command.h"

#include "engine/base/enum_names.h"
#include "engine/base/status.h"
#include "engine/command_meta.h"

namespace racetrack::engine {

std::vector<int> CommandSpec::KeyPositions(size_t argc) const {
  std::vector<int> out;
  ForEachKeyPosition(argc, [&out](int i) { out.push_back(i); });
  return out;
}

std::vector<std::string_view> CommandSpec::FlagNames() const {
  // In Redis's order (addCommandFlags in server.c).
  static constexpr EnumName<uint32_t> kNames[] = {
      {kCmdWrite, "write"},
      {kCmdReadOnly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubSub, "pubsub"},
      {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoAsyncLoading, "no_async_loading"},
      {kCmdNoMulti, "no_multi"},
      {kCmdMovableKeys, "movablekeys"},
      {kCmdAllowBusy, "allow_busy"},
  };
  return SetBitNames(kNames, flags);
}

CommandSpec& CommandTable::Register(CommandSpec spec) {
  spec.acl_id = acl_id_count();
  spec.acl_categories = CommandAclCategories(spec);
  std::string name = spec.name;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  auto [it, inserted] = commands_.emplace(name, std::move(owned));
  RT_CHECK(inserted);
  by_id_.push_back(it->second.get());
  return *it->second;
}

CommandSpec& CommandTable::RegisterSub(std::string_view parent, CommandSpec sub) {
  auto it = commands_.find(std::string(parent));
  RT_CHECK(it != commands_.end());
  std::string sub_name = sub.name;
  sub.name = std::string(parent) + "|" + sub_name;
  sub.acl_id = acl_id_count();
  sub.acl_categories = CommandAclCategories(sub);
  auto owned = std::make_unique<CommandSpec>(std::move(sub));
  auto [sit, inserted] = it->second->subcommands.emplace(sub_name, std::move(owned));
  RT_CHECK(inserted);
  by_id_.push_back(sit->second.get());
  return *sit->second;
}

namespace {

// Redis 7.0.15's complexity, summary and since for a command (full name); all empty if it has no
// docs for it (server_family_test then names the command).
DocStrings RedisDocStrings(std::string_view full_name) {
  const CommandDoc* doc = FindCommandDoc(full_name);
  if (doc == nullptr) return {};
  return {.complexity = doc->complexity, .summary = doc->summary, .since = doc->since};
}

std::string FullName(std::string_view parent, std::string_view name) {
  return std::string(parent) + "|" + std::string(name);
}

}  // namespace

CommandSpec CommandRegistrar::Spec(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                                   const DocStrings& docs, CommandHandler handler) const {
  return CommandSpec{.name = std::string(name),
                     .arity = arity,
                     .flags = flags,
                     .first_key = keys.first,
                     .last_key = keys.last,
                     .key_step = keys.step,
                     .group = group_,
                     .complexity = std::string(docs.complexity),
                     .summary = std::string(docs.summary),
                     .since = std::string(docs.since),
                     .handler = handler};
}

CommandSpec& CommandRegistrar::Add(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                                   CommandHandler handler) {
  return table_.Register(Spec(name, arity, flags, keys, RedisDocStrings(name), handler));
}

CommandSpec& CommandRegistrar::Add(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                                   const DocStrings& docs, CommandHandler handler) {
  RT_CHECK(FindCommandDoc(name) == nullptr);
  return table_.Register(Spec(name, arity, flags, keys, docs, handler));
}

CommandSpec& CommandRegistrar::Sub(std::string_view parent, std::string_view name, int arity,
                                   uint32_t flags, KeySpec keys, CommandHandler handler) {
  const DocStrings docs = RedisDocStrings(FullName(parent, name));
  return table_.RegisterSub(parent, Spec(name, arity, flags, keys, docs, handler));
}

CommandSpec& CommandRegistrar::Sub(std::string_view parent, std::string_view name, int arity,
                                   uint32_t flags, KeySpec keys, const DocStrings& docs,
                                   CommandHandler handler) {
  RT_CHECK(FindCommandDoc(FullName(parent, name)) == nullptr);
  return table_.RegisterSub(parent, Spec(name, arity, flags, keys, docs, handler));
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    // ASCII only, inline: std::tolower is a locale-aware library call per character, and this
    // runs on every request.
    const char c = name[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  // Heterogeneous lookup would avoid this string; command names are short (SSO), so it is cheap.
  auto it = commands_.find(std::string(buf, name.size()));
  return it == commands_.end() ? nullptr : it->second.get();
}

}  // namespace racetrack::engine

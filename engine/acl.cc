// ACL users, rules, checks and descriptions, following Redis 7.0's acl.c: the same op grammar and
// error codes, the same check order (command bit, first-arg, keys, channels; selectors in turn), and
// the same best-fit description of a command bitmap as categories plus single commands.
#include "engine/acl.h"

#include <openssl/evp.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include "engine/base/enum_names.h"
#include "engine/base/status.h"
#include "engine/command_meta.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/resp.h"

namespace racetrack::engine {
namespace {

constexpr int kFutureBit = kAclMaxCommands - 1;

// Redis's ACLSetSelector / ACLSetUser failure codes (errno values there).
enum OpError {
  kOpOk = 0,
  kOpUnknown,        // ENOENT
  kOpSyntax,         // EINVAL
  kOpKeyAfterAll,    // EEXIST
  kOpChanAfterAll,   // EISDIR
  kOpNoSuchPass,     // ENODEV
  kOpBadHash,        // EBADMSG
  kOpSubFirstArg,    // ECHILD
};

std::string_view OpErrorText(int code) {
  switch (code) {
    case kOpUnknown:
      return "Unknown command or category name in ACL";
    case kOpSyntax:
      return "Syntax error";
    case kOpKeyAfterAll:
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
             "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case kOpChanAfterAll:
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
             "does not have any effect. Try 'resetchannels' to start with an empty list of "
             "channels";
    case kOpNoSuchPass:
      return "The password you are trying to remove from the user does not exist";
    case kOpBadHash:
      return "The password hash must be exactly 64 characters and contain only lowercase "
             "hexadecimal characters";
    case kOpSubFirstArg:
      return "Allowing first-arg of a subcommand is not supported";
    default:
      return "Wrong format";
  }
}

bool Is(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Redis's ACLStringHasSpaces: whitespace or NUL anywhere.
bool HasSpaces(std::string_view s) {
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == 0) return true;
  }
  return false;
}

bool ValidHash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char c : h) {
    if (!((c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// The hash a password op adds or removes: after '>' or '<' a clear-text password, hashed here;
// after '#' or '!' a hash already — nullopt when it is not one (Redis's EBADMSG).
std::optional<std::string> PasswordOpHash(std::string_view op) {
  std::string_view arg = op.substr(1);
  if (op[0] == '>' || op[0] == '<') return AclHashPassword(arg);
  if (!ValidHash(arg)) return std::nullopt;
  return std::string(arg);
}

AclSelector NewSelector(uint32_t flags) {
  AclSelector s;
  s.flags = flags;
  return s;
}

// The user flags in Redis's ACLUserFlags order (ACL LIST and GETUSER print them in this order).
constexpr EnumName<uint32_t> kUserFlagNames[] = {
    {AclUser::kEnabled, "on"},
    {AclUser::kDisabled, "off"},
    {AclUser::kNoPass, "nopass"},
    {AclUser::kSkipSanitize, "skip-sanitize-payload"},
    {AclUser::kSanitize, "sanitize-payload"},
};

}  // namespace

std::vector<std::string_view> AclUserFlagNames(uint32_t flags) {
  return SetBitNames(kUserFlagNames, flags);
}

std::string AclHashPassword(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

// ACL LOG's "reason" and "context" fields, as Redis 7.0 prints them.
constexpr EnumName<AclResult> kAclReasonNames[] = {
    {AclResult::kDeniedCmd, "command"},
    {AclResult::kDeniedKey, "key"},
    {AclResult::kDeniedChannel, "channel"},
    {AclResult::kDeniedAuth, "auth"},
};
static_assert(NamesEveryValue(kAclReasonNames, AclResult::kDeniedAuth, AclResult::kDeniedCmd));

constexpr EnumName<AclContext> kAclContextNames[] = {
    {AclContext::kTopLevel, "toplevel"},
    {AclContext::kMulti, "multi"},
    {AclContext::kLua, "lua"},
};
static_assert(NamesEveryValue(kAclContextNames, AclContext::kLua));

std::string_view AclReasonName(AclResult r) { return NameOf(kAclReasonNames, r, "unknown"); }

std::string_view AclContextName(AclContext c) { return NameOf(kAclContextNames, c, "unknown"); }

Acl::Acl(const CommandTable& commands, const EngineConfig* config)
    : commands_(commands), config_(config) {
  RT_CHECK(commands.acl_id_count() < kFutureBit);
  for (const auto& [name, spec] : commands.all()) {
    all_specs_.push_back(spec.get());
    for (const auto& [sub_name, sub] : spec->subcommands) all_specs_.push_back(sub.get());
  }
  std::sort(all_specs_.begin(), all_specs_.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  auto user = std::make_unique<AclUser>();
  user->name = "default";
  user->selectors.push_back(NewSelector(AclSelector::kRoot));
  for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) (void)ApplyUserOp(*user, op);
  default_user_ = user.get();
  users_.emplace("default", std::move(user));
}

AclUser* Acl::Find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

const CommandSpec* Acl::LookupCommand(std::string_view full_name) const {
  size_t bar = full_name.find('|');
  const CommandSpec* spec = commands_.Find(full_name.substr(0, bar));
  if (spec == nullptr || bar == std::string_view::npos) return spec;
  std::string sub = ToLower(full_name.substr(bar + 1));
  auto it = spec->subcommands.find(sub);
  return it == spec->subcommands.end() ? nullptr : it->second.get();
}

void Acl::ChangePerm(AclSelector& s, const CommandSpec& cmd, bool allow) const {
  s.allowed.set(static_cast<size_t>(cmd.acl_id), allow);
  if (!allow) s.flags &= ~AclSelector::kAllCommands;
  s.firstargs.erase(cmd.acl_id);
  for (const auto& [name, sub] : cmd.subcommands) {
    s.allowed.set(static_cast<size_t>(sub->acl_id), allow);
  }
}

void Acl::SetCategory(AclSelector& s, uint32_t cat, bool allow) const {
  // As ACLSetSelectorCommandBitsForCategoryLogic: a container in the category brings all its
  // subcommands along, then each subcommand is considered on its own.
  for (const auto& [name, spec] : commands_.all()) {
    if (spec->acl_categories & cat) ChangePerm(s, *spec, allow);
    for (const auto& [sub_name, sub] : spec->subcommands) {
      if (sub->acl_categories & cat) ChangePerm(s, *sub, allow);
    }
  }
}

void Acl::CountCategory(const AclSelector& s, uint32_t cat, int* on, int* off) const {
  *on = *off = 0;
  for (const CommandSpec* spec : all_specs_) {
    if (!(spec->acl_categories & cat)) continue;
    if (s.allowed.test(static_cast<size_t>(spec->acl_id))) {
      ++*on;
    } else {
      ++*off;
    }
  }
}

int Acl::ApplySelectorOp(AclSelector& s, std::string_view op) const {
  // allkeys / resetkeys, allchannels / resetchannels: every name or none, no pattern either way.
  auto all_or_none = [&s](uint32_t all_flag, bool all, auto& patterns) {
    s.flags = all ? (s.flags | all_flag) : (s.flags & ~all_flag);
    patterns.clear();
  };
  if (Is(op, "allkeys") || Is(op, "~*")) {
    all_or_none(AclSelector::kAllKeys, true, s.patterns);
  } else if (Is(op, "resetkeys")) {
    all_or_none(AclSelector::kAllKeys, false, s.patterns);
  } else if (Is(op, "allchannels") || Is(op, "&*")) {
    all_or_none(AclSelector::kAllChannels, true, s.channels);
  } else if (Is(op, "resetchannels")) {
    all_or_none(AclSelector::kAllChannels, false, s.channels);
  } else if (Is(op, "allcommands") || Is(op, "+@all")) {
    s.allowed.set();
    s.flags |= AclSelector::kAllCommands;
    s.firstargs.clear();
  } else if (Is(op, "nocommands") || Is(op, "-@all")) {
    s.allowed.reset();
    s.flags &= ~AclSelector::kAllCommands;
    s.firstargs.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.flags & AclSelector::kAllKeys) return kOpKeyAfterAll;
    uint32_t perm = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (c == 'R' && !(perm & AclSelector::kRead)) {
          perm |= AclSelector::kRead;
        } else if (c == 'W' && !(perm & AclSelector::kWrite)) {
          perm |= AclSelector::kWrite;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          return kOpSyntax;
        }
      }
    } else {
      perm = AclSelector::kReadWrite;
    }
    std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (HasSpaces(pattern)) return kOpSyntax;
    auto it = std::find_if(s.patterns.begin(), s.patterns.end(),
                           [&](const AclSelector::KeyPattern& p) { return p.pattern == pattern; });
    if (it == s.patterns.end()) {
      s.patterns.push_back({std::string(pattern), perm});
    } else {
      it->perm |= perm;
    }
    s.flags &= ~AclSelector::kAllKeys;
  } else if (op[0] == '&') {
    if (s.flags & AclSelector::kAllChannels) return kOpChanAfterAll;
    std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return kOpSyntax;
    if (std::find(s.channels.begin(), s.channels.end(), pattern) == s.channels.end()) {
      s.channels.emplace_back(pattern);
    }
    s.flags &= ~AclSelector::kAllChannels;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view rest = op.substr(1);
    size_t bar = rest.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandSpec* cmd = LookupCommand(rest);
      if (cmd == nullptr) return kOpUnknown;
      ChangePerm(s, *cmd, true);
    } else {
      std::string_view parent_name = rest.substr(0, bar), sub = rest.substr(bar + 1);
      const CommandSpec* cmd = LookupCommand(parent_name);
      if (cmd == nullptr) return kOpUnknown;
      if (cmd->name.find('|') != std::string::npos) return kOpSubFirstArg;
      if (sub.empty()) return kOpSyntax;
      if (!cmd->subcommands.empty()) {
        const CommandSpec* subcmd = LookupCommand(rest);
        if (subcmd == nullptr) return kOpUnknown;
        ChangePerm(s, *subcmd, true);
      } else {
        // First-arg rules (+select|0): deprecated in Redis but still honoured.
        auto& v = s.firstargs[cmd->acl_id];
        bool dup = std::any_of(v.begin(), v.end(), [&](const std::string& a) { return Is(a, sub); });
        if (!dup) v.emplace_back(sub);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandSpec* cmd = LookupCommand(op.substr(1));
    if (cmd == nullptr) return kOpUnknown;
    ChangePerm(s, *cmd, false);
  } else if ((op[0] == '+' || op[0] == '-') && op.size() >= 2 && op[1] == '@') {
    uint32_t cat = AclCategoryByName(op.substr(2));
    if (cat == 0) return kOpUnknown;
    SetCategory(s, cat, op[0] == '+');
  } else {
    return kOpSyntax;
  }
  return kOpOk;
}

std::string Acl::ApplyUserOp(AclUser& u, std::string_view op) const {
  const int code = ApplyUserOpCode(u, op);
  if (code == kOpOk) return "";
  return "Error in ACL SETUSER modifier '" + std::string(op) + "': " +
         std::string(OpErrorText(code));
}

int Acl::ApplyUserOpCode(AclUser& u, std::string_view op) const {
  if (op.empty()) return kOpOk;
  if (Is(op, "on")) {
    u.flags = (u.flags | AclUser::kEnabled) & ~AclUser::kDisabled;
  } else if (Is(op, "off")) {
    u.flags = (u.flags | AclUser::kDisabled) & ~AclUser::kEnabled;
  } else if (Is(op, "skip-sanitize-payload")) {
    u.flags = (u.flags | AclUser::kSkipSanitize) & ~AclUser::kSanitize;
  } else if (Is(op, "sanitize-payload")) {
    u.flags = (u.flags | AclUser::kSanitize) & ~AclUser::kSkipSanitize;
  } else if (Is(op, "nopass")) {
    u.flags |= AclUser::kNoPass;
    u.passwords.clear();
  } else if (Is(op, "resetpass")) {
    u.flags &= ~AclUser::kNoPass;
    u.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::optional<std::string> hash = PasswordOpHash(op);
    if (!hash) return kOpBadHash;
    if (std::find(u.passwords.begin(), u.passwords.end(), *hash) == u.passwords.end()) {
      u.passwords.push_back(std::move(*hash));
    }
    u.flags &= ~AclUser::kNoPass;
  } else if (op[0] == '<' || op[0] == '!') {
    std::optional<std::string> hash = PasswordOpHash(op);
    if (!hash) return kOpBadHash;
    auto it = std::find(u.passwords.begin(), u.passwords.end(), *hash);
    if (it == u.passwords.end()) return kOpNoSuchPass;
    u.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    AclSelector s = NewSelector(PubsubDefault());
    std::vector<std::string> parts;
    if (!SplitArgs(op.substr(1, op.size() - 2), &parts)) return kOpSyntax;
    for (const std::string& part : parts) {
      int code = ApplySelectorOp(s, part);
      if (code != kOpOk) return code;
    }
    u.selectors.push_back(std::move(s));
  } else if (Is(op, "clearselectors")) {
    u.selectors.resize(1);
  } else if (Is(op, "reset")) {
    for (std::string_view r : {"resetpass", "resetkeys", "resetchannels"}) (void)ApplyUserOp(u, r);
    if (PubsubDefault() & AclSelector::kAllChannels) (void)ApplyUserOp(u, "allchannels");
    for (std::string_view r : {"off", "sanitize-payload", "clearselectors", "-@all"}) {
      (void)ApplyUserOp(u, r);
    }
  } else {
    int code = ApplySelectorOp(u.selectors[0], op);
    if (code != kOpOk) return code;
  }
  return kOpOk;
}

std::string Acl::SetUser(std::string_view name, std::span<const std::string_view> ops) {
  // Selectors may be spread over several arguments: "(~a" "+get)" is one op (Redis's
  // ACLMergeSelectorArguments).
  std::vector<std::string> merged;
  std::string selector;
  int open_at = -1;
  for (size_t j = 0; j < ops.size(); ++j) {
    std::string_view op = ops[j];
    if (!op.empty() && op[0] == '(' && op.back() != ')') {
      selector = std::string(op);
      open_at = static_cast<int>(j);
      continue;
    }
    if (open_at != -1) {
      selector += " ";
      selector += op;
      if (!op.empty() && op.back() == ')') {
        open_at = -1;
        merged.push_back(std::move(selector));
      }
      continue;
    }
    merged.emplace_back(op);
  }
  if (open_at != -1) {
    return "Unmatched parenthesis in acl selector starting at '" +
           std::string(ops[static_cast<size_t>(open_at)]) + "'.";
  }
  AclUser* existing = Find(name);
  AclUser temp = existing != nullptr ? *existing : NewUser(name);
  for (const std::string& op : merged) {
    std::string err = ApplyUserOp(temp, op);
    if (!err.empty()) return err;
  }
  if (existing != nullptr) {
    *existing = std::move(temp);
  } else {
    auto u = std::make_unique<AclUser>(std::move(temp));
    users_.emplace(std::string(name), std::move(u));
  }
  return "";
}

AclUser Acl::NewUser(std::string_view name) const {
  AclUser u;
  u.name = std::string(name);
  u.selectors.push_back(NewSelector(AclSelector::kRoot | PubsubDefault()));
  return u;
}

std::string Acl::LoadFile(const std::string& path, std::string_view shown,
                          std::vector<std::unique_ptr<AclUser>>* replaced) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "Error loading ACLs, opening file '" + std::string(shown) + "': " + std::strerror(errno);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where(shown);
  std::string errors;
  std::map<std::string, std::unique_ptr<AclUser>, std::less<>> loaded;
  size_t start = 0;
  for (int linenum = 1; start <= text.size(); ++linenum) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    const size_t first = line.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) continue;  // blank
    line = line.substr(first, line.find_last_not_of(" \t\r\n") - first + 1);
    std::vector<std::string_view> argv;  // sdssplitlen(line, " "): two spaces make an empty one
    for (size_t p = 0;;) {
      const size_t q = line.find(' ', p);
      argv.push_back(line.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p));
      if (q == std::string_view::npos) break;
      p = q + 1;
    }
    const std::string at = where + ":" + std::to_string(linenum);
    if (argv[0] != "user" || argv.size() < 2) {
      errors += at + " should start with user keyword followed by the username. ";
      continue;
    }
    const std::string_view name = argv[1];
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == 0; })) {
      errors += "'" + at + ": username '" + std::string(name) + "' contains invalid characters. ";
      continue;
    }
    if (loaded.count(name) != 0) {
      errors += "WARNING: Duplicate user '" + std::string(name) + "' found on line " +
                std::to_string(linenum) + ". ";
      continue;
    }
    auto u = std::make_unique<AclUser>(NewUser(name));
    // Selectors spread over several words are one rule (ACLMergeSelectorArguments).
    std::vector<std::string> rules;
    bool unmatched = false;
    for (size_t j = 2; j < argv.size(); ++j) {
      std::string_view op = argv[j];
      if (!op.empty() && op[0] == '(' && op.back() != ')') {
        std::string selector(op);
        while (++j < argv.size() && (argv[j].empty() || argv[j].back() != ')')) {
          selector += " " + std::string(argv[j]);
        }
        if (j >= argv.size()) {
          unmatched = true;
          break;
        }
        rules.push_back(selector + " " + std::string(argv[j]));
        continue;
      }
      rules.emplace_back(op);
    }
    if (unmatched) {
      // Redis appends this text and then dereferences a freed rule list (a crash in 7.0.15); the
      // engine reports the line and applies none of its rules.
      errors += at + ": Unmatched parenthesis in selector definition.";
      rules.clear();
    }
    bool syntax_error = false;
    for (std::string& rule : rules) {
      const size_t a = rule.find_first_not_of("\t\r\n");
      rule = a == std::string::npos ? "" : rule.substr(a, rule.find_last_not_of("\t\r\n") - a + 1);
      const int code = ApplyUserOpCode(*u, rule);
      if (code == kOpOk) continue;
      if (code == kOpUnknown) {
        // Missing commands are named, as they hold nothing secret.
        errors += at + ": Error in applying operation '" + rule + "': " +
                  std::string(OpErrorText(code)) + ". ";
      } else if (!syntax_error) {
        // Only the first other error: it may be a password, and it may cause the next ones.
        errors += at + ": " + std::string(OpErrorText(code)) + ". ";
        syntax_error = true;
      }
    }
    loaded.emplace(std::string(name), std::move(u));
  }
  if (!errors.empty()) {
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  auto def = loaded.find("default");
  if (def == loaded.end()) {
    AclUser fresh = NewUser("default");
    for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) {
      (void)ApplyUserOpCode(fresh, op);
    }
    *default_user_ = std::move(fresh);
  } else {
    *default_user_ = std::move(*def->second);
    loaded.erase(def);
  }
  std::unique_ptr<AclUser> keep;  // `default` keeps its address: clients and the engine hold it
  for (auto& [name, u] : users_) {
    if (u.get() == default_user_) {
      keep = std::move(u);
    } else {
      replaced->push_back(std::move(u));
    }
  }
  users_.clear();
  for (auto& [name, u] : loaded) users_.emplace(name, std::move(u));
  users_.emplace("default", std::move(keep));
  return "";
}

std::string Acl::FilePath() const {
  if (config_ == nullptr || config_->aclfile.empty()) return "";
  if (config_->aclfile[0] == '/' || config_->dir.empty()) return config_->aclfile;
  return config_->dir + "/" + config_->aclfile;
}

bool Acl::SaveFile(const std::string& path) const {
  std::string text;
  for (const auto& [name, u] : users_) text += "user " + name + " " + Describe(*u) + "\n";
  const std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" +
                          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool Acl::DelUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end() || it->second.get() == default_user_) return false;
  users_.erase(it);
  return true;
}

void Acl::SetRequirePass(std::string_view pass) {
  (void)ApplyUserOp(*default_user_, "resetpass");
  if (pass.empty()) {
    (void)ApplyUserOp(*default_user_, "nopass");
  } else {
    (void)ApplyUserOp(*default_user_, ">" + std::string(pass));
  }
}

bool Acl::AuthRequired() const {
  return !(default_user_->flags & AclUser::kNoPass) || (default_user_->flags & AclUser::kDisabled);
}

AclUser* Acl::Authenticate(std::string_view name, std::string_view pass) {
  AclUser* u = Find(name);
  if (u == nullptr || (u->flags & AclUser::kDisabled)) return nullptr;
  if (u->flags & AclUser::kNoPass) return u;
  const std::string hash = AclHashPassword(pass);
  for (const std::string& p : u->passwords) {
    // Constant time over the (fixed-length) hashes, as Redis's time_independent_strcmp.
    int diff = 0;
    for (size_t i = 0; i < hash.size(); ++i) diff |= hash[i] ^ p[i];
    if (diff == 0) return u;
  }
  return nullptr;
}

AclResult Acl::CheckSelector(const AclSelector& s, const CommandSpec& spec, Args argv,
                             int* errpos) const {
  if (!(s.flags & AclSelector::kAllCommands) && !(spec.flags & kCmdNoAuth) &&
      !s.allowed.test(static_cast<size_t>(spec.acl_id))) {
    auto it = s.firstargs.find(spec.acl_id);
    if (argv.size() < 2 || it == s.firstargs.end()) return AclResult::kDeniedCmd;
    const size_t idx = spec.name.find('|') != std::string::npos ? 2 : 1;
    if (idx >= argv.size()) return AclResult::kDeniedCmd;
    bool match = std::any_of(it->second.begin(), it->second.end(),
                             [&](const std::string& a) { return Is(a, argv[idx]); });
    if (!match) return AclResult::kDeniedCmd;
  }
  if (!(s.flags & AclSelector::kAllKeys) && CommandHasKeys(spec)) {
    std::vector<KeyRef> keys;
    CommandKeys(spec, argv, &keys);
    for (const KeyRef& k : keys) {
      uint32_t need = 0;
      if (k.flags & kKeyAccess) need |= AclSelector::kRead;
      if (k.flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) need |= AclSelector::kWrite;
      std::string_view key = argv[static_cast<size_t>(k.pos)];
      bool ok = std::any_of(s.patterns.begin(), s.patterns.end(), [&](const auto& p) {
        return (p.perm & need) == need && GlobMatch(p.pattern, key);
      });
      if (!ok) {
        *errpos = k.pos;
        return AclResult::kDeniedKey;
      }
    }
  }
  if (!(s.flags & AclSelector::kAllChannels)) {
    for (const KeyRef& c : CommandChannels(spec, argv)) {
      if (!(c.flags & (kChannelPublish | kChannelSubscribe))) continue;
      std::string_view channel = argv[static_cast<size_t>(c.pos)];
      const bool pattern = c.flags & kChannelPattern;
      bool ok = std::any_of(s.channels.begin(), s.channels.end(), [&](const std::string& p) {
        return pattern ? p == channel : GlobMatch(p, channel);
      });
      if (!ok) {
        *errpos = c.pos;
        return AclResult::kDeniedChannel;
      }
    }
  }
  return AclResult::kOk;
}

AclResult Acl::Check(const AclUser* user, const CommandSpec& spec, Args argv, int* errpos) const {
  if (user == nullptr) return AclResult::kOk;
  // Redis picks one error to report: the command if no selector runs it, else the key or channel
  // with the highest position among the selectors' denials.
  AclResult relevant = AclResult::kDeniedCmd;
  int last_idx = 0;
  for (const AclSelector& s : user->selectors) {
    int idx = 0;
    AclResult r = CheckSelector(s, spec, argv, &idx);
    if (r == AclResult::kOk) return r;
    if (r > relevant || (r == relevant && idx > last_idx)) {
      relevant = r;
      last_idx = idx;
    }
  }
  *errpos = last_idx;
  return relevant;
}

bool Acl::ChannelAllowed(const AclUser& user, std::string_view channel, bool pattern) const {
  for (const AclSelector& s : user.selectors) {
    if (s.flags & AclSelector::kAllChannels) return true;
    for (const std::string& p : s.channels) {
      if (pattern ? p == channel : GlobMatch(p, channel)) return true;
    }
  }
  return false;
}

uint32_t Acl::PubsubDefault() const {
  bool all = config_ != nullptr && config_->acl_pubsub_default == "allchannels";
  return all ? static_cast<uint32_t>(AclSelector::kAllChannels) : 0u;
}

std::string Acl::DescribeCommands(const AclSelector& sel) const {
  // Redis's ACLDescribeSelectorCommandRules: start from +@all (if the future-commands bit is set)
  // or -@all, then repeatedly apply the category that best fits the remaining differences, then
  // single commands for what is left. A fake selector tracks what the emitted rules produce.
  const bool additive = !sel.allowed.test(kFutureBit);
  std::string rules = additive ? "-@all " : "+@all ";
  AclSelector fake = NewSelector(0);
  (void)ApplySelectorOp(fake, additive ? "-@all" : "+@all");
  AclSelector temp = NewSelector(0);
  temp.allowed = sel.allowed;
  std::vector<bool> applied(AclCategoryNames().size(), false);
  while (true) {
    int best = -1;
    int mindiff = INT_MAX, maxsame = 0;
    for (size_t j = 0; j < AclCategoryNames().size(); ++j) {
      if (applied[j]) continue;
      int on, off;
      CountCategory(temp, AclCategoryNames()[j].bit, &on, &off);
      int diff = additive ? off : on;
      int same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = static_cast<int>(j);
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best == -1) break;
    const uint32_t cat = AclCategoryNames()[static_cast<size_t>(best)].bit;
    SetCategory(fake, cat, additive);
    SetCategory(temp, cat, !additive);
    rules += additive ? "+@" : "-@";
    rules += AclCategoryNames()[static_cast<size_t>(best)].name;
    rules += ' ';
    applied[static_cast<size_t>(best)] = true;
  }
  // Single commands, parents before their subcommands (ACLDescribeSelectorCommandRulesSingle-
  // Commands). Redis walks its command dict in hash order; here the order is by name.
  std::vector<const CommandSpec*> tops;
  for (const auto& [name, spec] : commands_.all()) tops.push_back(spec.get());
  std::sort(tops.begin(), tops.end(), [](auto* a, auto* b) { return a->name < b->name; });
  auto single = [&](const CommandSpec& cmd) {
    bool userbit = sel.allowed.test(static_cast<size_t>(cmd.acl_id));
    bool fakebit = fake.allowed.test(static_cast<size_t>(cmd.acl_id));
    if (userbit != fakebit) {
      rules += userbit ? '+' : '-';
      rules += cmd.name;
      rules += ' ';
      ChangePerm(fake, cmd, userbit);
    }
  };
  auto firstargs = [&](const CommandSpec& cmd) {
    auto it = sel.firstargs.find(cmd.acl_id);
    if (sel.allowed.test(static_cast<size_t>(cmd.acl_id)) || it == sel.firstargs.end()) return;
    for (const std::string& a : it->second) rules += "+" + cmd.name + "|" + a + " ";
  };
  for (const CommandSpec* cmd : tops) {
    single(*cmd);
    for (const auto& [n, sub] : cmd->subcommands) {
      single(*sub);
      firstargs(*sub);
    }
    firstargs(*cmd);
  }
  rules.pop_back();
  return rules;
}

std::string Acl::DescribeKeys(const AclSelector& sel) const {
  if (sel.flags & AclSelector::kAllKeys) return "~*";
  std::string out;
  for (const auto& p : sel.patterns) {
    if (!out.empty()) out += ' ';
    out += p.perm == AclSelector::kReadWrite ? "~" : p.perm == AclSelector::kRead ? "%R~" : "%W~";
    out += p.pattern;
  }
  return out;
}

std::string Acl::DescribeChannels(const AclSelector& sel) const {
  if (sel.flags & AclSelector::kAllChannels) return "&*";
  std::string out;
  for (const std::string& c : sel.channels) {
    if (!out.empty()) out += ' ';
    out += "&" + c;
  }
  return out;
}

std::string Acl::Describe(const AclUser& user) const {
  std::string out;
  for (std::string_view name : AclUserFlagNames(user.flags)) {
    out += name;
    out += ' ';
  }
  for (const std::string& p : user.passwords) out += "#" + p + " ";
  for (const AclSelector& s : user.selectors) {
    std::string d;
    if (s.flags & AclSelector::kAllKeys) {
      d += "~* ";
    } else {
      for (const auto& p : s.patterns) {
        d += p.perm == AclSelector::kReadWrite ? "~" : p.perm == AclSelector::kRead ? "%R~" : "%W~";
        d += p.pattern + " ";
      }
    }
    if (s.flags & AclSelector::kAllChannels) {
      d += "&* ";
    } else {
      d += "resetchannels ";
      for (const std::string& c : s.channels) d += "&" + c + " ";
    }
    d += DescribeCommands(s);
    if (s.flags & AclSelector::kRoot) {
      out += d;
    } else {
      out += " (" + d + ")";
    }
  }
  return out;
}

void Acl::AddLog(AclResult reason, AclContext context, std::string object, std::string username,
                 int64_t now_ms, std::string client_info) {
  constexpr int64_t kGroupingMs = 60000;
  const size_t max_len = config_ ? static_cast<size_t>(config_->acllog_max_len) : 128;
  size_t toscan = 10;
  for (auto it = log_.begin(); it != log_.end() && toscan-- > 0; ++it) {
    if (it->reason == reason && it->context == context && it->object == object &&
        it->username == username && std::abs(it->ctime_ms - now_ms) <= kGroupingMs) {
      AclLogEntry e = std::move(*it);
      log_.erase(it);
      ++e.count;
      e.ctime_ms = now_ms;
      e.client_info = std::move(client_info);
      log_.push_front(std::move(e));
      return;
    }
  }
  log_.push_front(AclLogEntry{1, reason, context, std::move(object), std::move(username), now_ms,
                              std::move(client_info)});
  while (log_.size() > max_len) log_.pop_back();
}

}  // namespace racetrack::engine

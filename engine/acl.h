// ACL as Redis 7.0 has it: named users with passwords (kept as SHA-256 hex), on/off, and
// selectors — a root one plus any "(...)" — each holding an allowed-command bitmap (+@category,
// -command, +command|subcommand, +command|first-arg), key patterns (~, %R~, %W~) and channel
// patterns (&). The `default` user starts as Redis's (on nopass ~* &* +@all) and follows
// requirepass.
//
// Engine::Execute asks Check() before running or queuing a command, EXEC asks again for each queued
// command, and a script's redis.call asks with the calling client's user; a denial is logged (ACL
// LOG) and answered with Redis's NOPERM text (errors.h).
//
// acl-pubsub-default (new users' and `reset` users' channels) and acllog-max-len are read from the
// engine's config when used, so CONFIG SET applies to what comes next, as in Redis.
//
// The aclfile setting (startup only, as in Redis) names the file ACL LOAD reads and ACL SAVE
// writes; racetrack-server loads it at startup and refuses to start on an error, as Redis does.
//
// Not here (known gap, README): sanitize-payload's effect on RESTORE (the flag is kept and shown
// only).
//
// Thread-safety: none; the engine's thread only.
#pragma once

#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace racetrack::engine {

struct EngineConfig;  // engine.h

// The ACL command bitmap has room for this many command ids; the last bit is never a command: it
// records "+@all was given" (Redis's future-commands bit), which ACL LIST shows as starting from
// +@all rather than -@all.
inline constexpr int kAclMaxCommands = 1024;

struct AclSelector {
  enum Flag : uint32_t { kRoot = 1, kAllKeys = 2, kAllChannels = 4, kAllCommands = 8 };
  enum Perm : uint32_t { kRead = 1, kWrite = 2, kReadWrite = 3 };
  struct KeyPattern {
    std::string pattern;
    uint32_t perm;  // Perm
  };
  uint32_t flags = 0;
  std::bitset<kAclMaxCommands> allowed;
  std::map<int, std::vector<std::string>> firstargs;  // by acl_id: allowed argv[1] values
  std::vector<KeyPattern> patterns;
  std::vector<std::string> channels;
};

struct AclUser {
  enum Flag : uint32_t {
    kEnabled = 1,
    kDisabled = 2,
    kNoPass = 4,
    kSkipSanitize = 8,
    kSanitize = 16,
  };
  std::string name;
  uint32_t flags = kDisabled;
  std::vector<std::string> passwords;  // SHA-256 hex, lower case
  std::vector<AclSelector> selectors;  // [0] is the root selector
};

// What Check() found. The order matters: with several selectors, the most specific denial wins.
enum class AclResult { kOk = 0, kDeniedCmd, kDeniedKey, kDeniedChannel, kDeniedAuth };
enum class AclContext { kTopLevel, kMulti, kLua };

struct AclLogEntry {
  uint64_t count = 1;
  AclResult reason = AclResult::kDeniedCmd;
  AclContext context = AclContext::kTopLevel;
  std::string object;    // command, key or channel name ("AUTH" for a failed login)
  std::string username;
  int64_t ctime_ms = 0;  // last occurrence
  std::string client_info;
};

// The names of the AclUser::Flag bits set in `flags`, in Redis's order ("on", "nopass", ...): ACL
// LIST and GETUSER print them in this order.
std::vector<std::string_view> AclUserFlagNames(uint32_t flags);

// SHA-256 of `s` as 64 lower-case hex characters (how passwords are kept and shown).
std::string AclHashPassword(std::string_view s);

class Acl {
 public:
  // REQUIRES: `commands` is complete and outlives the Acl; so does `config` unless it is nullptr
  // (then Redis's defaults apply: resetchannels, a log of 128).
  explicit Acl(const CommandTable& commands, const EngineConfig* config = nullptr);

  AclUser* default_user() { return default_user_; }
  // nullptr if no such user.
  AclUser* Find(std::string_view name);
  const std::map<std::string, std::unique_ptr<AclUser>, std::less<>>& users() const {
    return users_;
  }

  // ACL SETUSER: applies `ops` to a copy of the user (a new one if absent) and keeps it only if
  // every op is valid. Returns "" or Redis's error text (without "ERR ").
  std::string SetUser(std::string_view name, std::span<const std::string_view> ops);
  // Removes the user (not `default`); false if absent. The caller logs out its clients.
  bool DelUser(std::string_view name);

  // ACL LOAD, and the aclfile setting at startup: replaces every user with the file's `user name
  // rule...` lines as Redis's ACLLoadFromFile does (lines split at single spaces, blank lines
  // skipped, every rule of every line applied, `default` made as Redis's if the file has none,
  // then copied into the existing `default` so pointers to it stay valid) — all or nothing.
  // `shown` is the file name error texts use (the configured value). Returns "" or Redis's error
  // text (without "ERR "); on success the previous users other than `default` are moved into
  // *replaced, so the caller can log their clients out before they are freed.
  std::string LoadFile(const std::string& path, std::string_view shown,
                       std::vector<std::unique_ptr<AclUser>>* replaced);
  // ACL SAVE: every user as a "user <name> <ACL LIST rules>" line, in name order, written to a
  // temp file beside `path` and renamed over it. false on an I/O failure (nothing replaced).
  bool SaveFile(const std::string& path) const;
  // The aclfile setting as a path (a relative one is taken from `dir`, where Redis's working
  // directory is); "" when unset.
  std::string FilePath() const;

  // CONFIG SET requirepass / the requirepass setting: "" makes default nopass, else its only
  // password (Redis's ACLUpdateDefaultUserPassword).
  void SetRequirePass(std::string_view pass);
  // Whether new and unauthenticated clients must AUTH (default has a password or is off).
  bool AuthRequired() const;

  // The user for `name` if `pass` opens it (on, and nopass or a matching password).
  AclUser* Authenticate(std::string_view name, std::string_view pass);

  // Whether `user` may run argv (spec is the resolved command or subcommand). On a key or channel
  // denial *errpos is its index in argv. nullptr user: an internal client, always allowed.
  AclResult Check(const AclUser* user, const CommandSpec& spec, Args argv, int* errpos) const;
  // Whether any selector of `user` grants the channel (pattern: compared literally, as for
  // PSUBSCRIBE). Used when a user's channels shrink.
  bool ChannelAllowed(const AclUser& user, std::string_view channel, bool pattern) const;

  // ACL LIST's form of a user: flags, passwords, then each selector ("on nopass ~* &* +@all").
  std::string Describe(const AclUser& user) const;
  // A selector's command rules as ACL GETUSER shows them ("+@all -keys", "-@all +@read").
  std::string DescribeCommands(const AclSelector& sel) const;
  std::string DescribeKeys(const AclSelector& sel) const;      // "~*", "%R~a* ~b"
  std::string DescribeChannels(const AclSelector& sel) const;  // "&*", "&news.*"

  // The security log (ACL LOG), newest first, at most acllog-max-len entries; similar entries
  // within a minute are merged into one with a count, as Redis does.
  void AddLog(AclResult reason, AclContext context, std::string object, std::string username,
              int64_t now_ms, std::string client_info);
  const std::deque<AclLogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }

  const CommandTable& commands() const { return commands_; }

 private:
  // Applies one op to a user or (for selector ops) its root selector. "" or the error text.
  std::string ApplyUserOp(AclUser& u, std::string_view op) const;
  // The same, answering the failure as a code (OpError in acl.cc) for the file loader's texts.
  int ApplyUserOpCode(AclUser& u, std::string_view op) const;
  // A new user as ACL SETUSER and the file loader make it: off, one root selector.
  AclUser NewUser(std::string_view name) const;
  // errno-style codes of Redis's ACLSetSelector, turned into text by the caller.
  int ApplySelectorOp(AclSelector& s, std::string_view op) const;
  void ChangePerm(AclSelector& s, const CommandSpec& cmd, bool allow) const;
  void SetCategory(AclSelector& s, uint32_t cat, bool allow) const;
  void CountCategory(const AclSelector& s, uint32_t cat, int* on, int* off) const;
  const CommandSpec* LookupCommand(std::string_view full_name) const;
  // AclSelector::kAllChannels under acl-pubsub-default allchannels, else 0.
  uint32_t PubsubDefault() const;
  AclResult CheckSelector(const AclSelector& s, const CommandSpec& spec, Args argv,
                          int* errpos) const;

  const CommandTable& commands_;
  const EngineConfig* config_;
  std::vector<const CommandSpec*> all_specs_;  // commands and subcommands, sorted by name
  std::map<std::string, std::unique_ptr<AclUser>, std::less<>> users_;
  AclUser* default_user_ = nullptr;
  std::deque<AclLogEntry> log_;
};

// Redis's reason texts for the log and for DRYRUN (acl.c): "command", "key", "channel", "auth".
std::string_view AclReasonName(AclResult r);
std::string_view AclContextName(AclContext c);

// One CLIENT LIST / CLIENT INFO line for `c` (defined in connection_family.cc, which owns the
// format): the ACL log records it. `cmd` is what the line shows as the client's current command.
std::string ClientInfoLine(const ClientState& c, std::string_view cmd, int64_t now_ms);

}  // namespace racetrack::engine

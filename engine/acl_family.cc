// ACL commands: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT GENPASS LOG DRYRUN HELP, and LOAD /
// SAVE with the aclfile setting (without one they answer as such a Redis does).
// The users and rules themselves live in acl.{h,cc}.
#include <openssl/rand.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/acl.h"
#include "engine/arg_util.h"
#include "engine/command_meta.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void CmdAclContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "ACL"); }

// Closes a client at the next chance: after this reply if it is the caller, else right away.
void Disconnect(CommandContext& ctx, ClientState* c) {
  c->close_after_reply = true;
  if (c != &ctx.client && c->wake) c->wake();
}

// After a user's channels changed: its subscribers that now hold a channel or pattern the user
// may not use are disconnected (Redis's ACLKillPubsubClientsIfNeeded).
void DropRevokedSubscribers(CommandContext& ctx, const AclUser& u) {
  for (const auto& [id, c] : ctx.engine.clients()) {
    if (c->user != &u || c->subscription_count() == 0) continue;
    bool revoked = false;
    for (const std::string& p : c->patterns) {
      revoked = revoked || !ctx.engine.acl().ChannelAllowed(u, p, /*pattern=*/true);
    }
    for (const auto* set : {&c->channels, &c->shard_channels}) {
      for (const std::string& ch : *set) {
        revoked = revoked || !ctx.engine.acl().ChannelAllowed(u, ch, /*pattern=*/false);
      }
    }
    if (revoked) Disconnect(ctx, c);
  }
}

void CmdAclSetUser(CommandContext& ctx) {
  std::string_view name = ctx.argv[2];
  for (char c : name) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == 0) {
      ctx.reply.Error(errors::kAclUsernameSpaces);
      return;
    }
  }
  std::string err = ctx.engine.acl().SetUser(name, ctx.argv.subspan(3));
  if (!err.empty()) {
    ctx.reply.Error("ERR " + err);
    return;
  }
  DropRevokedSubscribers(ctx, *ctx.engine.acl().Find(name));
  ctx.reply.Ok();
}

void CmdAclDelUser(CommandContext& ctx) {
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    if (ctx.argv[j] == "default") {
      ctx.reply.Error(errors::kAclDeleteDefault);
      return;
    }
  }
  int64_t deleted = 0;
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    const AclUser* u = ctx.engine.acl().Find(ctx.argv[j]);
    if (u == nullptr) continue;
    // Its connections go back to an unauthenticated default user and are closed, as in Redis.
    for (const auto& [id, c] : ctx.engine.clients()) {
      if (c->user != u) continue;
      c->user = ctx.engine.acl().default_user();
      c->authenticated = false;
      Disconnect(ctx, c);
    }
    ctx.engine.acl().DelUser(ctx.argv[j]);
    ++deleted;
  }
  ctx.reply.Integer(deleted);
}

void ReplySelector(CommandContext& ctx, const AclSelector& s) {
  const Acl& acl = ctx.engine.acl();
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(acl.DescribeCommands(s));
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(acl.DescribeKeys(s));
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(acl.DescribeChannels(s));
}

void CmdAclGetUser(CommandContext& ctx) {
  const AclUser* u = ctx.engine.acl().Find(ctx.argv[2]);
  if (u == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Array(12);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags = AclUserFlagNames(u->flags);
  ctx.reply.Array(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("passwords");
  ctx.reply.Array(u->passwords.size());
  for (const std::string& p : u->passwords) ctx.reply.Bulk(p);
  ReplySelector(ctx, u->selectors[0]);
  ctx.reply.Bulk("selectors");
  ctx.reply.Array(u->selectors.size() - 1);
  for (size_t i = 1; i < u->selectors.size(); ++i) {
    ctx.reply.Array(6);
    ReplySelector(ctx, u->selectors[i]);
  }
}

void CmdAclList(CommandContext& ctx) {
  const auto& users = ctx.engine.acl().users();
  ctx.reply.Array(users.size());
  for (const auto& [name, u] : users) {
    ctx.reply.Bulk("user " + name + " " + ctx.engine.acl().Describe(*u));
  }
}

void CmdAclUsers(CommandContext& ctx) {
  const auto& users = ctx.engine.acl().users();
  ctx.reply.Array(users.size());
  for (const auto& [name, u] : users) ctx.reply.Bulk(name);
}

void CmdAclWhoAmI(CommandContext& ctx) {
  if (ctx.client.user == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.user->name);
  }
}

void CmdAclCat(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "ACL"));
    return;
  }
  if (ctx.argv.size() == 2) {
    ctx.reply.Array(AclCategoryNames().size());
    for (const AclCategoryName& c : AclCategoryNames()) ctx.reply.Bulk(c.name);
    return;
  }
  uint32_t cat = AclCategoryByName(ctx.argv[2]);
  if (cat == 0) {
    ctx.reply.Error(errors::AclUnknownCategory(ctx.argv[2]));
    return;
  }
  std::vector<std::string_view> names;
  for (const auto& [name, spec] : ctx.engine.commands().all()) {
    if (spec->acl_categories & cat) names.push_back(spec->name);
    for (const auto& [sub_name, sub] : spec->subcommands) {
      if (sub->acl_categories & cat) names.push_back(sub->name);
    }
  }
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

void CmdAclGenPass(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "ACL"));
    return;
  }
  int64_t bits = 256;
  if (ctx.argv.size() == 3 && !ArgInt64(ctx, 2, &bits)) return;
  if (bits <= 0 || bits > 4096) {
    ctx.reply.Error(errors::kAclGenpassBits);
    return;
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::vector<unsigned char> raw((chars + 1) / 2);
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  out.resize(chars);
  ctx.reply.Bulk(out);
}

void CmdAclLog(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "ACL"));
    return;
  }
  int64_t count = 10;
  if (ctx.argv.size() == 3) {
    if (ArgIs(ctx.argv[2], "reset")) {
      ctx.engine.acl().ResetLog();
      ctx.reply.Ok();
      return;
    }
    if (!ArgInt64AtLeastZero(ctx, 2, &count)) return;
  }
  const auto& log = ctx.engine.acl().log();
  count = std::min<int64_t>(count, static_cast<int64_t>(log.size()));
  ctx.reply.Array(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const AclLogEntry& e = log[static_cast<size_t>(i)];
    ctx.reply.Array(14);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(static_cast<int64_t>(e.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(AclReasonName(e.reason));
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(AclContextName(e.context));
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(e.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(e.username);
    ctx.reply.Bulk("age-seconds");
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(ctx.now_ms - e.ctime_ms) / 1000);
    ctx.reply.Bulk(buf);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(e.client_info);
  }
}

void CmdAclDryRun(CommandContext& ctx) {
  const AclUser* u = ctx.engine.acl().Find(ctx.argv[2]);
  if (u == nullptr) {
    ctx.reply.Error(errors::AclUserNotFound(ctx.argv[2]));
    return;
  }
  Args cmd_argv = ctx.argv.subspan(3);
  const CommandSpec* spec = LookupCommand(ctx.engine.commands(), cmd_argv);
  if (spec == nullptr) {
    ctx.reply.Error(errors::AclCommandNotFound(cmd_argv[0]));
    return;
  }
  const int argc = static_cast<int>(cmd_argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::WrongArity(spec->name));
    return;
  }
  int idx = 0;
  AclResult r = ctx.engine.acl().Check(u, *spec, cmd_argv, &idx);
  if (r == AclResult::kDeniedCmd) {
    ctx.reply.Bulk(errors::AclDryRunCommand(spec->name));
  } else if (r == AclResult::kDeniedKey) {
    ctx.reply.Bulk(errors::AclDryRunKey(cmd_argv[static_cast<size_t>(idx)]));
  } else if (r == AclResult::kDeniedChannel) {
    ctx.reply.Bulk(errors::AclDryRunChannel(cmd_argv[static_cast<size_t>(idx)]));
  } else {
    ctx.reply.Ok();
  }
}

// ACL LOAD: the aclfile's users replace all users; clients logged in as any user but `default`
// are closed (their user objects go, as Redis's ACLFreeUserAndKillClients).
void CmdAclLoad(CommandContext& ctx) {
  Acl& acl = ctx.engine.acl();
  if (ctx.engine.config().aclfile.empty()) {
    ctx.reply.Error(errors::kAclNoFile);
    return;
  }
  std::vector<std::unique_ptr<AclUser>> replaced;
  std::string err = acl.LoadFile(acl.FilePath(), ctx.engine.config().aclfile, &replaced);
  if (!err.empty()) {
    ctx.reply.Error("ERR " + err);
    return;
  }
  for (const auto& u : replaced) {
    for (const auto& [id, c] : ctx.engine.clients()) {
      if (c->user != u.get()) continue;
      c->user = acl.default_user();
      c->authenticated = false;
      Disconnect(ctx, c);
    }
  }
  ctx.reply.Ok();
}

void CmdAclSave(CommandContext& ctx) {
  if (ctx.engine.config().aclfile.empty()) {
    ctx.reply.Error(errors::kAclNoFile);
  } else if (!ctx.engine.acl().SaveFile(ctx.engine.acl().FilePath())) {
    ctx.reply.Error(errors::kAclSaveFailed);
  } else {
    ctx.reply.Ok();
  }
}

void CmdAclHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "ACL",
            {"CAT [<category>]",
             "    List all commands that belong to <category>, or all command categories",
             "    when no category is specified.",
             "DELUSER <username> [<username> ...]",
             "    Delete a list of users.",
             "DRYRUN <username> <command> [<arg> ...]",
             "    Returns whether the user can execute the given command without executing the "
             "command.",
             "GETUSER <username>",
             "    Get the user's details.",
             "GENPASS [<bits>]",
             "    Generate a secure 256-bit user password. The optional `bits` argument can",
             "    be used to specify a different size.",
             "LIST",
             "    Show users details in config file format.",
             "LOAD",
             "    Reload users from the ACL file.",
             "LOG [<count> | RESET]",
             "    Show the ACL log entries.",
             "SAVE",
             "    Save the current config to the ACL file.",
             "SETUSER <username> <attribute> [<attribute> ...]",
             "    Create or modify a user with the specified attributes.",
             "USERS",
             "    List all the registered usernames.",
             "WHOAMI",
             "    Return the current connection username."});
}

}  // namespace

void RegisterAclFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  reg.Add("acl", -2, 0, {}, CmdAclContainer);
  reg.Sub("acl", "cat", -2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdAclCat);
  reg.Sub("acl", "deluser", -3, kCmdServerAdmin, {}, CmdAclDelUser);
  reg.Sub("acl", "dryrun", -4, kCmdServerAdmin, {}, CmdAclDryRun);
  reg.Sub("acl", "genpass", -2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdAclGenPass);
  reg.Sub("acl", "getuser", 3, kCmdServerAdmin, {}, CmdAclGetUser);
  reg.Sub("acl", "help", 2, kCmdLoading | kCmdStale, {}, CmdAclHelp);
  reg.Sub("acl", "list", 2, kCmdServerAdmin, {}, CmdAclList);
  reg.Sub("acl", "load", 2, kCmdServerAdmin, {}, CmdAclLoad);
  reg.Sub("acl", "log", -2, kCmdServerAdmin, {}, CmdAclLog);
  reg.Sub("acl", "save", 2, kCmdServerAdmin, {}, CmdAclSave);
  reg.Sub("acl", "setuser", -3, kCmdServerAdmin, {}, CmdAclSetUser);
  reg.Sub("acl", "users", 2, kCmdServerAdmin, {}, CmdAclUsers);
  reg.Sub("acl", "whoami", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdAclWhoAmI);
}

}  // namespace racetrack::engine

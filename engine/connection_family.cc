// Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET, CLIENT.
//
// Authentication goes through the ACL users (acl.h): AUTH pass is AUTH default pass, a bare AUTH
// is an error while `default` has no password (nopass), and a failed AUTH is logged (ACL LOG).
#include <string>
#include <vector>

#include "engine/acl.h"
#include "engine/arg_util.h"
#include "engine/blocking.h"
#include "engine/family_util.h"
#include "engine/pubsub.h"

namespace racetrack::engine {
namespace {

void CmdPing(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    ReplyArityError(ctx);
    return;
  }
  if (ctx.client.subscription_count() > 0 && !ctx.reply.resp3()) {  // RESP2 in Pub/Sub: ["pong", msg]
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argv.size() == 2 ? ctx.argv[1] : "");
    return;
  }
  if (ctx.argv.size() == 2) {
    ctx.reply.Bulk(ctx.argv[1]);
  } else {
    ctx.reply.Status("PONG");
  }
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.argv[1]); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

void CmdSelect(CommandContext& ctx) {
  int64_t id;
  if (!ArgInt64InRange(ctx, 1, INT32_MIN, INT32_MAX, &id)) return;
  if (id < 0 || id >= ctx.engine.num_dbs()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db = static_cast<int>(id);
  ctx.reply.Ok();
}

// Redis's ACLAuthenticateUser: on success the connection runs as that user; a failure is logged.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  AclUser* u = ctx.engine.acl().Authenticate(user, pass);
  if (u != nullptr) {
    ctx.client.authenticated = true;
    ctx.client.user = u;
    return true;
  }
  ctx.engine.acl().AddLog(AclResult::kDeniedAuth,
                          ctx.client.in_multi ? AclContext::kMulti : AclContext::kTopLevel,
                          std::string(ctx.argv[0]), std::string(user), ctx.now_ms,
                          ClientInfoLine(ctx.client, ctx.spec.name, ctx.now_ms));
  return false;
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::string_view user = "default", pass;
  if (ctx.argv.size() == 2) {
    if (ctx.engine.acl().default_user()->flags & AclUser::kNoPass) {
      ctx.reply.Error(errors::kAuthNotConfigured);
      return;
    }
    pass = ctx.argv[1];
  } else {
    user = ctx.argv[1];
    pass = ctx.argv[2];
  }
  if (Authenticate(ctx, user, pass)) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(errors::kWrongPass);
  }
}

// Redis's validateClientName: printable ASCII without spaces.
bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// HELLO [protover [AUTH user pass] [SETNAME name]]: protover 2 or 3 picks the protocol of this
// connection's replies from this one on (resp.h).
void CmdHello(CommandContext& ctx) {
  size_t next = 1;
  int64_t ver = ctx.reply.resp3() ? 3 : 2;
  if (ctx.argv.size() >= 2) {
    if (!ParseInt64(ctx.argv[next++], &ver)) {
      ctx.reply.Error(errors::kHelloProtocolNotInteger);
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.reply.Error(errors::kNoProto);
      return;
    }
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < ctx.argv.size(); ++j) {
    size_t more = ctx.argv.size() - 1 - j;
    std::string_view opt = ctx.argv[j];
    if (ArgIs(opt, "auth") && more >= 2) {
      user = ctx.argv[j + 1];
      pass = ctx.argv[j + 2];
      has_auth = true;
      j += 2;
    } else if (ArgIs(opt, "setname") && more >= 1) {
      name = ctx.argv[++j];
      has_name = true;
      if (!ValidClientName(name)) {
        ctx.reply.Error(errors::kBadClientName);
        return;
      }
    } else {
      ctx.reply.Error(errors::HelloSyntax(opt));
      return;
    }
  }
  if (has_auth && !Authenticate(ctx, user, pass)) {
    ctx.reply.Error(errors::kWrongPass);
    return;
  }
  if (!ctx.client.authenticated) {
    ctx.reply.Error(errors::kHelloNoAuth);
    return;
  }
  if (has_name) ctx.client.name = std::string(name);
  ctx.reply.set_resp3(ver == 3);
  ctx.reply.Map(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisCompatVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(ver);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.EmptyArray();
}

// RESET: the connection as if new — no transaction, no WATCH, db 0, no name, no subscriptions,
// back to the default user, authenticated only if it needs no password.
void CmdReset(CommandContext& ctx) {
  ClientState& c = ctx.client;
  c.in_multi = false;
  c.multi_error = false;
  c.multi_queue.clear();
  UnwatchAll(ctx.engine, c);
  c.db = 0;
  c.name.clear();
  ctx.engine.pubsub().RemoveClient(&c);
  c.user = ctx.engine.acl().default_user();
  c.authenticated = !ctx.engine.acl().AuthRequired();
  ctx.reply.set_resp3(false);
  ctx.reply.Status("RESET");
}

// ---------------------------------------------------------------------------------------------
// CLIENT
// ---------------------------------------------------------------------------------------------

// One line of CLIENT LIST / CLIENT INFO, in Redis 7.0's field order. Fields describing Redis's
// own buffers (qbuf, argv-mem, rbs, ...) are 0: this engine's server does not track them per
// client; omem is the pending reply size.
std::string ClientLine(CommandContext& ctx, const ClientState& c) {
  std::string_view cmd = &c == &ctx.client  ? std::string_view(ctx.spec.name)
                         : c.last_command != nullptr ? std::string_view(c.last_command->name)
                                                     : "NULL";
  return ClientInfoLine(c, cmd, ctx.now_ms);
}

}  // namespace

std::string ClientInfoLine(const ClientState& c, std::string_view cmd, int64_t now) {
  std::string flags;
  if (c.is_replica) flags += 'S';
  if (c.subscription_count() > 0) flags += 'P';
  if (c.in_multi) flags += 'x';
  if (c.is_blocked()) flags += 'b';
  if (c.watch_dirty) flags += 'd';
  if (c.close_after_reply) flags += 'c';
  if (c.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  std::string s;
  s += "id=" + std::to_string(c.id);
  s += " addr=" + c.addr;
  s += " laddr=" + c.laddr;
  s += " fd=" + std::to_string(c.fd);
  s += " name=" + c.name;
  s += " age=" + std::to_string((now - c.created_ms) / 1000);
  s += " idle=" + std::to_string((now - c.last_interaction_ms) / 1000);
  s += " flags=" + flags;
  s += " db=" + std::to_string(c.db);
  s += " sub=" + std::to_string(c.channels.size());
  s += " psub=" + std::to_string(c.patterns.size());
  s += " ssub=" + std::to_string(c.shard_channels.size());
  s += " multi=" + std::to_string(c.in_multi ? static_cast<int64_t>(c.multi_queue.size()) : -1);
  s += " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0";
  s += " omem=" + std::to_string(c.reply.size());
  s += " tot-mem=" + std::to_string(sizeof(ClientState) + c.reply.size());
  s += " events=r cmd=" + std::string(cmd);
  s += " user=" + (c.user != nullptr ? c.user->name : std::string("default"));
  s += std::string(" redir=-1 resp=") + (c.reply.resp3() ? "3" : "2") + "\n";
  return s;
}

namespace {

// Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them; returns false if unknown.
bool ParseClientType(std::string_view name, int* type) {
  if (ArgIs(name, "normal")) *type = 0;
  else if (ArgIs(name, "slave") || ArgIs(name, "replica")) *type = 1;
  else if (ArgIs(name, "pubsub")) *type = 2;
  else if (ArgIs(name, "master")) *type = 3;
  else return false;
  return true;
}
int ClientType(const ClientState& c) {
  return c.is_replica ? 1 : c.subscription_count() > 0 ? 2 : 0;
}

void CmdClientContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "CLIENT"); }

void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id)); }

void CmdClientSetName(CommandContext& ctx) {
  if (!ValidClientName(ctx.argv[2])) {
    ctx.reply.Error(errors::kBadClientName);
    return;
  }
  ctx.client.name = std::string(ctx.argv[2]);
  ctx.reply.Ok();
}

void CmdClientGetName(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name);
  }
}

void CmdClientInfo(CommandContext& ctx) { ctx.reply.Bulk(ClientLine(ctx, ctx.client)); }

// CLIENT LIST [TYPE type] [ID id [id ...]]
void CmdClientList(CommandContext& ctx) {
  int type = -1;
  std::vector<int64_t> ids;
  bool by_id = false;
  if (ctx.argv.size() == 4 && ArgIs(ctx.argv[2], "type")) {
    if (!ParseClientType(ctx.argv[3], &type)) {
      ctx.reply.Error(errors::UnknownClientType(ctx.argv[3]));
      return;
    }
  } else if (ctx.argv.size() >= 4 && ArgIs(ctx.argv[2], "id")) {
    by_id = true;
    for (size_t j = 3; j < ctx.argv.size(); ++j) {
      int64_t id;
      if (!ParseInt64(ctx.argv[j], &id)) {
        ctx.reply.Error(errors::kInvalidClientId);
        return;
      }
      ids.push_back(id);
    }
  } else if (ctx.argv.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::string out;
  if (by_id) {
    for (int64_t id : ids) {
      auto it = ctx.engine.clients().find(static_cast<uint64_t>(id));
      if (id > 0 && it != ctx.engine.clients().end()) out += ClientLine(ctx, *it->second);
    }
  } else {
    for (const auto& [id, c] : ctx.engine.clients()) {
      if (type >= 0 && ClientType(*c) != type) continue;
      out += ClientLine(ctx, *c);
    }
  }
  ctx.reply.Bulk(out);
}

// CLIENT KILL addr:port | CLIENT KILL [ID id] [TYPE t] [ADDR a] [LADDR a] [USER u] [SKIPME yes/no]
// The victim is flagged close_after_reply and woken; its owner (the server) closes it.
void CmdClientKill(CommandContext& ctx) {
  std::vector<ClientState*> victims;
  bool old_style = ctx.argv.size() == 3;
  if (old_style) {
    for (const auto& [id, c] : ctx.engine.clients()) {
      if (c->addr == ctx.argv[2]) victims.push_back(c);
    }
    if (victims.empty()) {
      ctx.reply.Error(errors::kNoSuchClient);
      return;
    }
  } else {
    if (ctx.argv.size() % 2 != 0) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    int64_t id = 0;
    int type = -1;
    std::string_view addr, laddr, user;
    bool skipme = true;
    for (size_t j = 2; j + 1 < ctx.argv.size(); j += 2) {
      std::string_view opt = ctx.argv[j], val = ctx.argv[j + 1];
      if (ArgIs(opt, "id")) {
        if (!ParseInt64(val, &id) || id <= 0) {
          ctx.reply.Error(errors::kClientIdNotPositive);
          return;
        }
      } else if (ArgIs(opt, "type")) {
        if (!ParseClientType(val, &type)) {
          ctx.reply.Error(errors::UnknownClientType(val));
          return;
        }
      } else if (ArgIs(opt, "addr")) {
        addr = val;
      } else if (ArgIs(opt, "laddr")) {
        laddr = val;
      } else if (ArgIs(opt, "user")) {
        user = val;
        if (ctx.engine.acl().Find(user) == nullptr) {
          ctx.reply.Error(errors::NoSuchUser(user));
          return;
        }
      } else if (ArgIs(opt, "skipme")) {
        if (!ArgWord(val, {{"yes", true}, {"no", false}}, &skipme)) {
          ctx.reply.Error(errors::kSyntax);
          return;
        }
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    }
    for (const auto& [cid, c] : ctx.engine.clients()) {
      if (id != 0 && c->id != static_cast<uint64_t>(id)) continue;
      if (type >= 0 && ClientType(*c) != type) continue;
      if (!addr.empty() && c->addr != addr) continue;
      if (!laddr.empty() && c->laddr != laddr) continue;
      if (!user.empty() && (c->user == nullptr || c->user->name != user)) continue;
      if (skipme && c == &ctx.client) continue;
      victims.push_back(c);
    }
  }
  for (ClientState* c : victims) {
    c->close_after_reply = true;
    if (c != &ctx.client && c->wake) c->wake();
  }
  if (old_style) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(static_cast<int64_t>(victims.size()));
  }
}

// CLIENT NO-EVICT ON|OFF. Kept as the client's flag: this engine never evicts clients (Redis's
// maxmemory-clients is not implemented), so the setting changes nothing else.
void CmdClientNoEvict(CommandContext& ctx) {
  if (ArgIs(ctx.argv[2], "on")) {
    ctx.client.no_evict = true;
  } else if (ArgIs(ctx.argv[2], "off")) {
    ctx.client.no_evict = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ctx.reply.Ok();
}

// CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout (milliseconds), as in
// Redis; the engine holds the commands (client_pause.h).
void CmdClientPause(CommandContext& ctx) {
  if (ctx.argv.size() > 4) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "CLIENT"));
    return;
  }
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (ctx.argv.size() == 4 &&
      !ArgWord(ctx.argv[3],
               {{"write", ClientPause::Mode::kWrite}, {"all", ClientPause::Mode::kAll}}, &mode)) {
    ctx.reply.Error(errors::kClientPauseMode);
    return;
  }
  int64_t ms;
  if (!ArgTimeout(ctx, ctx.argv[2], &ms)) return;
  // 0: a pause that has already ended (also what Redis's wrapped deadline amounts to).
  int64_t end = ms > 0 ? DeadlineAfter(ctx.now_ms, ms).value_or(0) : 0;
  ctx.engine.client_pause().Pause(ctx.now_ms, end, mode);
  ctx.reply.Ok();
}

void CmdClientUnpause(CommandContext& ctx) {
  ctx.engine.client_pause().Unpause();
  ctx.reply.Ok();
}

// CLIENT REPLY ON|OFF|SKIP: Engine::Execute drops the replies (ON answers OK, the others nothing).
void CmdClientReply(CommandContext& ctx) {
  using Mode = ClientState::ReplyMode;
  if (ArgIs(ctx.argv[2], "on")) {
    ctx.client.reply_mode = Mode::kOn;
    ctx.reply.Ok();
  } else if (ArgIs(ctx.argv[2], "off")) {
    ctx.client.reply_mode = Mode::kOff;
  } else if (ArgIs(ctx.argv[2], "skip")) {
    if (ctx.client.reply_mode != Mode::kOff) ctx.client.reply_mode = Mode::kSkipNext;
  } else {
    ctx.reply.Error(errors::kSyntax);
  }
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends the wait of a client blocked in BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP or XREAD/XREADGROUP BLOCK, as if its timeout had
// passed (TIMEOUT, the default) or with the UNBLOCKED error (ERROR); 1 if it was blocked, else 0.
// The reason is checked before the id, as in Redis. A client held by CLIENT PAUSE is not blocked
// here (client_pause.h), so it answers 0 (Redis 7.0.15 aborts on that case).
void CmdClientUnblock(CommandContext& ctx) {
  if (ctx.argv.size() > 4) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "CLIENT"));
    return;
  }
  bool error = false;
  if (ctx.argv.size() == 4 &&
      !ArgWord(ctx.argv[3], {{"error", true}, {"timeout", false}}, &error)) {
    ctx.reply.Error(errors::kUnblockReason);
    return;
  }
  int64_t id;
  if (!ArgInt64(ctx, 2, &id)) return;
  auto it = ctx.engine.clients().find(static_cast<uint64_t>(id));
  bool unblocked = it != ctx.engine.clients().end() && it->second->is_blocked() &&
                   ctx.engine.blocking().Unblock(*it->second, error);
  ctx.reply.Integer(unblocked ? 1 : 0);
}

void CmdClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "CLIENT",
            {"GETNAME", "    Return the name of the current connection.", "ID",
             "    Return the ID of the current connection.", "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>", "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are:",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made from the specified address",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made to specified local address",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
             "    * USER <username>", "      Kill connections authenticated by <username>.",
             "    * SKIPME (YES|NO)",
             "      Skip killing current connection (default: yes).", "    * ID <client-id>",
             "      Kill connections by client id.",
             "LIST [options ...]", "    Return information about client connections. Options:",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
             "    * ID <client-id> [<client-id> ...]", "      Return clients of specified IDs only.",
             "UNPAUSE", "    Stop the current client pause, resuming traffic.",
             "PAUSE <timeout> [WRITE|ALL]",
             "    Suspend all, or just write, clients for <timeout> milliseconds.",
             "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
             "SETNAME <name>", "    Assign the name <name> to the current connection.",
             "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
             "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction."});
}

}  // namespace

void RegisterConnectionFamily(CommandTable& table) {
  CommandRegistrar reg(table, "connection");
  reg.Add("ping", -1, kCmdFast, {}, CmdPing);
  reg.Add("echo", 2, kCmdLoading | kCmdStale | kCmdFast, {}, CmdEcho);
  reg.Add("quit", -1,
          kCmdNoAuth | kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, {},
          CmdQuit);
  reg.Add("select", 2, kCmdLoading | kCmdStale | kCmdFast, {}, CmdSelect);
  reg.Add("auth", -2,
          kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoAuth | kCmdFast | kCmdAllowBusy, {},
          CmdAuth);
  reg.Add("hello", -1,
          kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoAuth | kCmdFast | kCmdAllowBusy, {},
          CmdHello);
  reg.Add("reset", 1,
          kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoAuth | kCmdFast | kCmdAllowBusy, {},
          CmdReset);
  reg.Add("client", -2, 0, {}, CmdClientContainer);
  reg.Sub("client", "id", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientId);
  reg.Sub("client", "setname", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientSetName);
  reg.Sub("client", "getname", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientGetName);
  reg.Sub("client", "info", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientInfo);
  reg.Sub("client", "list", -2, kCmdServerAdmin, {}, CmdClientList);
  reg.Sub("client", "kill", -3, kCmdServerAdmin, {}, CmdClientKill);
  reg.Sub("client", "no-evict", 3, kCmdServerAdmin, {}, CmdClientNoEvict);
  reg.Sub("client", "pause", -3, kCmdServerAdmin, {}, CmdClientPause);
  reg.Sub("client", "unpause", 2, kCmdServerAdmin, {}, CmdClientUnpause);
  reg.Sub("client", "reply", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientReply);
  reg.Sub("client", "unblock", -3, kCmdServerAdmin, {}, CmdClientUnblock);
  reg.Sub("client", "help", 2, kCmdLoading | kCmdStale, {}, CmdClientHelp);
}

}  // namespace racetrack::engine

// Every user-visible error text of the engine, word for word as Redis 7 sends it (without the
// leading '-' and trailing CRLF, which the reply writer adds). One place, so the conformance tests
// (which compare replies with a real redis-server byte for byte) and the handlers cannot drift
// apart: a handler names its error, it never spells it. Texts that quote an argument are functions.
//
// Grouped as Redis's sources group them: generic argument errors, then per command family. The
// network server's protocol errors are here too (the parser in resp.cc produces them).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace racetrack::engine::errors {

// --- Generic: arguments, types, dispatch -------------------------------------------------------

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kNumKeysNotPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kNumKeysOverArgs =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kNumKeysNegative = "ERR Number of keys can't be negative";
inline constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kNotBothNxXx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kNotAllowedFromScript =
    "ERR This Redis command is not allowed from script";

// As Redis's getRangeLongFromObjectOrReply: "value must between MIN and MAX" (sic).
inline std::string IntegerOutOfRange(int64_t min, int64_t max) {
  return "ERR value is out of range, value must between " + std::to_string(min) + " and " +
         std::to_string(max);
}
// `command` is the table's full name ("config|set").
inline std::string WrongArity(std::string_view command) {
  return "ERR wrong number of arguments for '" + std::string(command) + "' command";
}
// `args` is the first arguments already quoted and truncated by the caller ("'a' 'b' ").
inline std::string UnknownCommand(std::string_view name, std::string_view args) {
  return "ERR unknown command '" + std::string(name) +
         "', with args beginning with: " + std::string(args);
}
// Redis's addReplySubcommandSyntaxError: `sub` as the client typed it.
inline std::string SubcommandSyntax(std::string_view sub, std::string_view upper_parent) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
         "'. Try " + std::string(upper_parent) + " HELP.";
}
// `upper_parent` is the container in capitals ("CONFIG").
inline std::string UnknownSubcommand(std::string_view sub, std::string_view upper_parent) {
  return "ERR unknown subcommand '" + std::string(sub) + "'. Try " + std::string(upper_parent) +
         " HELP.";
}
inline constexpr std::string_view kClientPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";
inline constexpr std::string_view kSsubscribeDenyBlocking =
    "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";
inline std::string NotAllowedWhileSubscribed(std::string_view command) {
  return "ERR Can't execute '" + std::string(command) +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}

// --- Protocol (resp.cc; the server replies "ERR " + the text and closes the connection) ---------

inline constexpr std::string_view kProtoBigMultibulk = "Protocol error: too big mbulk count string";
inline constexpr std::string_view kProtoBadMultibulk = "Protocol error: invalid multibulk length";
inline constexpr std::string_view kProtoBigBulk = "Protocol error: too big bulk count string";
inline constexpr std::string_view kProtoBadBulk = "Protocol error: invalid bulk length";
inline constexpr std::string_view kProtoBigInline = "Protocol error: too big inline request";
inline constexpr std::string_view kProtoUnbalancedQuotes =
    "Protocol error: unbalanced quotes in request";
inline std::string ProtoExpectedBulk(char got) {
  return std::string("Protocol error: expected '$', got '") + got + "'";
}
// What the client sees for any of the protocol texts above.
inline std::string ProtocolErrorReply(std::string_view protocol_error) {
  return "ERR " + std::string(protocol_error);
}
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";

// --- Connection: AUTH, HELLO, CLIENT -----------------------------------------------------------

inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kHelloProtocolNotInteger =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time";  // Redis 7.0.15's words (7.2 adds "<proto>")
inline std::string HelloSyntax(std::string_view option) {
  return "ERR Syntax error in HELLO option '" + std::string(option) + "'";
}
inline constexpr std::string_view kBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(type) + "'";
}
inline std::string NoSuchUser(std::string_view user) {
  return "ERR No such user '" + std::string(user) + "'";
}

// --- Keys and expiry ---------------------------------------------------------------------------

inline std::string InvalidExpireTime(std::string_view command) {
  return "ERR invalid expire time in '" + std::string(command) + "' command";
}
// Redis quotes the option with printf's %s, which stops at the argument's first NUL byte.
inline std::string UnsupportedOption(std::string_view option) {
  return "ERR Unsupported option " + std::string(option.substr(0, option.find('\0')));
}
inline constexpr std::string_view kExpireNxWithOthers =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kGtAndLt =
    "ERR GT and LT options at the same time are not compatible";

// --- Strings and hashes ------------------------------------------------------------------------

inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kDecrOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kIncrNanOrInf = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kValueNanOrInf = "ERR value is NaN or Infinity";

// --- Lists -------------------------------------------------------------------------------------

inline constexpr std::string_view kLposRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// --- Sorted sets -------------------------------------------------------------------------------

inline constexpr std::string_view kNaNScore = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kZaddGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kZaddIncrPair =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kZrangeLimitNeedsScoreOrLex =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kZrangeWithscoresByLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";
inline std::string NeedsInputKey(std::string_view command) {
  return "ERR at least 1 input key is needed for '" + std::string(command) + "' command";
}

// --- Streams -----------------------------------------------------------------------------------

inline constexpr std::string_view kInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kXaddIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr std::string_view kXaddIdZero = "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr std::string_view kStreamExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr std::string_view kXgroupNoKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
    "the MKSTREAM option to create an empty stream automatically.";
inline constexpr std::string_view kMaxlenAndMinid =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
inline constexpr std::string_view kMaxlenArgNegative = "ERR The MAXLEN argument must be >= 0.";
inline constexpr std::string_view kTrimLimitNeedsApprox =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr std::string_view kEntriesReadInvalid =
    "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr std::string_view kBusyGroup = "BUSYGROUP Consumer Group name already exists";
inline constexpr std::string_view kXreadgroupNoGroup = "ERR Missing GROUP option for XREADGROUP";
inline constexpr std::string_view kXreadGreaterThanId =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option.";
inline constexpr std::string_view kXreadgroupDollarId =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr std::string_view kXclaimMinIdle = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr std::string_view kXautoclaimMinIdle =
    "ERR Invalid min-idle-time argument for XAUTOCLAIM";
inline constexpr std::string_view kXautoclaimCount = "ERR COUNT must be > 0";
inline constexpr std::string_view kEntriesAddedNegative = "ERR entries_added must be positive";
inline constexpr std::string_view kXsetidBelowMaxDeleted =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr std::string_view kXsetidBelowTop =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr std::string_view kXsetidEntriesAddedBelowLength =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline std::string InvalidIntervalId(bool is_start) {
  return std::string("ERR invalid ") + (is_start ? "start" : "end") + " ID for the interval";
}
// Redis 7.0 names XREAD here for XREADGROUP too (7.2 names the command).
inline constexpr std::string_view kUnbalancedStreams =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
inline std::string NoSuchGroup(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" +
         std::string(key) + "'";
}
inline std::string NoSuchKeyOrGroup(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" +
         std::string(group) + "'";
}
inline std::string XreadgroupNoKeyOrGroup(std::string_view key, std::string_view group) {
  return NoSuchKeyOrGroup(key, group) + " in XREADGROUP with GROUP option";
}
inline std::string UnknownXclaimOption(std::string_view option) {
  return "ERR Unrecognized XCLAIM option '" + std::string(option) + "'";
}

// --- HyperLogLog (hll_family.cc) ---------------------------------------------------------------

inline constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kInvalidHll = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kPfdebugNoKey = "ERR The specified key does not exist";
inline constexpr std::string_view kHllNotSparse = "ERR HLL encoding is not sparse";
inline std::string UnknownPfdebugSubcommand(std::string_view sub) {
  return "ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'";
}

// --- Transactions ------------------------------------------------------------------------------

inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kNestedMulti = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kWatchInsideMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kNotAllowedInMulti = "ERR Command not allowed inside a transaction";
// A rejected EXEC: `reason` is the rejection's text without its "ERR " prefix.
inline std::string ExecAbortBecause(std::string_view reason) {
  return "EXECABORT Transaction discarded because of: " + std::string(reason);
}

// --- Scripting ---------------------------------------------------------------------------------

inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kScriptFlushOption =
    "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
inline constexpr std::string_view kScriptDebugUnsupported =
    "ERR SCRIPT DEBUG (the Lua debugger) is not supported by this server";
inline constexpr std::string_view kLuaStackLimit = "ERR reached lua stack limit";
inline constexpr std::string_view kBadShebang = "ERR Invalid script shebang";
inline constexpr std::string_view kLuaUnknownError = "ERR unknown error";
// The prefix Lua error values get when a script raises a plain string (redis.error_reply style).
inline constexpr char kLuaErrorPrefix[] = "ERR ";
inline std::string UnexpectedShebangEngine(std::string_view engine) {
  return "ERR Unexpected engine in script shebang: " + std::string(engine);
}
inline std::string UnknownShebangOption(std::string_view option) {
  return "ERR Unknown lua shebang option: " + std::string(option);
}
inline std::string UnexpectedShebangFlag(std::string_view flag) {
  return "ERR Unexpected flag in script shebang: " + std::string(flag);
}
inline std::string ScriptCompileError(std::string_view lua_message) {
  return "ERR Error compiling script (new function): " + std::string(lua_message);
}
// `message` is already cut to Redis's 100 bytes by the caller.
inline std::string ScriptRunError(std::string_view sha, std::string_view message) {
  return "ERR Error running script " + std::string(sha) + ", " + std::string(message);
}

// Raised inside a script (scripting.cc): bare messages, which the error table gives the code ERR.
// The two with a format directive are passed to luaL_error / lua_pushfstring.
inline constexpr std::string_view kLuaUnknownCommand = "Unknown Redis command called from script";
inline constexpr std::string_view kLuaWrongArity =
    "Wrong number of args calling Redis command from script";
inline constexpr std::string_view kLuaNoScriptCommand = "This Redis command is not allowed from script";
// XREAD / XREADGROUP BLOCK from a script; `command` as the script spelled it.
inline std::string BlockFromScript(std::string_view command) {
  return "ERR " + std::string(command) + " command is not allowed with BLOCK option from scripts";
}
inline constexpr std::string_view kLuaStaleReplica = "Can not execute the command on a stale replica";
inline constexpr std::string_view kLuaWriteInReadOnly =
    "Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kLuaCallNoArgs =
    "Please specify at least one argument for this redis lib call";
inline constexpr std::string_view kLuaCallArgType =
    "Lua redis lib command arguments must be strings or integers";
inline constexpr std::string_view kLuaWrongArgs = "wrong number of arguments";
inline constexpr std::string_view kLuaWrongArgsOrType = "wrong number or type of arguments";
inline constexpr std::string_view kLuaLogArity = "redis.log() requires two arguments or more.";
inline constexpr std::string_view kLuaLogLevelType = "First argument must be a number (log level).";
inline constexpr std::string_view kLuaLogLevel = "Invalid debug level.";
inline constexpr std::string_view kLuaSetRespArity = "redis.setresp() requires one argument.";
inline constexpr std::string_view kLuaSetRespVersion = "RESP version must be 2 or 3.";
inline constexpr std::string_view kLuaSetReplArity = "redis.set_repl() requires two arguments.";
inline constexpr std::string_view kLuaSetReplFlags =
    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
inline constexpr char kLuaWrongArgsC[] = "wrong number of arguments";
inline constexpr char kLuaIntervalEmpty[] = "interval is empty";
inline constexpr char kLuaReadonlyTable[] = "Attempt to modify a readonly table";
inline constexpr char kLuaNoGlobalFormat[] =
    "Script attempted to access nonexistent global variable '%s'";
inline constexpr char kLuaTimeLimitFormat[] =
    "Script killed after exceeding lua-time-limit (%lld ms)";
inline constexpr char kLuaKilledByUser[] = "Script killed by user with SCRIPT KILL...";
inline constexpr char kLuaCallOutsideScript[] =
    "redis.call/pcall can only be called inside a script invocation";
inline constexpr char kLuaAclInvalidCommand[] = "Invalid command passed to redis.acl_check_cmd()";
inline constexpr char kLuaAclCheckOutsideScript[] =
    "redis.acl_check_cmd can only be called inside a script invocation";
// A runaway script (scripting.h): what other clients get, and SCRIPT/FUNCTION KILL's refusals.
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kScriptWriteFlagOnRo =
    "ERR Can not execute a script with write flag using *_ro command.";
inline constexpr std::string_view kScriptOom =
    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";

// --- Functions (function.h) ---------------------------------------------------------------------

inline constexpr std::string_view kFunctionNotFound = "ERR Function not found";
inline constexpr std::string_view kLibraryNotFound = "ERR Library not found";
inline constexpr std::string_view kFunctionBadNumKeys = "ERR Bad number of keys provided";
inline constexpr std::string_view kFunctionCodeMissing = "ERR Function code is missing";
inline constexpr std::string_view kFunctionFlushOption =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
inline constexpr std::string_view kFunctionRestorePolicy =
    "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
inline constexpr std::string_view kDumpPayloadBad = "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kInvalidTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kInvalidIdleTime = "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
inline constexpr std::string_view kFunctionLibraryNameMissing =
    "ERR library name argument was not given";
inline constexpr std::string_view kFunctionMissingMetadata = "ERR Missing library metadata";
inline constexpr std::string_view kFunctionInvalidMetadata = "ERR Invalid library metadata";
inline constexpr std::string_view kFunctionNameTwice =
    "ERR Invalid metadata value, name argument was given multiple times";
inline constexpr std::string_view kFunctionNoLibraryName = "ERR Library name was not given";
inline constexpr std::string_view kFunctionNoneRegistered = "ERR No functions registered";
// Raised inside Lua (no code: the error table adds ERR); also FUNCTION LOAD's own reply text.
inline constexpr char kFunctionBadName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";
inline constexpr char kFunctionLoadTimeout[] = "FUNCTION LOAD timeout";
inline constexpr char kRegisterFunctionOutsideLoad[] =
    "redis.register_function can only be called on FUNCTION LOAD command";
inline std::string FunctionInvalidMetadata(std::string_view part) {
  return "ERR Invalid metadata value given: " + std::string(part);
}
inline std::string FunctionEngineNotFound(std::string_view engine) {
  return "ERR Engine '" + std::string(engine) + "' not found";
}
inline std::string FunctionLibraryExists(std::string_view name) {
  return "ERR Library '" + std::string(name) + "' already exists";
}
inline std::string FunctionExists(std::string_view name) {
  return "ERR Function " + std::string(name) + " already exists";
}
// FUNCTION RESTORE: a payload entry of another type, an unreadable one, and APPEND meeting a
// library of the same name (unquoted there, as functions.c's libraryJoin writes it).
inline constexpr std::string_view kFunctionRestoreNotAFunction = "ERR given type is not a function";
inline constexpr std::string_view kFunctionRestoreBadPayload = "ERR Failed loading library payload";
inline std::string FunctionRestoreLibraryExists(std::string_view name) {
  return "ERR Library " + std::string(name) + " already exists";
}
inline std::string FunctionCompileError(std::string_view lua_message) {
  return "ERR Error compiling function: " + std::string(lua_message);
}
inline std::string FunctionRegisterError(std::string_view message) {
  return "ERR Error registering functions: " + std::string(message);
}
inline std::string FunctionUnknownOption(std::string_view option) {
  return "ERR Unknown option given: " + std::string(option);
}
inline std::string FunctionListUnknownArgument(std::string_view arg) {
  return "ERR Unknown argument " + std::string(arg);
}

// --- Blocking ----------------------------------------------------------------------------------

inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
// A client blocked in XREADGROUP whose stream key was deleted or replaced by another type (Redis
// 7.0.15 blocked.c, unblockDeletedStreamReadgroupClients).
inline constexpr std::string_view kStreamKeyGone = "UNBLOCKED the stream key no longer exists";
// A client blocked in XREADGROUP whose group was destroyed (blocked.c,
// serveClientsBlockedOnStreamKey).
inline constexpr std::string_view kBlockedGroupGone =
    "NOGROUP the consumer group this client was blocked on no longer exists";
// racetrack's own: an embedder sent a command for a client that is blocked (engine.h, Execute).
inline constexpr std::string_view kClientBlocked =
    "ERR this client is blocked in a command; it takes no other until it is served";
// racetrack's own: a reply whose size a count alone decides (SRANDMEMBER / HRANDFIELD /
// ZRANDMEMBER with a negative count) that would exceed the reply limit (family_util.h,
// RepeatedPicksFit). Redis 7.0.15 starts building such a reply and runs out of memory.
inline std::string ReplyTooLarge(uint64_t picks, uint64_t limit_bytes) {
  return "ERR count " + std::to_string(picks) + " would make a reply larger than " +
         std::to_string(limit_bytes) + " bytes (client-output-buffer-limit normal, 1gb when 0)";
}
// racetrack's own: the engine was asked to run an empty command line (ExecuteQueued).
inline constexpr std::string_view kEmptyCommand = "ERR empty command";

// --- Persistence (persistence.cc, persistence_family.cc) ---------------------------------------

inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kBgsaveChildActive =
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
    "order to schedule a BGSAVE whenever possible.";
inline constexpr std::string_view kBgsaveForkFailed = "ERR Background save failed: fork failed";
inline constexpr std::string_view kAofRewriteInProgress =
    "ERR Background append only file rewriting already in progress";
inline constexpr std::string_view kAofRewriteForkFailed =
    "ERR Can't rewrite append only file in background: fork failed";
// A persistence Status as a reply: the texts above already carry "ERR"; an environment failure
// (a full disk, an unwritable dir) is a bare message and gets the prefix.
inline std::string FromPersistenceStatus(std::string_view message) {
  if (message.starts_with("ERR")) return std::string(message);
  return "ERR " + std::string(message);
}

// --- Replication: SYNC, REPLCONF, min-replicas-to-write ----------------------------------------

inline std::string UnrecognizedReplconfOption(std::string_view option) {
  return "ERR Unrecognized REPLCONF option: " + std::string(option);
}
inline constexpr std::string_view kNoReplicas = "NOREPLICAS Not enough good replicas to write.";
// The replica role (REPLICAOF host port; replication.h).
inline constexpr std::string_view kReadOnlyReplica =
    "READONLY You can't write against a read only replica.";
inline constexpr std::string_view kMasterDown =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
inline constexpr std::string_view kInvalidMasterPort = "ERR Invalid master port";
inline constexpr std::string_view kReplicaofFromReplica =
    "ERR Command is not valid when client is a replica.";
inline constexpr std::string_view kAlreadyConnectedToMaster = "OK Already connected to specified master";
inline constexpr std::string_view kScriptOnReadOnlyReplica =
    "READONLY Can not run script with write flag on readonly replica";
inline constexpr std::string_view kScriptStale =
    "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' "
    "flag is not set on the script.";

// --- Server: SHUTDOWN, CONFIG ------------------------------------------------------------------

inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";
inline constexpr std::string_view kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
inline std::string ConfigSetUnknownOption(std::string_view option) {
  return "ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(option) +
         "'";
}
inline std::string ConfigSetFailed(std::string_view parameter, std::string_view reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + std::string(parameter) +
         "') - " + std::string(reason);
}

// The server-config table (config.cc): the same text whether a value came from a config file, a
// flag or CONFIG SET (which frames it with ConfigSetFailed).
inline constexpr std::string_view kConfigNotInteger = "argument couldn't be parsed into an integer";
inline constexpr std::string_view kConfigRangePrefix = "argument must be between ";
inline constexpr std::string_view kConfigNotMemory = "argument must be a memory value";
inline constexpr std::string_view kConfigPercentilesInvalid =
    "Invalid latency-tracking-info-percentiles parameters";
inline constexpr std::string_view kConfigPercentilesRange =
    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
inline constexpr std::string_view kConfigYesNo = "argument must be 'yes' or 'no'";
inline constexpr std::string_view kConfigChoicePrefix =
    "argument(s) must be one of the following: ";
inline constexpr std::string_view kConfigInvalidSave = "Invalid save parameters";
inline constexpr std::string_view kConfigNotifyClass =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
inline constexpr std::string_view kConfigBufferLimitArity =
    "Wrong number of arguments in buffer limit configuration.";
inline constexpr std::string_view kConfigBufferLimitClass =
    "Invalid client class specified in buffer limit configuration.";
inline constexpr std::string_view kConfigBufferLimitValue =
    "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
inline constexpr std::string_view kConfigImmutable = "can't set immutable config";
inline constexpr std::string_view kConfigDuplicate = "duplicate parameter";
inline constexpr std::string_view kConfigBadDirective = "Bad directive or wrong number of arguments";

// --- Added for issue 17: COPY MOVE SWAPDB SORT OBJECT LCS, bitmaps, sorted sets, geo -------------

inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kInvalidFirstDbIndex = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDbIndex = "ERR invalid second DB index";
inline constexpr std::string_view kSortScoreNotDouble =
    "ERR One or more scores can't be converted into double";
inline constexpr std::string_view kObjectIdleTimeLfu =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kObjectFreqNotLfu =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsStringTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTransientMemory =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr std::string_view kBitOffsetInvalid =
    "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBitValueInvalid = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kBitopNotSingleKey =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kBitArgNotBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitfieldBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";
inline constexpr std::string_view kBitfieldBadOverflow = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldRoGetOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";

// Redis formats the pair with "%f", at full length (a huge coordinate prints every digit).
inline std::string InvalidLonLatPair(double lon, double lat) {
  const char* format = "ERR invalid longitude,latitude pair %f,%f";
  std::string text(static_cast<size_t>(std::snprintf(nullptr, 0, format, lon, lat)), '\0');
  std::snprintf(text.data(), text.size() + 1, format, lon, lat);
  return text;
}
inline constexpr std::string_view kGeoBadUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr std::string_view kGeoRadiusNotNumber = "ERR need numeric radius";
inline constexpr std::string_view kGeoRadiusNegative = "ERR radius cannot be negative";
inline constexpr std::string_view kGeoWidthNotNumber = "ERR need numeric width";
inline constexpr std::string_view kGeoHeightNotNumber = "ERR need numeric height";
inline constexpr std::string_view kGeoBoxNegative = "ERR height or width cannot be negative";
inline constexpr std::string_view kGeoNoMember = "ERR could not decode requested zset member";
inline constexpr std::string_view kGeoCountNotPositive = "ERR COUNT must be > 0";
inline constexpr std::string_view kGeoAnyNeedsCount = "ERR the ANY argument requires COUNT argument";
inline std::string GeoStoreWithOptions(bool geosearchstore) {
  return std::string("ERR ") + (geosearchstore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
         " is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
}
// `command` as the client typed it.
inline std::string GeoNeedsFrom(std::string_view command) {
  return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + std::string(command);
}
inline std::string GeoNeedsBy(std::string_view command) {
  return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + std::string(command);
}
// ACL (acl.cc, acl_family.cc, the engine's checks): Redis 7.0's NOPERM texts, by where the check is.
inline std::string AclDeniedCommand(std::string_view full_name) {
  return "NOPERM this user has no permissions to run the '" + std::string(full_name) +
         "' command";
}
inline constexpr std::string_view kAclDeniedKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kAclDeniedChannel =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
inline std::string AclDeniedInExec(bool command, bool key) {
  return std::string("NOPERM ACLs rules changed between the moment the transaction was "
                     "accumulated and the EXEC call. This command is no longer allowed for the "
                     "following reason: ") +
         (command ? "no permission to execute the command or subcommand"
          : key   ? "no permission to touch the specified keys"
                  : "no permission to access one of the channels used as arguments");
}
inline std::string AclDeniedInScript(bool command, bool key) {
  return std::string("ERR The user executing the script ") +
         (command ? "can't run this command or subcommand"
          : key   ? "can't access at least one of the keys mentioned in the command arguments"
                  : "can't publish to the channel mentioned in the command");
}
inline constexpr std::string_view kAclUsernameSpaces =
    "ERR Usernames can't contain spaces or null characters";
inline constexpr std::string_view kAclDeleteDefault = "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kAclNoFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
inline constexpr std::string_view kAclSaveFailed =
    "ERR There was an error trying to save the ACLs. Please check the server logs for more "
    "information";
inline std::string AclUnknownCategory(std::string_view name) {
  return "ERR Unknown category '" + std::string(name.substr(0, 128)) + "'";
}
inline constexpr std::string_view kAclGenpassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline std::string AclUserNotFound(std::string_view name) {
  return "ERR User '" + std::string(name) + "' not found";
}
inline std::string AclCommandNotFound(std::string_view name) {
  return "ERR Command '" + std::string(name) + "' not found";
}
// ACL DRYRUN's denials are bulk strings, not errors.
inline std::string AclDryRunCommand(std::string_view full_name) {
  return "This user has no permissions to run the '" + std::string(full_name) + "' command";
}
inline std::string AclDryRunKey(std::string_view key) {
  return "This user has no permissions to access the '" + std::string(key) + "' key";
}
inline std::string AclDryRunChannel(std::string_view channel) {
  return "This user has no permissions to access the '" + std::string(channel) + "' channel";
}
// protected-mode (the server's accept path): the whole line, as Redis writes it before closing.
inline constexpr std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order "
    "for the server to start accepting connections from the outside.\r\n";
// SLOWLOG GET, MONITOR.
inline constexpr std::string_view kSlowlogCountRange =
    "ERR count should be greater than or equal to -1";
inline std::string LatencyNoSamples(std::string_view event) {
  return "ERR No samples available for event '" + std::string(event) + "'";
}
inline constexpr std::string_view kMonitorDenyBlocking =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";
// COMMAND GETKEYS / GETKEYSANDFLAGS.
inline constexpr std::string_view kGetKeysInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kGetKeysNoKeys = "ERR The command has no key arguments";
inline constexpr std::string_view kGetKeysBadArity =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kGetKeysBadArgs = "ERR Invalid arguments specified for command";

}  // namespace racetrack::engine::errors

// Every user-visible error text of the engine, word for word as Redis 7 sends it (without the
// leading '-' and trailing CRLF, which the reply writer adds). One place, so the conformance tests
// and the handlers cannot drift apart.
#pragma once

#include <string_view>

namespace racetrack::engine::errors {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrNanOrInf = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";
inline constexpr std::string_view kProtocolPrefix = "ERR Protocol error: ";
inline constexpr std::string_view kNotBothNxXx = "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kBusy =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

// HyperLogLog (hll_family.cc).
inline constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kInvalidHll = "INVALIDOBJ Corrupted HLL object detected";

// The server-config table (config.cc): the same text whether a value came from a config file, a
// flag or CONFIG SET. CONFIG SET frames it as kConfigSetFailed + "'name') - " + text.
inline constexpr std::string_view kConfigNotInteger = "argument couldn't be parsed into an integer";
inline constexpr std::string_view kConfigRangePrefix = "argument must be between ";
inline constexpr std::string_view kConfigNotMemory = "argument must be a memory value";
inline constexpr std::string_view kConfigYesNo = "argument must be 'yes' or 'no'";
inline constexpr std::string_view kConfigChoicePrefix =
    "argument(s) must be one of the following: ";
inline constexpr std::string_view kConfigInvalidSave = "Invalid save parameters";
inline constexpr std::string_view kConfigBufferLimitArity =
    "Wrong number of arguments in buffer limit configuration.";
inline constexpr std::string_view kConfigBufferLimitClass =
    "Invalid client class specified in buffer limit configuration.";
inline constexpr std::string_view kConfigBufferLimitValue =
    "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
inline constexpr std::string_view kConfigImmutable = "can't set immutable config";
inline constexpr std::string_view kConfigDuplicate = "duplicate parameter";
inline constexpr std::string_view kConfigBadDirective = "Bad directive or wrong number of arguments";
inline constexpr std::string_view kConfigSetFailed =
    "ERR CONFIG SET failed (possibly related to argument '";
inline constexpr std::string_view kConfigSetUnknown =
    "ERR Unknown option or number of arguments for CONFIG SET - '";

}  // namespace racetrack::engine::errors

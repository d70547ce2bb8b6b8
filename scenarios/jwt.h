// JWT (RFC 7519) with HS256 (HMAC-SHA256, RFC 7515 §A.1) for the `sessions` lesson: signing and
// verifying compact tokens in the client, with OpenSSL's libcrypto doing the HMAC.
//
// Only what the lesson needs: the header must be {"alg":"HS256"...} (alg "none" and every other
// algorithm are rejected, so a token cannot downgrade itself), the signature is compared in
// constant time, and `exp` (seconds since the epoch, an integer) is checked against the caller's
// clock. Claims are returned as a parsed JSON object for the caller to read (sub, jti, ...).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace racetrack::scenarios::jwt {

// Base64url without padding (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts unpadded base64url only; anything else is Status::InvalidArgument.
Result<std::string> Base64UrlDecode(std::string_view text);

// HMAC-SHA256(key, data): 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// header.payload.signature where header and payload are the given JSON texts, byte for byte
// (so the RFC's example, with its line breaks, can be reproduced exactly).
std::string SignRaw(std::string_view header_json, std::string_view payload_json,
                    std::string_view key);
// The usual case: header {"alg":"HS256","typ":"JWT"} and the claims serialized compactly.
std::string Sign(const nlohmann::json& claims, std::string_view key);

// Checks the structure, the algorithm (HS256 only), the signature and, when the claims carry
// `exp`, that now_s < exp. Errors (one line): kInvalidArgument for a malformed token, a wrong
// algorithm or a bad signature; kOutOfRange ("token expired") for a valid but expired token, so
// a caller can tell "expired: try the refresh token" from "forged".
Result<nlohmann::json> Verify(std::string_view token, std::string_view key, int64_t now_s);

// True when `s` is the expired-token status Verify returns.
bool IsExpired(const Status& s);

}  // namespace racetrack::scenarios::jwt

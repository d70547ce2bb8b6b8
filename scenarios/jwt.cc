// HS256 JWTs. The signature check runs before the claims are parsed, so a forged token never
// reaches the JSON parser; CRYPTO_memcmp keeps the comparison's time independent of where the
// first wrong byte is.
#include "scenarios/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace racetrack::scenarios::jwt {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

constexpr char kDefaultHeader[] = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return Status::InvalidArgument("malformed base64url (bad length)");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int d = DecodeChar(c);
    if (d < 0) return Status::InvalidArgument("malformed base64url (bad character)");
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Status::InvalidArgument("malformed base64url (non-zero padding bits)");
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len);
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string SignRaw(std::string_view header_json, std::string_view payload_json,
                    std::string_view key) {
  std::string signing_input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  const std::string sig = HmacSha256(key, signing_input);
  return signing_input + "." + Base64UrlEncode(sig);
}

std::string Sign(const nlohmann::json& claims, std::string_view key) {
  return SignRaw(kDefaultHeader, claims.dump(), key);
}

Result<nlohmann::json> Verify(std::string_view token, std::string_view key, int64_t now_s) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Status::InvalidArgument("malformed token (expected header.payload.signature)");
  }
  auto sig = Base64UrlDecode(token.substr(dot2 + 1));
  if (!sig.ok()) return sig.status();
  const std::string expected = HmacSha256(key, token.substr(0, dot2));
  if (sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return Status::InvalidArgument("bad token signature");
  }
  auto header_text = Base64UrlDecode(token.substr(0, dot1));
  if (!header_text.ok()) return header_text.status();
  auto header = nlohmann::json::parse(*header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object() || !header.contains("alg") ||
      header["alg"] != "HS256") {
    return Status::InvalidArgument("token algorithm is not HS256");
  }
  auto payload_text = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload_text.ok()) return payload_text.status();
  auto claims = nlohmann::json::parse(*payload_text, nullptr, /*allow_exceptions=*/false);
  if (claims.is_discarded() || !claims.is_object()) {
    return Status::InvalidArgument("token claims are not a JSON object");
  }
  if (claims.contains("exp")) {
    if (!claims["exp"].is_number_integer()) {
      return Status::InvalidArgument("token exp is not an integer");
    }
    if (now_s >= claims["exp"].get<int64_t>()) return Status::OutOfRange("token expired");
  }
  return claims;
}

bool IsExpired(const Status& s) { return s.code() == Status::Code::kOutOfRange; }

}  // namespace racetrack::scenarios::jwt

// JWT signing and verification against the RFCs' own examples: RFC 7515 §A.1 (the HS256 JWS,
// which is also RFC 7519 §3.1's example JWT) and RFC 4231's HMAC-SHA256 test cases.
#include "scenarios/jwt.h"

#include <gtest/gtest.h>

namespace racetrack::scenarios::jwt {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// RFC 7515 §A.1: the header and payload byte for byte (CRLF and a space inside), the key as the
// JWK's "k", and the resulting compact serialization.
constexpr char kHeader[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr char kPayload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
constexpr char kJwkK[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr char kToken[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

TEST(JwtTest, Rfc7515A1SignsToTheRfcsToken) {
  auto key = Base64UrlDecode(kJwkK);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(SignRaw(kHeader, kPayload, *key), kToken);
}

TEST(JwtTest, Rfc7515A1VerifiesAndExpires) {
  auto key = Base64UrlDecode(kJwkK);
  ASSERT_TRUE(key.ok());
  auto claims = Verify(kToken, *key, 1300819379);
  ASSERT_TRUE(claims.ok()) << claims.status().message();
  EXPECT_EQ((*claims)["iss"], "joe");
  EXPECT_EQ((*claims)["http://example.com/is_root"], true);
  auto expired = Verify(kToken, *key, 1300819380);  // exp is exclusive
  ASSERT_FALSE(expired.ok());
  EXPECT_TRUE(IsExpired(expired.status()));
}

TEST(JwtTest, Rfc4231HmacSha256) {
  // Test case 1 and test case 2.
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(JwtTest, TamperedWrongKeyAlgNoneAndMalformedAreRejected) {
  auto key = Base64UrlDecode(kJwkK);
  ASSERT_TRUE(key.ok());
  std::string tampered = kToken;
  tampered[45] = tampered[45] == 'A' ? 'B' : 'A';  // inside the payload
  EXPECT_FALSE(Verify(tampered, *key, 0).ok());
  EXPECT_FALSE(Verify(kToken, "another key", 0).ok());
  // alg "none" with an empty signature, and an HS256 signature over an alg-none header.
  const std::string none_header = Base64UrlEncode("{\"alg\":\"none\"}");
  const std::string body = Base64UrlEncode("{\"sub\":\"x\"}");
  EXPECT_FALSE(Verify(none_header + "." + body + ".", *key, 0).ok());
  const std::string signed_none =
      none_header + "." + body + "." + Base64UrlEncode(HmacSha256(*key, none_header + "." + body));
  auto r = Verify(signed_none, *key, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HS256"), std::string::npos);
  for (const char* bad : {"", "a.b", "a.b.c.d", "!!.??.**"}) {
    auto v = Verify(bad, *key, 0);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_FALSE(IsExpired(v.status())) << bad;
  }
}

TEST(JwtTest, SignVerifyRoundTripAndBase64Url) {
  const nlohmann::json claims = {{"sub", "42"}, {"jti", "t-1"}, {"exp", 2'000'000'000}};
  const std::string token = Sign(claims, "secret");
  auto back = Verify(token, "secret", 1'900'000'000);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, claims);
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
    auto d = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("Zm9v=").ok());  // padding is not base64url in a JWT
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());     // non-zero leftover bits
}

}  // namespace
}  // namespace racetrack::scenarios::jwt

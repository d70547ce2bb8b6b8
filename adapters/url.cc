#include "adapters/url.h"

#include <algorithm>
#include <charconv>

#include "engine/base/parse.h"

namespace racetrack::adapters {

namespace {

// A "password=" query parameter (libpq accepts one) is redacted too.
std::string RedactQueryPassword(std::string out) {
  size_t p = out.find("password=");
  while (p != std::string::npos) {
    const size_t end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - (p + 9), "***");
    p = out.find("password=", p + 12);
  }
  return out;
}

std::string RedactUserinfo(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t auth_start = scheme_end + 3;
  // The authority ends at the first '/', '?' or '#' after the last '@' — but a password may itself
  // contain '/', so look for the last '@' before any '?'.
  const size_t query = url.find('?', auth_start);
  const std::string_view head = url.substr(0, query);
  const size_t at = head.rfind('@');
  if (at == std::string_view::npos || at < auth_start) return std::string(url);
  const std::string_view userinfo = url.substr(auth_start, at - auth_start);
  const size_t colon = userinfo.find(':');
  std::string out(url.substr(0, auth_start));
  if (colon == std::string_view::npos) {
    out += userinfo;  // user only, no password
  } else {
    out += userinfo.substr(0, colon);
    out += ":***";
  }
  out += url.substr(at);
  return out;
}

}  // namespace

std::string Redact(std::string_view url) { return RedactQueryPassword(RedactUserinfo(url)); }

std::string RedactSecret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  size_t p = text.find(secret);
  while (p != std::string::npos) {
    text.replace(p, secret.size(), "***");
    p = text.find(secret, p + 3);
  }
  return text;
}

Status BadUrl(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad URL '" + Redact(text) + "': " + std::string(why));
}

Result<Url> ParseUrlOfScheme(std::string_view text, std::initializer_list<std::string_view> schemes,
                             std::string_view form) {
  auto url = ParseUrl(text);
  if (!url.ok()) return url.status();
  if (std::find(schemes.begin(), schemes.end(), url->scheme) == schemes.end()) {
    return BadUrl(text, "expected " + std::string(form));
  }
  return url;
}

Result<Url> ParseUrl(std::string_view text) {
  auto bad = [&](const std::string& why) { return BadUrl(text, why); };
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return bad("expected scheme://host:port");
  }
  url.scheme.assign(text.substr(0, scheme_end));
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    url.query.assign(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      url.user.assign(userinfo);
    } else {
      url.user.assign(userinfo.substr(0, colon));
      url.password.assign(userinfo.substr(colon + 1));
      url.has_password = true;
    }
    rest = rest.substr(at + 1);
  }
  const size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path.assign(rest.substr(slash + 1));
  if (!hostport.empty() && hostport.front() == '[') {  // [ipv6]:port
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unbalanced '[' in host");
    url.host.assign(hostport.substr(1, close - 1));
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') return bad("junk after ']'");
  } else {
    const size_t colon = hostport.rfind(':');
    url.host.assign(hostport.substr(0, colon));
    hostport = colon == std::string_view::npos ? std::string_view() : hostport.substr(colon);
  }
  if (!hostport.empty()) {
    const std::string_view port = hostport.substr(1);
    int value = 0;
    if (!ParseWhole(port, &value) || value <= 0 || value > 65535) {
      return bad("port must be a number between 1 and 65535");
    }
    url.port = value;
  }
  if (url.host.empty()) return bad("no host");
  for (char c : url.host) {
    if (c == ' ' || c == '@' || c == '/') return bad("invalid character in host");
  }
  return url;
}

}  // namespace racetrack::adapters

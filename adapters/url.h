// Server URLs: parsing and redaction.
//
//   redis://[[user]:password@]host[:port][/db]
//   postgresql://[user[:password]@]host[:port][/dbname][?key=value&...]   (also postgres://)
//
// Redact() is applied to every URL before it reaches output, logs, errors or results JSON: the
// password becomes "***". It never fails: text that does not parse is returned with anything
// between "://" and the last '@' replaced, so a malformed URL cannot leak a password either.
//
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace racetrack::adapters {

struct Url {
  std::string scheme;  // "redis", "postgresql"
  std::string user;
  std::string password;
  bool has_password = false;
  std::string host;
  int port = 0;        // 0 = the scheme's default
  std::string path;    // without the leading '/': redis db number, postgres dbname
  std::string query;   // without the leading '?'
};

// InvalidArgument with a one-line reason (redacted) when `text` is not a URL of that shape.
Result<Url> ParseUrl(std::string_view text);
// ParseUrl, and a URL whose scheme is not one of `schemes` is the error "bad URL '...': expected
// `form`" (the form the caller takes, e.g. "redis://[user:password@]host:port[/db]").
Result<Url> ParseUrlOfScheme(std::string_view text, std::initializer_list<std::string_view> schemes,
                             std::string_view form);

// The InvalidArgument "bad URL '<text, redacted>': <why>".
Status BadUrl(std::string_view text, std::string_view why);

std::string Redact(std::string_view url);

// Replaces every occurrence of `secret` (if non-empty) in `text` with "***".
std::string RedactSecret(std::string text, std::string_view secret);

}  // namespace racetrack::adapters

// snprintf with "C"-style format strings is locale-independent for the digits and separators used
// here (the C locale is in effect unless a program calls setlocale, which racetrack never does).

#include "results/format.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace racetrack::results {

namespace {

std::string Printf(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// Inserts ',' every three digits of the integer part of a plain decimal string.
std::string GroupThousands(std::string s) {
  size_t start = (s[0] == '-') ? 1 : 0;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  for (size_t i = end; i > start + 3; i -= 3) s.insert(i - 3, ",");
  return s;
}

}  // namespace

std::string FormatNumber(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  if (v == std::floor(v) && std::fabs(v) < 1e15) return Printf("%.0f", v);
  return Printf("%.6g", v);
}

std::string FormatHuman(double v) {
  if (!std::isfinite(v)) return FormatNumber(v);
  double a = std::fabs(v);
  if (a >= 1000 || (v == std::floor(v) && a < 1e15)) return GroupThousands(Printf("%.0f", v));
  if (a >= 100) return Printf("%.0f", v);
  if (a >= 10) return Printf("%.1f", v);
  if (a >= 1) return Printf("%.2f", v);
  if (a == 0) return "0";
  return Printf("%.3g", v);
}

std::string FormatHuman(const std::optional<double>& v, std::string_view missing) {
  return v ? FormatHuman(*v) : std::string(missing);
}

std::string FormatMicros(double us) {
  if (!std::isfinite(us)) return FormatNumber(us);
  double a = std::fabs(us);
  if (a >= 1e6) return Printf("%.3g", us / 1e6) + " s";
  if (a >= 1e3) return Printf("%.3g", us / 1e3) + " ms";
  return Printf("%.3g", us) + " µs";
}

std::string FormatRate(double v) {
  if (!std::isfinite(v)) return FormatNumber(v);
  if (v >= 1e6) return Printf("%.2f", v / 1e6) + "M";
  if (v >= 1e4) return Printf("%.1f", v / 1e3) + "k";
  // Below 100 a rounded integer would hide the figure (pipeline's 0.19 jobs/s is not "0").
  if (v < 100 && v != std::floor(v)) return Printf("%.3g", v);
  return Printf("%.0f", v);
}

std::string FormatPercent(double fraction) {
  return Printf("%+.1f", fraction * 100) + "%";
}

std::string Humanize(std::string_view name) {
  std::string out(name);
  std::string unit;
  for (const auto& [suffix, shown] : {std::pair{"_s", " (s)"}, {"_ms", " (ms)"}, {"_us", " (µs)"}}) {
    std::string_view sv(suffix);
    if (out.size() > sv.size() && out.compare(out.size() - sv.size(), sv.size(), sv) == 0) {
      out.resize(out.size() - sv.size());
      unit = shown;
      break;
    }
  }
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  return out + unit;
}

}  // namespace racetrack::results

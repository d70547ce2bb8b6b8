// Number and text formatting shared by every report writer, so HTML, Markdown and CSV agree on
// how a figure reads. All functions are pure and locale-independent (output is byte-stable, which
// the golden tests rely on).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace racetrack::reports {

// Machine form: integers without a decimal point, others with up to 6 significant digits
// ("1000", "0.012", "61728.5"). Used by CSV and in parameter labels.
std::string FormatNumber(double v);

// Human form with thousands separators and ~3 significant digits; integers stay integers:
// 61728 -> "61,728", 1234.5 -> "1,235", 12.34 -> "12.3", 10 -> "10", 0.0123 -> "0.0123".
std::string FormatHuman(double v);
std::string FormatHuman(const std::optional<double>& v, std::string_view missing = "–");

// Latency in microseconds with a readable unit: 0.85 -> "0.85 µs", 1250 -> "1.25 ms",
// 2.1e6 -> "2.10 s".
std::string FormatMicros(double us);

// Percentage change with sign: 0.123 -> "+12.3%", -0.3 -> "-30.0%".
std::string FormatPercent(double fraction);

// Escapes for embedding text.
std::string HtmlEscape(std::string_view s);
std::string MarkdownEscape(std::string_view s);  // table-cell safe: escapes | and newlines
std::string CsvField(std::string_view s);        // RFC 4180 quoting when needed

// "lost_updates" -> "lost updates", "load_s" -> "load (s)", "p99_us" -> "p99 (µs)".
std::string Humanize(std::string_view name);

}  // namespace racetrack::reports

// Numbers and units as every reader of results prints them (reports, `compare`, the `racetrack
// run` table, the GUI), so one figure reads the same everywhere. Pure and locale-independent
// (byte-stable output, which the golden tests rely on).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace racetrack::results {

// Machine form: integers without a decimal point, others with up to 6 significant digits
// ("1000", "0.012", "61728.5"). Used by CSV and in parameter labels.
std::string FormatNumber(double v);

// Human form with thousands separators and ~3 significant digits; integers stay integers:
// 61728 -> "61,728", 1234.5 -> "1,235", 12.34 -> "12.3", 10 -> "10", 0.0123 -> "0.0123".
std::string FormatHuman(double v);
std::string FormatHuman(const std::optional<double>& v, std::string_view missing = "–");

// Latency in microseconds with a readable unit, 3 significant digits: 0.85 -> "0.85 µs",
// 1250 -> "1.25 ms", 2.1e6 -> "2.1 s".
std::string FormatMicros(double us);

// Throughput, compact for a terminal column: 2571 -> "2571", 75210 -> "75.2k",
// 1.5e6 -> "1.50M", 0.1894 -> "0.189", 42.25 -> "42.2".
std::string FormatRate(double ops_per_s);

// Percentage change with sign: 0.123 -> "+12.3%", -0.3 -> "-30.0%".
std::string FormatPercent(double fraction);

// A figure's name for people: "lost_updates" -> "lost updates", "load_s" -> "load (s)",
// "p99_us" -> "p99 (µs)".
std::string Humanize(std::string_view name);

}  // namespace racetrack::results

// EnumName tables: the names of an enum's values written once, as {value, name} rows, serving both
// directions — the name a value prints as (NameOf) and the value a name parses to (ValueOf) — so a
// printer and its parser cannot drift apart, and a help text can list the same names (JoinNames).
//
//   constexpr EnumName<Mode> kModeNames[] = {{Mode::kOff, "off"}, {Mode::kStrict, "strict"}};
//   NameOf(kModeNames, Mode::kStrict)        -> "strict"
//   NameOf(kModeNames, Mode{7}, "unknown")   -> "unknown" (a value the table lacks)
//   ValueOf(kModeNames, "off")               -> Mode::kOff;  ValueOf(kModeNames, "Off") -> nullopt
//   JoinNames(kModeNames, ", ")              -> "off, strict"
//
// A table of bit flags ({kWrite, "write"}, {kFast, "fast"}, ...; E is then the flags' integer
// type) also names a set of them: SetBitNames(kFlagNames, kWrite | kFast) -> {"write", "fast"}, in
// the table's order — the order Redis prints such sets in is the order its rows are written.
//
// The lookups search the table in its order (a few rows: a linear search is as fast as any and lets
// the rows stand in the order a reader or a help text wants). Names match exactly; a caller that
// accepts any case lower-cases first. If two rows share a value, NameOf gives the first one's name.
//
// A switch over an enum had the compiler's -Wswitch to say a value was left out; a table does not.
// A table meant to name every value of a contiguous enum keeps part of that help with a
// static_assert beside it (a value added after `last` still needs `last` moved, as a count would):
//   static_assert(NamesEveryValue(kModeNames, Mode::kStrict));  // each of 0..kStrict has a row
// Otherwise a test walks the values and checks that each has a name.
//
// Thread-safety: pure constexpr functions over constant tables.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace racetrack {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value` in `table`, or `missing` when no row has that value.
template <typename E, size_t N>
constexpr std::string_view NameOf(const EnumName<E> (&table)[N], E value,
                                  std::string_view missing = {}) {
  for (const EnumName<E>& row : table) {
    if (row.value == value) return row.name;
  }
  return missing;
}

// The value named exactly `name` in `table`, or nullopt when no row has that name.
template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& row : table) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

// The table's names in its order with `separator` between them ("off, relaxed, strict"), for the
// "valid: ..." part of a parser's error text.
template <typename E, size_t N>
std::string JoinNames(const EnumName<E> (&table)[N], std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += separator;
    out += table[i].name;
  }
  return out;
}

// The names of the rows whose bit is set in `flags`, in the table's order.
template <typename E, size_t N>
std::vector<std::string_view> SetBitNames(const EnumName<E> (&table)[N], E flags) {
  std::vector<std::string_view> out;
  for (const EnumName<E>& row : table) {
    if ((flags & row.value) != 0) out.push_back(row.name);
  }
  return out;
}

// True when every value from 0 (or `first`) to `last` of an enum whose values are consecutive
// integers has a row in `table` — for a static_assert beside the table.
template <typename E, size_t N>
constexpr bool NamesEveryValue(const EnumName<E> (&table)[N], E last, E first = E{}) {
  using U = std::underlying_type_t<E>;
  for (U v = static_cast<U>(first); v <= static_cast<U>(last); ++v) {
    bool found = false;
    for (const EnumName<E>& row : table) found = found || row.value == static_cast<E>(v);
    if (!found) return false;
  }
  return true;
}

}  // namespace racetrack

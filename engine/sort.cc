// SORT and SORT_RO: the elements of a list, set or sorted set, sorted as numbers (the default) or
// as strings (ALPHA), by themselves or by the values of other keys (BY weight_*, BY h_*->field),
// optionally returning other keys' values instead (GET pattern, GET # for the element itself),
// with LIMIT offset count, and STORE destination (SORT only) to save the result as a list.
//
// The semantics are Redis 7.0's sort.c, reproduced where a client can see them:
//  - numbers are parsed with strtod over the whole value; one that does not parse (or is NaN or
//    out of range) fails the whole command with "One or more scores can't be converted into
//    double". Equal scores are ordered by the element's bytes, so the result is total.
//  - BY with a pattern without '*' means "do not sort": lists and sorted sets keep their order
//    (DESC reverses it), sets come in their own order, unless the result is STOREd (or the
//    caller is a script), when a set is sorted ALPHA so the outcome is deterministic.
//  - a BY key that is missing weighs 0 (numeric) or sorts first (ALPHA); a GET key that is
//    missing (or of another type, or a pattern without '*') gives a nil, stored as "".
//  - LIMIT is clamped to the element count exactly as Redis clamps it.
//
// Complexity: O(N + M log M) for N elements and M sorted ones, plus one lookup per BY/GET pattern
// and element.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/arg_util.h"
#include "engine/ds/hash.h"
#include "engine/ds/list.h"
#include "engine/ds/set.h"
#include "engine/ds/zset.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

// Redis's lookupKeyByPattern: the value the pattern names for `element`, or nullopt. "#" is the
// element itself; the first '*' is replaced by the element; "->field" after it reads a hash field.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  std::string_view key_part = pattern;
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_part = pattern.substr(0, arrow);
  }
  std::string key;
  key.reserve(key_part.size() + element.size());
  key.append(key_part.substr(0, star)).append(element).append(key_part.substr(star + 1));
  Value* v = ctx.db.Find(key);
  ++(v ? ctx.engine.stats().keyspace_hits : ctx.engine.stats().keyspace_misses);
  if (v == nullptr) return std::nullopt;
  if (!field.empty()) {
    if (v->type() != ObjType::kHash) return std::nullopt;
    const std::string* value = v->As<Hash>()->Get(field);
    if (value == nullptr) return std::nullopt;
    return *value;
  }
  if (v->type() != ObjType::kString) return std::nullopt;
  return std::string(v->str());
}

struct Item {
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared
};

// strtod over the whole value, as sort.c: false for trailing junk, NaN or out of range.
bool SortScore(const std::string& s, double* out) {
  errno = 0;
  char* end;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

void SortGeneric(CommandContext& ctx, bool read_only) {
  bool desc = false, alpha = false, dont_sort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::string_view by_pattern, store_key;
  bool have_by = false, have_store = false;
  std::vector<std::string_view> gets;
  const size_t argc = ctx.argv.size();
  for (size_t j = 2; j < argc; ++j) {
    size_t left = argc - j - 1;
    std::string_view opt = ctx.argv[j];
    if (ArgWord(opt, {{"asc", false}, {"desc", true}}, &desc) ||
        ArgFlag(opt, {{"alpha", &alpha}})) {
      continue;
    }
    if (ArgIs(opt, "limit") && left >= 2) {
      if (!ArgInt64(ctx, j + 1, &limit_start) || !ArgInt64(ctx, j + 2, &limit_count)) return;
      j += 2;
    } else if (!read_only && ArgIs(opt, "store") && left >= 1) {
      store_key = ctx.argv[++j];
      have_store = true;
    } else if (ArgIs(opt, "by") && left >= 1) {
      by_pattern = ctx.argv[++j];
      have_by = true;
      // A constant BY names the same key for every element: nothing to sort by.
      dont_sort = by_pattern.find('*') == std::string_view::npos;
    } else if (ArgIs(opt, "get") && left >= 1) {
      gets.push_back(ctx.argv[++j]);
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }

  Value* v = ctx.db.Find(ctx.argv[1]);
  ++(v ? ctx.engine.stats().keyspace_hits : ctx.engine.stats().keyspace_misses);
  ObjType type = v == nullptr ? ObjType::kList : v->type();
  if (type != ObjType::kList && type != ObjType::kSet && type != ObjType::kZSet) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  // Redis's sortCommand converts a sorted set to its skiplist encoding first, for good.
  if (type == ObjType::kZSet) v->As<ZSet>()->ConvertToSkiplist();
  if (dont_sort && type == ObjType::kSet && (have_store || ctx.client.is_script)) {
    dont_sort = false;  // a set's own order is not replicable: sort it as strings
    alpha = true;
    have_by = false;
  }

  int64_t count = 0;
  if (v != nullptr) {
    count = static_cast<int64_t>(type == ObjType::kList  ? v->As<List>()->size()
                                 : type == ObjType::kSet ? v->As<Set>()->size()
                                                         : v->As<ZSet>()->size());
  }
  // LIMIT, clamped as sort.c does (start/end are inclusive indexes into the sorted vector).
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), count);
  limit_count = std::min(std::max<int64_t>(limit_count, -1), count);
  int64_t end = limit_count < 0 ? count - 1 : start + limit_count - 1;
  if (start >= count) {
    start = count - 1;
    end = count - 2;
  }
  if (end >= count) end = count - 1;

  std::vector<Item> items;
  bool ordered_type = type == ObjType::kList || type == ObjType::kZSet;
  if (v != nullptr && dont_sort && ordered_type) {
    // Only the requested range, in the value's own order (reversed for DESC).
    if (end >= start) {
      // Copies: a list's iterator may hand out views of a buffer it reuses (packed nodes).
      std::vector<std::string> all;
      all.reserve(static_cast<size_t>(count));
      if (type == ObjType::kList) {
        for (const auto& e : v->As<List>()->items()) all.emplace_back(e);
      } else {
        v->As<ZSet>()->ForEach([&](std::string_view m, double) { all.emplace_back(m); });
      }
      if (desc) std::reverse(all.begin(), all.end());
      for (int64_t i = start; i <= end; ++i) items.push_back({std::move(all[static_cast<size_t>(i)])});
      end -= start;
      start = 0;
    }
  } else if (v != nullptr) {
    items.reserve(static_cast<size_t>(count));
    if (type == ObjType::kList) {
      for (const auto& e : v->As<List>()->items()) items.push_back({e});
    } else if (type == ObjType::kSet) {
      v->As<Set>()->ForEach([&](std::string_view m) { items.push_back({std::string(m)}); });
    } else {
      v->As<ZSet>()->ForEach([&](std::string_view m, double) { items.push_back({std::string(m)}); });
    }
  }

  bool conversion_error = false;
  if (!dont_sort) {
    for (Item& it : items) {
      std::optional<std::string> weight;
      if (have_by) {
        weight = LookupByPattern(ctx, by_pattern, it.element);
        if (!weight) continue;  // weighs 0 (numeric) or sorts first (ALPHA)
      }
      if (alpha) {
        if (have_by) it.by = std::move(weight);
      } else if (!SortScore(have_by ? *weight : it.element, &it.score)) {
        conversion_error = true;
      }
    }
    auto compare = [&](const Item& a, const Item& b) {
      int cmp;
      if (!alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : a.element.compare(b.element);
      } else if (have_by) {
        if (!a.by || !b.by) {
          cmp = a.by.has_value() == b.by.has_value() ? 0 : !a.by ? -1 : 1;
        } else {
          cmp = a.by->compare(*b.by);
        }
      } else {
        cmp = a.element.compare(b.element);
      }
      return desc ? cmp > 0 : cmp < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  if (conversion_error) {
    ctx.reply.Error(errors::kSortScoreNotDouble);
    return;
  }
  size_t rows = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  size_t output_len = gets.empty() ? rows : gets.size() * rows;
  if (!have_store) {
    ctx.reply.Array(output_len);
    for (size_t r = 0; r < rows; ++r) {
      const Item& it = items[static_cast<size_t>(start) + r];
      if (gets.empty()) ctx.reply.Bulk(it.element);
      for (std::string_view pattern : gets) {
        std::optional<std::string> value = LookupByPattern(ctx, pattern, it.element);
        if (value) {
          ctx.reply.Bulk(*value);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }
  auto result = std::make_unique<List>();
  for (size_t r = 0; r < rows; ++r) {
    const Item& it = items[static_cast<size_t>(start) + r];
    if (gets.empty()) result->PushBack(it.element);
    for (std::string_view pattern : gets) {
      result->PushBack(LookupByPattern(ctx, pattern, it.element).value_or(std::string()));
    }
  }
  if (output_len == 0) result.reset();
  StoreOrDelete(ctx, store_key, std::move(result), kNotifyList, "sortstore", output_len);
  ctx.reply.Integer(static_cast<int64_t>(output_len));
}

void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortFamily(CommandTable& table) {
  CommandRegistrar reg(table, "generic");
  reg.Add("sort", -2, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1}, CmdSort);
  reg.Add("sort_ro", -2, kCmdReadOnly | kCmdMovableKeys, {1, 1, 1}, CmdSortRo);
}

}  // namespace racetrack::engine

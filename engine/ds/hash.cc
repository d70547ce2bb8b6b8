#include "engine/ds/hash.h"

#include <iterator>
#include <new>

#include "engine/ds/limits.h"

namespace racetrack::engine {
namespace {

// Decoded listpack entries handed out by reference (the header's "Strings handed out").
thread_local std::string scratch_field;
thread_local std::string scratch_value;

const std::string& Decode(Listpack::Pos p, std::string* out) {
  char buf[Listpack::kIntBuf];
  out->assign(Listpack::Get(p).View(buf));
  return *out;
}

}  // namespace

Hash::~Hash() {
  if (encoding() == Enc::kHashtable) {
    delete table();
  } else {
    lp_.~Listpack();
  }
}

Hash::Hash(Hash&& o) noexcept {
  if (o.encoding() == Enc::kHashtable) {
    table_bits_ = o.table_bits_;
    o.table_bits_ = 0;
    new (&o.lp_) Listpack(Listpack::Null());  // o stays a valid (null) listpack hash
  } else {
    new (&lp_) Listpack(std::move(o.lp_));
  }
}

size_t Hash::size() const {
  return encoding() == Enc::kListpack ? lp_.size() / 2 : table()->map.size();
}

const std::string* Hash::Get(std::string_view field) const {
  if (encoding() == Enc::kListpack) {
    Listpack::Pos p = lp_.Find(lp_.First(), field, /*skip=*/1);
    if (p == nullptr) return nullptr;
    return &Decode(lp_.Next(p), &scratch_value);
  }
  const Map& map = table()->map;
  auto it = map.find(field);
  return it == map.end() ? nullptr : &it->second;
}

bool Hash::Set(std::string_view field, std::string_view value) {
  const EncodingLimits& limits = Limits();
  if (encoding() == Enc::kListpack &&
      (field.size() > limits.hash_max_listpack_value || value.size() > limits.hash_max_listpack_value)) {
    ConvertToHashtable();  // before adding, as Redis's hashTypeSet
  }
  if (encoding() == Enc::kListpack) {
    bool added;
    Listpack::Pos p = lp_.Find(lp_.First(), field, /*skip=*/1);
    if (p != nullptr) {
      lp_.Replace(lp_.Next(p), value);  // in place: the field keeps its position
      added = false;
    } else {
      lp_.Append(field);
      lp_.Append(value);
      added = true;
    }
    // Checked on every write, an overwrite included: after CONFIG SET lowers the limit, the next
    // write converts (Redis's hashTypeSet does the same).
    if (size() > limits.hash_max_listpack_entries) ConvertToHashtable();
    return added;
  }
  Table& t = *table();
  auto it = t.map.find(field);
  if (it != t.map.end()) {
    t.heap_bytes -= StringHeapBytes(it->second);
    it->second.assign(value);
    t.heap_bytes += StringHeapBytes(it->second);
    return false;
  }
  auto added = t.map.emplace(std::string(field), std::string(value)).first;
  t.heap_bytes += StringHeapBytes(added->first) + StringHeapBytes(added->second);
  return true;
}

bool Hash::Erase(std::string_view field) {
  if (encoding() == Enc::kListpack) {
    Listpack::Pos p = lp_.Find(lp_.First(), field, /*skip=*/1);
    if (p == nullptr) return false;
    lp_.Delete(p, 2);  // the field and its value; the rest keep their order
    return true;
  }
  Table& t = *table();
  auto it = t.map.find(field);
  if (it == t.map.end()) return false;
  t.heap_bytes -= StringHeapBytes(it->first) + StringHeapBytes(it->second);
  t.map.erase(it);
  return true;
}

void Hash::ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (encoding() == Enc::kListpack) {
    // Decode into locals, not the scratch: fn may call Get on this or another hash.
    std::string f, v;
    for (Listpack::Pos p = lp_.First(); p != nullptr; p = lp_.Next(lp_.Next(p))) {
      Decode(p, &f);
      Decode(lp_.Next(p), &v);
      fn(f, v);
    }
    return;
  }
  for (const auto& [f, v] : table()->map) fn(f, v);
}

uint64_t Hash::Scan(uint64_t cursor, size_t count,
                    const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (encoding() == Enc::kListpack) {
    ForEach(fn);
    return 0;
  }
  const Map& map = table()->map;
  size_t buckets = map.bucket_count();
  size_t visited = 0;
  while (cursor < buckets && visited < count) {
    for (auto it = map.begin(cursor); it != map.end(cursor); ++it) {
      fn(it->first, it->second);
      ++visited;
    }
    ++cursor;
  }
  return cursor >= buckets ? 0 : cursor;
}

std::pair<const std::string*, const std::string*> Hash::Random(std::mt19937_64& rng) const {
  if (encoding() == Enc::kListpack) {
    Listpack::Pos p = lp_.Seek(static_cast<int64_t>(rng() % size()) * 2);
    return {&Decode(p, &scratch_field), &Decode(lp_.Next(p), &scratch_value)};
  }
  const Map& map = table()->map;
  size_t buckets = map.bucket_count();
  // Uniform over the fields: a random bucket and slot 0..7, retried until the slot holds a field
  // (rejection sampling, as HashIndex::Random in dict.h; a chain longer than 8 shares the last
  // slot). Picking a non-empty bucket and then a position halves the chance of fields sharing a
  // bucket, which HRANDFIELD's chi-square test in Redis's suite sees.
  constexpr size_t kMaxFair = 8;
  while (true) {  // terminates: the table is not empty, so some slot holds a field
    size_t b = rng() % buckets;
    size_t n = map.bucket_size(b);
    size_t slot = rng() % kMaxFair;
    if (slot >= n) continue;
    if (slot == kMaxFair - 1 && n > kMaxFair) slot += rng() % (n - slot);
    auto it = map.begin(b);
    std::advance(it, static_cast<long>(slot));
    return {&it->first, &it->second};
  }
}

void Hash::ConvertToHashtable() {
  auto t = std::make_unique<Table>();
  t->map.reserve(size());
  std::string f, v;
  for (Listpack::Pos p = lp_.First(); p != nullptr; p = lp_.Next(lp_.Next(p))) {
    Decode(p, &f);
    Decode(lp_.Next(p), &v);
    auto it = t->map.emplace(f, v).first;
    t->heap_bytes += StringHeapBytes(it->first) + StringHeapBytes(it->second);
  }
  lp_.~Listpack();
  table_bits_ = reinterpret_cast<uintptr_t>(t.release()) | kTableBit;
}

size_t Hash::MemoryUsage() const {
  if (encoding() == Enc::kListpack) return lp_.AllocatedBytes();
  // libstdc++ node: next pointer + pair + cached hash code; plus one pointer per bucket.
  constexpr size_t kNode = sizeof(void*) + sizeof(Map::value_type) + sizeof(size_t);
  const Map& map = table()->map;
  return AllocSize(sizeof(Table)) + AllocSize(map.bucket_count() * sizeof(void*)) +
         map.size() * AllocSize(kNode) + table()->heap_bytes;
}

Hash Hash::Clone() const {
  Hash copy;
  if (encoding() == Enc::kListpack) {
    copy.lp_ = lp_.Copy();
    return copy;
  }
  auto t = std::make_unique<Table>();
  t->map = table()->map;
  // Recount: copies may have smaller capacities than the originals.
  for (const auto& [f, v] : t->map) t->heap_bytes += StringHeapBytes(f) + StringHeapBytes(v);
  copy.lp_.~Listpack();
  copy.table_bits_ = reinterpret_cast<uintptr_t>(t.release()) | kTableBit;
  return copy;
}

}  // namespace racetrack::engine

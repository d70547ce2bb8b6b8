#include "engine/ds/hash.h"

#include <iterator>

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

Hash::~Hash() = default;

size_t Hash::size() const { return table_ == nullptr ? lp_.size() / 2 : table_->map.size(); }

const std::string* Hash::Get(std::string_view field) const {
  if (table_ == nullptr) {
    Listpack::Pos p = lp_.Find(lp_.First(), field, /*skip=*/1);
    if (p == nullptr) return nullptr;
    return &Decode(lp_.Next(p), &scratch_value);
  }
  auto it = table_->map.find(field);
  return it == table_->map.end() ? nullptr : &it->second;
}

bool Hash::Set(std::string_view field, std::string_view value) {
  const EncodingLimits& limits = Limits();
  if (table_ == nullptr &&
      (field.size() > limits.hash_max_listpack_value || value.size() > limits.hash_max_listpack_value)) {
    ConvertToHashtable();  // before adding, as Redis's hashTypeSet
  }
  if (table_ == nullptr) {
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
  Table& t = *table_;
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
  if (table_ == nullptr) {
    Listpack::Pos p = lp_.Find(lp_.First(), field, /*skip=*/1);
    if (p == nullptr) return false;
    lp_.Delete(p, 2);  // the field and its value; the rest keep their order
    return true;
  }
  Table& t = *table_;
  auto it = t.map.find(field);
  if (it == t.map.end()) return false;
  t.heap_bytes -= StringHeapBytes(it->first) + StringHeapBytes(it->second);
  t.map.erase(it);
  return true;
}

void Hash::ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (table_ == nullptr) {
    // Decode into locals, not the scratch: fn may call Get on this or another hash.
    std::string f, v;
    for (Listpack::Pos p = lp_.First(); p != nullptr; p = lp_.Next(lp_.Next(p))) {
      Decode(p, &f);
      Decode(lp_.Next(p), &v);
      fn(f, v);
    }
    return;
  }
  for (const auto& [f, v] : table_->map) fn(f, v);
}

uint64_t Hash::Scan(uint64_t cursor, size_t count,
                    const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (table_ == nullptr) {
    ForEach(fn);
    return 0;
  }
  const Map& map = table_->map;
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
  if (table_ == nullptr) {
    Listpack::Pos p = lp_.Seek(static_cast<int64_t>(rng() % size()) * 2);
    return {&Decode(p, &scratch_field), &Decode(lp_.Next(p), &scratch_value)};
  }
  const Map& map = table_->map;
  size_t buckets = map.bucket_count();
  while (true) {  // terminates: the table is not empty, so some bucket is
    size_t b = rng() % buckets;
    size_t n = map.bucket_size(b);
    if (n == 0) continue;
    auto it = map.begin(b);
    std::advance(it, static_cast<long>(rng() % n));
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
  table_ = std::move(t);
  lp_ = Listpack::Null();
}

size_t Hash::MemoryUsage() const {
  size_t bytes = AllocSize(sizeof(Hash));
  if (table_ == nullptr) return bytes + lp_.AllocatedBytes();
  // libstdc++ node: next pointer + pair + cached hash code; plus one pointer per bucket.
  constexpr size_t kNode = sizeof(void*) + sizeof(Map::value_type) + sizeof(size_t);
  const Map& map = table_->map;
  return bytes + AllocSize(sizeof(Table)) + AllocSize(map.bucket_count() * sizeof(void*)) +
         map.size() * AllocSize(kNode) + table_->heap_bytes;
}

std::unique_ptr<Object> Hash::Clone() const {
  auto copy = std::make_unique<Hash>();
  if (table_ == nullptr) {
    copy->lp_ = lp_.Copy();
    return copy;
  }
  copy->table_ = std::make_unique<Table>();
  copy->table_->map = table_->map;
  // Recount: copies may have smaller capacities than the originals.
  for (const auto& [f, v] : copy->table_->map) {
    copy->table_->heap_bytes += StringHeapBytes(f) + StringHeapBytes(v);
  }
  copy->lp_ = Listpack::Null();
  return copy;
}

}  // namespace racetrack::engine

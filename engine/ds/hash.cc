#include "engine/ds/hash.h"

#include <algorithm>

namespace racetrack::engine {
namespace {

size_t HeapBytes(const std::string& s) { return StringHeapBytes(s); }

}  // namespace

const std::string* Hash::Get(std::string_view field) const {
  if (enc_ == Enc::kListpack) {
    for (const auto& [f, v] : pack_) {
      if (f == field) return &v;
    }
    return nullptr;
  }
  auto it = table_.find(field);
  return it == table_.end() ? nullptr : &it->second;
}

bool Hash::Set(std::string_view field, std::string_view value) {
  if (enc_ == Enc::kListpack &&
      (field.size() > kMaxListpackValue || value.size() > kMaxListpackValue)) {
    ConvertToHashtable();
  }
  if (enc_ == Enc::kListpack) {
    for (auto& [f, v] : pack_) {
      if (f == field) {
        heap_bytes_ -= HeapBytes(v);
        v.assign(value);
        heap_bytes_ += HeapBytes(v);  // overwrite in place: the field keeps its position, as in a listpack
        return false;
      }
    }
    auto& e = pack_.emplace_back(std::string(field), std::string(value));
    heap_bytes_ += HeapBytes(e.first) + HeapBytes(e.second);
    if (pack_.size() > kMaxListpackEntries) ConvertToHashtable();
    return true;
  }
  auto it = table_.find(field);
  if (it != table_.end()) {
    heap_bytes_ -= HeapBytes(it->second);
    it->second.assign(value);
    heap_bytes_ += HeapBytes(it->second);
    return false;
  }
  auto added = table_.emplace(std::string(field), std::string(value)).first;
  heap_bytes_ += HeapBytes(added->first) + HeapBytes(added->second);
  return true;
}

bool Hash::Erase(std::string_view field) {
  if (enc_ == Enc::kListpack) {
    auto it = std::find_if(pack_.begin(), pack_.end(),
                           [&](const auto& e) { return e.first == field; });
    if (it == pack_.end()) return false;
    heap_bytes_ -= HeapBytes(it->first) + HeapBytes(it->second);
    pack_.erase(it);  // keeps the remaining order
    return true;
  }
  auto it = table_.find(field);
  if (it == table_.end()) return false;
  heap_bytes_ -= HeapBytes(it->first) + HeapBytes(it->second);
  table_.erase(it);
  return true;
}

void Hash::ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (enc_ == Enc::kListpack) {
    for (const auto& [f, v] : pack_) fn(f, v);
  } else {
    for (const auto& [f, v] : table_) fn(f, v);
  }
}

uint64_t Hash::Scan(uint64_t cursor, size_t count,
                    const std::function<void(const std::string&, const std::string&)>& fn) const {
  if (enc_ == Enc::kListpack) {
    ForEach(fn);
    return 0;
  }
  size_t buckets = table_.bucket_count();
  size_t visited = 0;
  while (cursor < buckets && visited < count) {
    for (auto it = table_.begin(cursor); it != table_.end(cursor); ++it) {
      fn(it->first, it->second);
      ++visited;
    }
    ++cursor;
  }
  return cursor >= buckets ? 0 : cursor;
}

std::pair<const std::string*, const std::string*> Hash::Random(std::mt19937_64& rng) const {
  if (enc_ == Enc::kListpack) {
    const auto& e = pack_[rng() % pack_.size()];
    return {&e.first, &e.second};
  }
  size_t buckets = table_.bucket_count();
  while (true) {  // terminates: the table is not empty, so some bucket is
    size_t b = rng() % buckets;
    size_t n = table_.bucket_size(b);
    if (n == 0) continue;
    auto it = table_.begin(b);
    std::advance(it, static_cast<long>(rng() % n));
    return {&it->first, &it->second};
  }
}

void Hash::ConvertToHashtable() {
  table_.reserve(pack_.size() * 2);
  for (auto& [f, v] : pack_) table_.emplace(std::move(f), std::move(v));
  pack_.clear();
  pack_.shrink_to_fit();
  enc_ = Enc::kHashtable;
}

size_t Hash::MemoryUsage() const {
  size_t bytes = sizeof(Hash);
  if (enc_ == Enc::kListpack) {
    bytes += AllocSize(pack_.capacity() * sizeof(pack_[0]));
  } else {
    // libstdc++ node: next pointer + pair + cached hash code; plus one pointer per bucket.
    constexpr size_t kNode = sizeof(void*) + sizeof(Table::value_type) + sizeof(size_t);
    bytes += AllocSize(table_.bucket_count() * sizeof(void*)) + table_.size() * AllocSize(kNode);
  }
  return bytes + heap_bytes_;  // the strings' own buffers, kept current by Set / Erase
}

std::unique_ptr<Object> Hash::Clone() const {
  auto copy = std::make_unique<Hash>();
  copy->enc_ = enc_;
  copy->pack_ = pack_;
  copy->table_ = table_;
  copy->heap_bytes_ = 0;  // copies may have smaller capacities than the originals
  for (const auto& [f, v] : copy->pack_) copy->heap_bytes_ += HeapBytes(f) + HeapBytes(v);
  for (const auto& [f, v] : copy->table_) copy->heap_bytes_ += HeapBytes(f) + HeapBytes(v);
  return copy;
}

}  // namespace racetrack::engine

#include "engine/ds/set.h"

#include <algorithm>
#include <charconv>
#include <new>

namespace racetrack::engine {

Set::~Set() {
  table_.ForEach([](Member* m) { ::operator delete(static_cast<void*>(m)); });
}

// Same accounting as skiplist.cc: glibc chunk = request + 8, rounded up to 16, at least 32.
size_t Set::MemberBytes(size_t len) {
  size_t chunk = (sizeof(Member) + len + 8 + 15) & ~static_cast<size_t>(15);
  return chunk < 32 ? 32 : chunk;
}

size_t Set::MemoryUsage() const {
  return sizeof(Set) + ints_.capacity() * sizeof(int64_t) + table_.MemoryUsage() + member_bytes_;
}

std::unique_ptr<Object> Set::Clone() const {
  auto copy = std::make_unique<Set>(intset_);
  if (intset_) {
    copy->ints_ = ints_;
  } else {
    table_.ForEach([&copy](const Member* m) { copy->TableAdd(m->view()); });
  }
  return copy;
}

std::string_view Set::FormatIntTo(int64_t v, char* buf) {
  auto [p, ec] = std::to_chars(buf, buf + 24, v);
  return {buf, static_cast<size_t>(p - buf)};
}

void Set::TableAdd(std::string_view m) {
  void* mem = ::operator new(sizeof(Member) + m.size());
  Member* node = static_cast<Member*>(mem);
  node->next = nullptr;
  node->len = static_cast<uint32_t>(m.size());
  std::char_traits<char>::copy(reinterpret_cast<char*>(node + 1), m.data(), m.size());
  table_.Insert(node);
  member_bytes_ += MemberBytes(m.size());
}

void Set::ConvertToTable() {
  std::vector<int64_t> ints;
  ints.swap(ints_);
  intset_ = false;
  char buf[24];
  for (int64_t v : ints) TableAdd(FormatIntTo(v, buf));
}

bool Set::Add(std::string_view m) {
  if (intset_) {
    int64_t v;
    if (ParseInt64(m, &v)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
      if (it != ints_.end() && *it == v) return false;
      ints_.insert(it, v);
      if (ints_.size() > kMaxIntsetEntries) ConvertToTable();
      return true;
    }
    ConvertToTable();
  }
  if (table_.Find(m) != nullptr) return false;
  TableAdd(m);
  return true;
}

bool Set::Remove(std::string_view m) {
  if (intset_) {
    int64_t v;
    if (!ParseInt64(m, &v)) return false;
    auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
    if (it == ints_.end() || *it != v) return false;
    ints_.erase(it);
    return true;
  }
  Member* node = table_.Remove(m);
  if (node == nullptr) return false;
  member_bytes_ -= MemberBytes(node->len);
  ::operator delete(static_cast<void*>(node));
  return true;
}

bool Set::Contains(std::string_view m) const {
  if (intset_) {
    int64_t v;
    return ParseInt64(m, &v) && std::binary_search(ints_.begin(), ints_.end(), v);
  }
  return table_.Find(m) != nullptr;
}

}  // namespace racetrack::engine

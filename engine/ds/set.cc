#include "engine/ds/set.h"

#include <charconv>
#include <new>

#include "engine/ds/alloc.h"
#include "engine/ds/limits.h"

namespace racetrack::engine {

Set::Set(bool intset) {
  if (!intset) {
    ints_ = Intset::Null();
    table_ = std::make_unique<Table>();
  }
}

Set::~Set() {
  if (table_ != nullptr) {
    table_->index.ForEach([](Member* m) { ::operator delete(static_cast<void*>(m)); });
  }
}

// Same accounting as skiplist.cc: glibc chunk = request + 8, rounded up to 16, at least 32.
size_t Set::MemberBytes(size_t len) {
  size_t chunk = (sizeof(Member) + len + 8 + 15) & ~static_cast<size_t>(15);
  return chunk < 32 ? 32 : chunk;
}

size_t Set::MemoryUsage() const {
  size_t bytes = AllocSize(sizeof(Set)) + ints_.AllocatedBytes();
  if (table_ != nullptr) {
    bytes += AllocSize(sizeof(Table)) + table_->index.MemoryUsage() + table_->member_bytes;
  }
  return bytes;
}

std::unique_ptr<Object> Set::Clone() const {
  auto copy = std::make_unique<Set>(is_intset());
  if (is_intset()) {
    copy->ints_ = ints_.Copy();
  } else {
    table_->index.ForEach([&copy](const Member* m) { copy->TableAdd(m->view()); });
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
  table_->index.Insert(node);
  table_->member_bytes += MemberBytes(m.size());
}

void Set::ConvertToTable() {
  Intset ints = std::move(ints_);
  ints_ = Intset::Null();
  table_ = std::make_unique<Table>();
  char buf[24];
  for (size_t i = 0, n = ints.size(); i < n; ++i) TableAdd(FormatIntTo(ints.At(i), buf));
}

bool Set::Add(std::string_view m) {
  if (is_intset()) {
    int64_t v;
    if (ParseInt64(m, &v)) {
      if (!ints_.Add(v)) return false;
      if (ints_.size() > Limits().set_max_intset_entries) ConvertToTable();
      return true;
    }
    ConvertToTable();
  }
  if (table_->index.Find(m) != nullptr) return false;
  TableAdd(m);
  return true;
}

bool Set::Remove(std::string_view m) {
  if (is_intset()) {
    int64_t v;
    return ParseInt64(m, &v) && ints_.Remove(v);
  }
  Member* node = table_->index.Remove(m);
  if (node == nullptr) return false;
  table_->member_bytes -= MemberBytes(node->len);
  ::operator delete(static_cast<void*>(node));
  return true;
}

bool Set::Contains(std::string_view m) const {
  if (is_intset()) {
    int64_t v;
    return ParseInt64(m, &v) && ints_.Contains(v);
  }
  return table_->index.Find(m) != nullptr;
}

}  // namespace racetrack::engine

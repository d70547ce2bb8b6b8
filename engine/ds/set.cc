#include "engine/ds/set.h"

#include <charconv>
#include <new>

#include "engine/ds/alloc.h"
#include "engine/ds/limits.h"

namespace racetrack::engine {

Set::Set(bool intset) : ints_() {
  if (!intset) {
    ints_.~Intset();
    StartTable();
  }
}

Set::~Set() {
  if (is_intset()) {
    ints_.~Intset();
    return;
  }
  Table* t = table();
  t->index.ForEach([](Member* m) { ::operator delete(static_cast<void*>(m)); });
  delete t;
}

Set::Set(Set&& o) noexcept {
  if (o.is_intset()) {
    new (&ints_) Intset(std::move(o.ints_));
  } else {
    table_bits_ = o.table_bits_;
    new (&o.ints_) Intset(Intset::Null());  // o stays a valid (null) intset
  }
}

void Set::StartTable() {
  table_bits_ = reinterpret_cast<uintptr_t>(new Table()) | kTableBit;
}

// Same accounting as skiplist.cc: glibc chunk = request + 8, rounded up to 16, at least 32.
size_t Set::MemberBytes(size_t len) {
  size_t chunk = (sizeof(Member) + len + 8 + 15) & ~static_cast<size_t>(15);
  return chunk < 32 ? 32 : chunk;
}

size_t Set::MemoryUsage() const {
  if (is_intset()) return ints_.AllocatedBytes();
  const Table* t = table();
  return AllocSize(sizeof(Table)) + t->index.MemoryUsage() + t->member_bytes;
}

Set Set::Clone() const {
  Set copy(is_intset());
  if (is_intset()) {
    copy.ints_ = ints_.Copy();
  } else {
    table()->index.ForEach([&copy](const Member* m) { copy.TableAdd(m->view()); });
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
  table()->index.Insert(node);
  table()->member_bytes += MemberBytes(m.size());
}

void Set::ConvertToTable() {
  Intset ints = std::move(ints_);
  ints_.~Intset();
  StartTable();
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
  if (table()->index.Find(m) != nullptr) return false;
  TableAdd(m);
  return true;
}

bool Set::Remove(std::string_view m) {
  if (is_intset()) {
    int64_t v;
    return ParseInt64(m, &v) && ints_.Remove(v);
  }
  Member* node = table()->index.Remove(m);
  if (node == nullptr) return false;
  table()->member_bytes -= MemberBytes(node->len);
  ::operator delete(static_cast<void*>(node));
  return true;
}

bool Set::Contains(std::string_view m) const {
  if (is_intset()) {
    int64_t v;
    return ParseInt64(m, &v) && ints_.Contains(v);
  }
  return table()->index.Find(m) != nullptr;
}

}  // namespace racetrack::engine

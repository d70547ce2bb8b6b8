#include "engine/ds/keytable.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <new>

#include "engine/base/clock.h"

namespace racetrack::engine {

static_assert(KeyEntry::kKeyOffset == sizeof(KeyEntry) && sizeof(KeyEntry) == 32,
              "the key follows value, next_, expire_ms, flags and key_len8_ (keytable.h's drawing)");

size_t KeyEntry::AllocatedBytes() const {
  return malloc_usable_size(const_cast<KeyEntry*>(this));
}

uint64_t KeyTable::Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

uint64_t KeyTable::Reverse(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

size_t KeyTable::BucketBytes() const {
  size_t n = 0;
  for (const Table& t : tables_) {
    if (t.buckets != nullptr) n += malloc_usable_size(t.buckets);
  }
  return n;
}

KeyEntry* KeyTable::Find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  uint64_t h = Hash(key);
  for (int i = 0; i < 2; ++i) {
    const Table& t = tables_[i];
    if (t.size == 0) break;
    size_t idx = h & t.mask();
    // Buckets below rehash_idx_ are already empty (invariant 2): skip the load.
    if (i == 0 && rehashing() && idx < rehash_idx_) continue;
    for (Entry* e = t.buckets[idx]; e != nullptr; e = e->next_) {
      // Compare the length first (one byte for short keys), then the bytes.
      if (e->key() == key) return e;
    }
  }
  return nullptr;
}

void KeyTable::Link(Table& t, Entry* e, uint64_t hash, bool count_chain) {
  Entry*& head = t.buckets[hash & t.mask()];
  e->next_ = head;
  head = e;
  ++t.used;
  if (count_chain) {
    size_t len = ChainLength(e);
    if (len > chain_bound_) chain_bound_ = len;
  }
}

KeyEntry* KeyTable::Insert(std::string_view key, Value value) {
  Step();
  MaybeGrow();
  bool long_key = key.size() >= Entry::kLongKey;
  size_t bytes = Entry::kKeyOffset + (long_key ? sizeof(uint32_t) : 0) + key.size();
  void* block = std::malloc(bytes);
  if (block == nullptr) throw std::bad_alloc();
  Entry* e = new (block) Entry;
  e->value = std::move(value);
  char* p = static_cast<char*>(block) + Entry::kKeyOffset;
  if (long_key) {
    e->key_len8_ = Entry::kLongKey;
    uint32_t n = static_cast<uint32_t>(key.size());
    std::memcpy(p, &n, sizeof(n));
    p += sizeof(n);
  } else {
    e->key_len8_ = static_cast<uint8_t>(key.size());
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  Link(tables_[rehashing() ? 1 : 0], e, Hash(key), /*count_chain=*/true);
  ++size_;
  return e;
}

void KeyTable::FreeEntry(Entry* e) {
  e->~Entry();
  std::free(e);
}

void KeyTable::Erase(Entry* e) {
  uint64_t h = Hash(e->key());
  for (Table& t : tables_) {
    if (t.size == 0) continue;
    for (Entry** link = &t.buckets[h & t.mask()]; *link != nullptr; link = &(*link)->next_) {
      if (*link != e) continue;
      *link = e->next_;
      --t.used;
      --size_;
      FreeEntry(e);
      Step();
      MaybeShrink();
      return;
    }
  }
  RT_CHECK(false && "KeyTable::Erase: entry not in the table");
}

void KeyTable::Clear() {
  for (Table& t : tables_) {
    for (size_t i = 0; i < t.size; ++i) {
      for (Entry* e = t.buckets[i]; e != nullptr;) {
        Entry* next = e->next_;
        FreeEntry(e);
        e = next;
      }
    }
    std::free(t.buckets);
    t = Table();
  }
  rehash_idx_ = 0;
  size_ = 0;
  chain_bound_ = 1;
}

void KeyTable::StartResize(size_t n) {
  if (rehashing() || pause_ > 0) return;
  auto* buckets = static_cast<Entry**>(std::calloc(n, sizeof(Entry*)));
  if (buckets == nullptr) throw std::bad_alloc();
  if (tables_[0].size == 0) {  // the first table: nothing to move
    tables_[0] = Table{buckets, n, 0};
    return;
  }
  tables_[1] = Table{buckets, n, 0};
  rehash_idx_ = 0;
}

void KeyTable::MaybeGrow() {
  if (tables_[0].size == 0) {
    StartResize(4);
  } else if (!rehashing() && size_ >= tables_[0].size) {
    size_t n = tables_[0].size;
    while (n < size_ * 2) n *= 2;
    StartResize(n);
  }
}

void KeyTable::MaybeShrink() {
  // Redis's htNeedsResize: under 10% full (and not the minimum table).
  if (rehashing() || tables_[0].size <= 4 || size_ * 10 >= tables_[0].size) return;
  size_t n = 4;
  while (n < size_) n *= 2;
  StartResize(n);
}

void KeyTable::RehashStep(size_t n) {
  if (!rehashing()) return;
  Table& from = tables_[0];
  Table& to = tables_[1];
  bool shrinking = to.size < from.size;  // chains merge only when shrinking
  size_t empty_visits = n * 10;
  while (n-- > 0 && from.used > 0) {
    while (from.buckets[rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return;
    }
    for (Entry* e = from.buckets[rehash_idx_]; e != nullptr;) {
      Entry* next = e->next_;
      Link(to, e, Hash(e->key()), shrinking);
      --from.used;
      e = next;
    }
    from.buckets[rehash_idx_++] = nullptr;
  }
  FinishRehashIfDone();
}

void KeyTable::FinishRehashIfDone() {
  if (!rehashing() || tables_[0].used > 0) return;
  std::free(tables_[0].buckets);
  tables_[0] = tables_[1];
  tables_[1] = Table();
  rehash_idx_ = 0;
  MaybeShrink();  // entries may have gone during the move: shrink further (or start nothing)
}

void KeyTable::RehashFor(int64_t budget_us) {
  if (pause_ > 0) return;
  MaybeShrink();  // as Redis's tryResizeHashTables: a table emptied by deletions shrinks from cron
  int64_t start = MonotonicUs();
  while (rehashing()) {
    RehashStep(100);
    if (MonotonicUs() - start > budget_us) break;
  }
}

}  // namespace racetrack::engine

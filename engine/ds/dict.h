// HashIndex: an intrusive, chained hash table keyed by byte strings — the "dict" half of a set
// (set.h) and of a sorted set (zset.h).
//
// Why intrusive: the table stores only bucket heads; the chain link lives inside the caller's own
// node (a set member's blob, a skiplist node). A member→node map therefore costs one pointer in
// the node plus ~1–2 bucket pointers, instead of a separately allocated map node per member
// (std::unordered_map: ~48 bytes per entry). The table never allocates, copies or frees nodes.
//
// Algorithm: separate chaining over a power-of-two bucket array, as Redis's dict.c. The array
// doubles when it holds as many entries as buckets, and shrinks to the smallest power of two that
// fits when entries fall below 1/8 of the buckets. Unlike Redis, rehashing is done at once
// (Redis spreads it over later operations to bound latency; an O(N) pause on growth is accepted
// here, it amortizes to O(1)).
//
// Scan uses Redis's reverse-binary cursor (Pieter Noordhuis's dictScan): the cursor's bits are
// incremented from the high end, so a cursor walk visits every bucket once and, when the table is
// resized between calls, still returns every entry that was present for the whole walk (some may
// come twice).
//
// Complexity: Find, Insert, Remove O(1) expected (O(N) for the Insert/Remove that resizes);
// Random O(1) expected (load factor >= 1/8); Scan O(1) buckets per call.
// Memory: 8 bytes per bucket: 8–16 bytes per entry while growing, at most 64 after deletions.
//
// Invariants:
//  1. buckets_.size() is 0 or a power of two; mask_ == buckets_.size() - 1.
//  2. Each node is in exactly one chain: the one at Hash(Key(node)) & mask_.
//  3. size_ equals the number of chained nodes; keys are unique.
//
// Traits must provide: static std::string_view Key(const Node*); static Node*& Next(Node*).
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace racetrack::engine {

template <typename Node, typename Traits>
class HashIndex {
 public:
  static size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_.size(); }
  // Heap bytes of the bucket array.
  size_t MemoryUsage() const { return buckets_.capacity() * sizeof(Node*); }

  Node* Find(std::string_view key) const {
    if (size_ == 0) return nullptr;
    for (Node* n = buckets_[Hash(key) & mask_]; n != nullptr; n = Traits::Next(n)) {
      if (Traits::Key(n) == key) return n;
    }
    return nullptr;
  }

  // REQUIRES: no node with n's key is present.
  void Insert(Node* n) {
    if (size_ >= buckets_.size()) Resize(buckets_.empty() ? 4 : buckets_.size() * 2);
    Node*& head = buckets_[Hash(Traits::Key(n)) & mask_];
    Traits::Next(n) = head;
    head = n;
    ++size_;
  }

  // Unlinks and returns the node with key, or nullptr. The caller owns the node afterwards.
  Node* Remove(std::string_view key) {
    if (size_ == 0) return nullptr;
    Node** link = &buckets_[Hash(key) & mask_];
    while (*link != nullptr) {
      Node* n = *link;
      if (Traits::Key(n) == key) {
        *link = Traits::Next(n);
        Traits::Next(n) = nullptr;
        --size_;
        MaybeShrink();
        return n;
      }
      link = &Traits::Next(n);
    }
    return nullptr;
  }

  // Forgets every node (the caller frees them) and releases the bucket array.
  void Clear() {
    buckets_.clear();
    buckets_.shrink_to_fit();
    mask_ = 0;
    size_ = 0;
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (Node* head : buckets_) {
      for (Node* n = head; n != nullptr;) {
        Node* next = Traits::Next(n);  // f may not unlink, but read next first anyway
        f(n);
        n = next;
      }
    }
  }

  // A random entry, uniform over the entries: a random bucket and a random slot 0..kMaxFair-1
  // in it, retried until the slot holds an entry (rejection sampling), so an entry in a chain of
  // two is as likely as one alone — picking a non-empty bucket and then a position in its chain
  // (Redis's dictGetRandomKey) halves its chance, which SRANDMEMBER/HRANDFIELD's chi-square tests
  // in Redis's suite see. Entries past position kMaxFair of a chain (rare at load factor <= 1)
  // share the last slot's chance. Expected tries: kMaxFair * buckets / size, at most 64 at the
  // 1/8 load factor the table shrinks at. REQUIRES: size() > 0.
  template <typename Rng>
  Node* Random(Rng& rng) const {
    static constexpr size_t kMaxFair = 8;
    for (;;) {
      const uint64_t r = rng();
      const size_t slot = static_cast<size_t>((r >> 32) % kMaxFair);
      Node* n = buckets_[r & mask_];
      for (size_t i = 0; n != nullptr && i < slot; ++i) n = Traits::Next(n);
      if (n == nullptr) continue;  // an empty slot: draw again
      if (slot < kMaxFair - 1 || Traits::Next(n) == nullptr) return n;
      size_t tail = 0;  // the last slot of a long chain stands for its whole tail
      for (Node* m = n; m != nullptr; m = Traits::Next(m)) ++tail;
      for (size_t pick = rng() % tail; pick > 0; --pick) n = Traits::Next(n);
      return n;
    }
  }

  // Visits the bucket the cursor names, calls f(node) for each entry in it, and returns the next
  // cursor (0 when the walk is complete).
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    if (size_ == 0) return 0;
    uint64_t m = mask_;
    for (Node* n = buckets_[cursor & m]; n != nullptr; n = Traits::Next(n)) f(n);
    // Increment the bits above the mask, counting from the top (reverse binary).
    cursor |= ~m;
    cursor = ReverseBits(cursor);
    ++cursor;
    return ReverseBits(cursor);
  }

 private:
  static uint64_t ReverseBits(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i) {
      r = (r << 1) | (v & 1);
      v >>= 1;
    }
    return r;
  }

  void MaybeShrink() {
    if (buckets_.size() > 4 && size_ * 8 < buckets_.size()) {
      size_t n = 4;
      while (n < size_) n *= 2;
      Resize(n);
    }
  }

  void Resize(size_t n) {
    std::vector<Node*> fresh(n, nullptr);
    size_t mask = n - 1;
    for (Node* head : buckets_) {
      for (Node* node = head; node != nullptr;) {
        Node* next = Traits::Next(node);
        Node*& slot = fresh[Hash(Traits::Key(node)) & mask];
        Traits::Next(node) = slot;
        slot = node;
        node = next;
      }
    }
    buckets_.swap(fresh);
    mask_ = mask;
  }

  std::vector<Node*> buckets_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace racetrack::engine

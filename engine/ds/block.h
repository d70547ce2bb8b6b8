// Block: the one malloc'd byte array a packed encoding keeps all its data in (intset.h,
// listpack.h), owned alone. It knows nothing of the layout inside: it allocates, resizes, copies,
// hands itself over on a move and frees itself.
//
// A null block (default-constructed, or moved from) holds no array: an owner that switched to
// another encoding keeps one. Only AllocatedBytes(), assignment and destruction may be called on
// it.
//
// Thread-safety: none.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace racetrack::engine {

class Block {
 public:
  Block() = default;
  // An array of n bytes (uninitialised).
  explicit Block(size_t n) { Resize(n); }
  ~Block() { std::free(p_); }
  Block(Block&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Block& operator=(Block&& o) noexcept {
    if (this != &o) {
      std::free(p_);
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  uint8_t* get() const { return p_; }
  bool is_null() const { return p_ == nullptr; }

  // Reallocates to n bytes, keeping the first min(old, n); the array may move. Throws
  // std::bad_alloc (the block is then unchanged).
  void Resize(size_t n) {
    void* p = std::realloc(p_, n);
    if (p == nullptr) throw std::bad_alloc();
    p_ = static_cast<uint8_t*>(p);
  }
  // A new block holding this one's first n bytes.
  Block Copy(size_t n) const {
    Block c(n);
    std::memcpy(c.p_, p_, n);
    return c;
  }
  // The allocator's usable size for the array (0 for a null block).
  size_t AllocatedBytes() const { return p_ == nullptr ? 0 : malloc_usable_size(p_); }

 private:
  uint8_t* p_ = nullptr;
};

}  // namespace racetrack::engine

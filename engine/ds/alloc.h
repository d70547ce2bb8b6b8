// Allocator sizes: how many bytes the allocator really handed out for a block, which is what
// MEMORY USAGE, INFO memory's used_memory and maxmemory eviction count (engine/db.h sums them per
// key, so each Engine counts only its own data — two engines in one process do not see each
// other's memory, and the count works under any allocator, AddressSanitizer's included).
//
// Why not the process's malloc statistics (mallinfo2): they mix every engine, client buffer and
// test fixture in the process, and ASan's allocator does not report them at all.
//
// Two measurements:
//  - a block we hold a pointer to (a std::string's heap buffer): malloc_usable_size(p), the
//    allocator's own answer for that block;
//  - a block we cannot reach (a std::unordered_map node, a std::map node): AllocSize(n), the
//    usable size the allocator gives a request of n bytes, probed once per size and cached (glibc
//    rounds n + 8 up to 16 with a 24-byte minimum, so a 40-byte node costs 40, a 41-byte one 56).
// Neither counts the allocator's own per-block header (8 bytes in glibc), as Redis's used_memory
// (zmalloc_size) does not either.
//
// Thread-safety: AllocSize's cache is filled thread-safely (function-local static); the rest is pure.
#pragma once

#include <malloc.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <string>

namespace racetrack::engine {

// Usable bytes of the block malloc returns for a request of n bytes (0 for n == 0).
inline size_t AllocSize(size_t n) {
  if (n == 0) return 0;
  constexpr size_t kCached = 1024;
  static const std::array<size_t, kCached> kSizes = [] {
    std::array<size_t, kCached> sizes{};
    for (size_t i = 1; i < kCached; ++i) {
      void* p = std::malloc(i);
      sizes[i] = p == nullptr ? i : malloc_usable_size(p);
      std::free(p);
    }
    return sizes;
  }();
  if (n < kCached) return kSizes[n];
  return (n + 8 + 15) / 16 * 16 - 8;  // large requests: 16-byte granularity, as glibc
}

// Heap bytes a std::string owns beyond its own footprint: 0 while its text fits inline
// (libstdc++'s small-string buffer, 15 bytes), else its buffer's usable size.
inline size_t StringHeapBytes(const std::string& s) {
  if (s.capacity() <= 15) return 0;
  return malloc_usable_size(const_cast<char*>(s.data()));
}

}  // namespace racetrack::engine

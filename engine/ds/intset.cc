#include "engine/ds/intset.h"

#include <cstring>

#include "engine/ds/encoding.h"

namespace racetrack::engine {
namespace {

uint32_t Load32(const uint8_t* p) { return static_cast<uint32_t>(LoadLE(p, 4)); }
void Store32(uint8_t* p, uint32_t v) { StoreLE(p, 4, v); }

// The narrowest width (2, 4, 8 bytes) that holds v.
size_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t LoadValue(const uint8_t* p, size_t width) {
  uint64_t u = LoadLE(p, width);
  if (width == 8) return static_cast<int64_t>(u);
  uint64_t m = uint64_t{1} << (8 * width - 1);  // sign-extend
  return static_cast<int64_t>((u ^ m) - m);
}

void StoreValue(uint8_t* p, size_t width, int64_t v) { StoreLE(p, width, static_cast<uint64_t>(v)); }

}  // namespace

Intset::Intset() : is_(8) {
  Store32(is_.get(), 2);
  Store32(is_.get() + 4, 0);
}

Intset Intset::Copy() const { return Intset(is_.Copy(bytes())); }

size_t Intset::size() const { return Load32(is_.get() + 4); }
size_t Intset::width() const { return Load32(is_.get()); }

int64_t Intset::At(size_t i) const { return LoadValue(values() + i * width(), width()); }

void Intset::Put(size_t i, int64_t v) { StoreValue(values() + i * width(), width(), v); }

void Intset::Resize(size_t n) {
  is_.Resize(8 + n * width());
  Store32(is_.get() + 4, static_cast<uint32_t>(n));
}

size_t Intset::Search(int64_t v, bool* found) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int64_t m = At(mid);
    if (m == v) {
      *found = true;
      return mid;
    }
    if (m < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = false;
  return lo;
}

bool Intset::Contains(int64_t v) const {
  if (WidthFor(v) > width()) return false;  // wider than any stored value
  bool found;
  Search(v, &found);
  return found;
}

bool Intset::Add(int64_t v) {
  size_t n = size();
  size_t w = width();
  if (WidthFor(v) > w) {
    // Upgrade: widen every value, back to front so nothing is overwritten before it is read;
    // v is beyond every stored value (it did not fit their width), so it goes at one end.
    size_t nw = WidthFor(v);
    is_.Resize(8 + (n + 1) * nw);
    bool at_front = v < 0;
    size_t shift = at_front ? 1 : 0;
    for (size_t i = n; i-- > 0;) {
      StoreValue(values() + (i + shift) * nw, nw, LoadValue(values() + i * w, w));
    }
    Store32(is_.get(), static_cast<uint32_t>(nw));
    Store32(is_.get() + 4, static_cast<uint32_t>(n + 1));
    Put(at_front ? 0 : n, v);
    return true;
  }
  bool found;
  size_t i = Search(v, &found);
  if (found) return false;
  Resize(n + 1);
  std::memmove(values() + (i + 1) * w, values() + i * w, (n - i) * w);
  Put(i, v);
  return true;
}

bool Intset::Remove(int64_t v) {
  if (WidthFor(v) > width()) return false;
  bool found;
  size_t i = Search(v, &found);
  if (!found) return false;
  size_t n = size();
  size_t w = width();
  std::memmove(values() + i * w, values() + (i + 1) * w, (n - i - 1) * w);
  Resize(n - 1);
  return true;
}

bool Intset::CheckInvariants(std::string* why) const {
  auto fail = [why](const char* m) {
    if (why) *why = m;
    return false;
  };
  size_t w = width();
  if (w != 2 && w != 4 && w != 8) return fail("width is not 2, 4 or 8");
  if (AllocatedBytes() < bytes()) return fail("block smaller than 8 + width x length");
  for (size_t i = 1; i < size(); ++i) {
    if (At(i - 1) >= At(i)) return fail("values not strictly ascending");
  }
  return true;
}

}  // namespace racetrack::engine

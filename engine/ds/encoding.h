// Byte encodings shared by the snapshot format (snapshot.h) and stream serialization: LEB128
// varints, length-prefixed strings, fixed little-endian 64-bit words, and CRC-32 (IEEE 802.3,
// the zlib polynomial) for file checksums. A Reader never reads past its end; every Get returns
// false on truncated input, so a damaged file is reported, never crashes the loader.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace racetrack::engine {

// Unsigned little-endian integers of `width` bytes (1..8) at p: the headers and values of the
// packed encodings (listpack.h, intset.h).
inline uint64_t LoadLE(const uint8_t* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline void StoreLE(uint8_t* p, size_t width, uint64_t v) {
  for (size_t i = 0; i < width; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool GetVarint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool GetFixed64(uint64_t* v) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *v = r;
    return true;
  }
  bool GetString(std::string* s) {
    std::string_view v;
    if (!GetView(&v)) return false;
    s->assign(v);
    return true;
  }
  bool GetView(std::string_view* s) {
    uint64_t n;
    if (!GetVarint(&n) || n > in_.size() - pos_) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool GetByte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  size_t pos() const { return pos_; }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// CRC-32 (reflected, polynomial 0xEDB88320), continuing from crc (start with 0).
inline uint32_t Crc32(uint32_t crc, std::string_view data) {
  static const auto kTable = [] {
    struct T { uint32_t v[256]; } t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t.v[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (char ch : data) crc = kTable.v[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace racetrack::engine

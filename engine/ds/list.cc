#include "engine/ds/list.h"

#include <algorithm>

namespace racetrack::engine {

size_t List::MemoryUsage() const {
  // libstdc++'s deque: 512-byte blocks (16 strings) plus one map pointer per block.
  size_t blocks = items_.size() / 16 + 1;
  return sizeof(List) + blocks * (AllocSize(512) + sizeof(void*)) + heap_bytes_;
}

std::string List::PopFront() {
  std::string v = std::move(items_.front());
  items_.pop_front();
  heap_bytes_ -= StringHeapBytes(v);
  return v;
}

std::string List::PopBack() {
  std::string v = std::move(items_.back());
  items_.pop_back();
  heap_bytes_ -= StringHeapBytes(v);
  return v;
}

void List::Insert(size_t i, std::string_view v) {
  heap_bytes_ += StringHeapBytes(*items_.emplace(items_.begin() + static_cast<std::ptrdiff_t>(i), v));
}

void List::Trim(size_t start, size_t stop) {
  // Erase the tail first so the head erase does not shift it.
  for (size_t i = stop + 1; i < items_.size(); ++i) heap_bytes_ -= StringHeapBytes(items_[i]);
  for (size_t i = 0; i < start; ++i) heap_bytes_ -= StringHeapBytes(items_[i]);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(stop) + 1, items_.end());
  items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(start));
}

void List::Recount() {
  heap_bytes_ = 0;
  for (const std::string& s : items_) heap_bytes_ += StringHeapBytes(s);
}

size_t List::Remove(std::string_view v, int64_t count) {
  size_t removed = 0;
  if (count >= 0) {
    size_t limit = count == 0 ? items_.size() : static_cast<size_t>(count);
    auto out = items_.begin();
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (removed < limit && *it == v) {
        ++removed;
        continue;
      }
      if (out != it) *out = std::move(*it);
      ++out;
    }
    items_.erase(out, items_.end());
  } else {
    // From the tail: compact towards the end, then drop the freed head slots.
    size_t limit = static_cast<size_t>(-(count + 1)) + 1;
    auto out = items_.rbegin();
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      if (removed < limit && *it == v) {
        ++removed;
        continue;
      }
      if (out != it) *out = std::move(*it);
      ++out;
    }
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(removed));
  }
  if (removed > 0) Recount();
  return removed;
}

}  // namespace racetrack::engine

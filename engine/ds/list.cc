#include "engine/ds/list.h"

#include <algorithm>

namespace racetrack::engine {

size_t List::MemoryUsage() const {
  // libstdc++'s deque: 512-byte blocks (16 strings) plus one map pointer per block.
  size_t blocks = items_.size() / 16 + 1;
  size_t bytes = sizeof(List) + blocks * (512 + sizeof(void*));
  for (const std::string& s : items_) {
    if (s.capacity() > 15) bytes += s.capacity() + 1;
  }
  return bytes;
}

std::string List::PopFront() {
  std::string v = std::move(items_.front());
  items_.pop_front();
  return v;
}

std::string List::PopBack() {
  std::string v = std::move(items_.back());
  items_.pop_back();
  return v;
}

void List::Insert(size_t i, std::string_view v) {
  items_.emplace(items_.begin() + static_cast<std::ptrdiff_t>(i), v);
}

void List::Trim(size_t start, size_t stop) {
  // Erase the tail first so the head erase does not shift it.
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(stop) + 1, items_.end());
  items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(start));
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
  return removed;
}

}  // namespace racetrack::engine

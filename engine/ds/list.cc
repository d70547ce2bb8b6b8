#include "engine/ds/list.h"

#include <algorithm>

#include "engine/ds/alloc.h"
#include "engine/ds/limits.h"

namespace racetrack::engine {
namespace {

thread_local std::string scratch;  // At()'s decoded element (see the header)

std::string_view View(Listpack::Pos p, char* buf) { return Listpack::Get(p).View(buf); }

}  // namespace

bool List::WithinLimit(size_t bytes, size_t count) {
  // Redis 7.0's quicklistNodeExceedsLimit: a negative fill caps the node's bytes (4 KB << (-fill
  // - 1), at most 64 KB); a positive one caps its entries, with an 8 KB safety limit on bytes.
  static constexpr size_t kLevels[] = {4096, 8192, 16384, 32768, 65536};
  static constexpr size_t kSafetyLimit = 8192;
  int64_t fill = Limits().list_max_listpack_size;
  if (fill < 0) {
    size_t level = static_cast<size_t>(std::min<int64_t>(-fill, 5)) - 1;
    return bytes <= kLevels[level];
  }
  return bytes <= kSafetyLimit && count <= static_cast<size_t>(fill);
}

bool List::NodeAllows(const Listpack& node, size_t entry_bytes) {
  return WithinLimit(node.bytes() + entry_bytes, node.size() + 1);
}

void List::InsertNode(size_t k, Listpack node) {
  alloc_bytes_ += node.AllocatedBytes();
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(k), std::move(node));
}

void List::EraseNodes(size_t k, size_t n) {
  for (size_t i = k; i < k + n; ++i) alloc_bytes_ -= nodes_[i].AllocatedBytes();
  nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(k),
               nodes_.begin() + static_cast<std::ptrdiff_t>(k + n));
}

void List::PushFront(std::string_view v) {
  if (nodes_.empty() || !NodeAllows(nodes_.front(), Listpack::EntrySize(v))) {
    InsertNode(0, Listpack());
  }
  Edit(0, [&](Listpack& node) { node.Prepend(v); });
  ++count_;
}

void List::PushBack(std::string_view v) {
  if (nodes_.empty() || !NodeAllows(nodes_.back(), Listpack::EntrySize(v))) {
    InsertNode(nodes_.size(), Listpack());
  }
  Edit(nodes_.size() - 1, [&](Listpack& node) { node.Append(v); });
  ++count_;
}

std::string List::PopFront() {
  std::string v;
  Edit(0, [&](Listpack& node) {
    char buf[Listpack::kIntBuf];
    v.assign(View(node.First(), buf));
    node.Delete(node.First());
  });
  --count_;
  DropEmpty(0);
  return v;
}

std::string List::PopBack() {
  std::string v;
  Edit(nodes_.size() - 1, [&](Listpack& node) {
    char buf[Listpack::kIntBuf];
    v.assign(View(node.Last(), buf));
    node.Delete(node.Last());
  });
  --count_;
  DropEmpty(nodes_.size() - 1);
  return v;
}

void List::DropEmpty(size_t k) {
  if (nodes_[k].empty()) EraseNodes(k, 1);
}

size_t List::Locate(size_t i, size_t* offset) const {
  // From whichever end is nearer.
  if (i < count_ / 2) {
    for (size_t k = 0;; ++k) {
      size_t n = nodes_[k].size();
      if (i < n) {
        *offset = i;
        return k;
      }
      i -= n;
    }
  }
  size_t from_end = count_ - 1 - i;
  for (size_t k = nodes_.size(); k-- > 0;) {
    size_t n = nodes_[k].size();
    if (from_end < n) {
      *offset = n - 1 - from_end;
      return k;
    }
    from_end -= n;
  }
  return 0;  // unreachable when i < size()
}

const std::string& List::At(size_t i) const {
  size_t off;
  size_t k = Locate(i, &off);
  char buf[Listpack::kIntBuf];
  scratch.assign(View(nodes_[k].Seek(static_cast<int64_t>(off)), buf));
  return scratch;
}

void List::Set(size_t i, std::string_view v) {
  size_t off;
  size_t k = Locate(i, &off);
  Edit(k, [&](Listpack& node) { node.Replace(node.Seek(static_cast<int64_t>(off)), v); });
  MaybeSplit(k);
}

void List::Insert(size_t i, std::string_view v) {
  if (i == count_) {
    PushBack(v);
    return;
  }
  if (i == 0) {
    PushFront(v);
    return;
  }
  size_t off;
  size_t k = Locate(i, &off);
  Edit(k, [&](Listpack& node) { node.Insert(node.Seek(static_cast<int64_t>(off)), v); });
  ++count_;
  MaybeSplit(k);
}

void List::MaybeSplit(size_t k) {
  Listpack& node = nodes_[k];
  size_t n = node.size();
  if (n < 2) return;
  if (WithinLimit(node.bytes(), n)) return;
  char buf[Listpack::kIntBuf];
  // Move the second half into a new node after this one.
  Listpack tail;
  size_t keep = n / 2;
  for (Listpack::Pos p = node.Seek(static_cast<int64_t>(keep)); p != nullptr; p = node.Next(p)) {
    tail.Append(View(p, buf));
  }
  Edit(k, [&](Listpack& lp) { lp.Delete(lp.Seek(static_cast<int64_t>(keep)), n - keep); });
  InsertNode(k + 1, std::move(tail));
}

void List::Trim(size_t start, size_t stop) {
  // Drop [stop+1, end) then [0, start): whole nodes where possible, the rest inside the edge node.
  size_t drop_tail = count_ - 1 - stop;
  while (drop_tail > 0) {
    size_t n = nodes_.back().size();
    if (n <= drop_tail) {
      EraseNodes(nodes_.size() - 1, 1);
      count_ -= n;
      drop_tail -= n;
    } else {
      Edit(nodes_.size() - 1, [&](Listpack& node) {
        node.Delete(node.Seek(static_cast<int64_t>(n - drop_tail)), drop_tail);
      });
      count_ -= drop_tail;
      drop_tail = 0;
    }
  }
  size_t drop_head = start;
  size_t whole = 0;
  while (drop_head > 0 && nodes_[whole].size() <= drop_head) {
    drop_head -= nodes_[whole].size();
    count_ -= nodes_[whole].size();
    ++whole;
  }
  EraseNodes(0, whole);
  if (drop_head > 0) {
    Edit(0, [&](Listpack& node) { node.Delete(node.First(), drop_head); });
    count_ -= drop_head;
  }
}

size_t List::Remove(std::string_view v, int64_t count) {
  size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count > 0 ? count : -(count + 1) + 1);
  size_t removed = 0;
  if (count >= 0) {
    for (size_t k = 0; k < nodes_.size() && removed < limit;) {
      Edit(k, [&](Listpack& node) {
        Listpack::Pos p = node.Find(node.First(), v);
        while (p != nullptr && removed < limit) {
          p = node.Delete(p);
          ++removed;
          --count_;
          if (p != nullptr) p = node.Find(p, v);
        }
      });
      if (nodes_[k].empty()) {
        EraseNodes(k, 1);
      } else {
        ++k;
      }
    }
    return removed;
  }
  for (size_t k = nodes_.size(); k-- > 0 && removed < limit;) {
    Edit(k, [&](Listpack& node) {
      for (Listpack::Pos p = node.Last(); p != nullptr && removed < limit;) {
        Listpack::Pos prev = node.Prev(p);
        if (Listpack::Get(p).Equals(v)) {
          // Deleting p leaves the entries before it in place, so prev stays valid by offset.
          size_t prev_off = prev == nullptr ? 0 : static_cast<size_t>(prev - node.First());
          node.Delete(p);
          ++removed;
          --count_;
          if (prev == nullptr || node.empty()) break;
          prev = node.First() + prev_off;
        }
        p = prev;
      }
    });
    if (nodes_[k].empty()) EraseNodes(k, 1);
  }
  return removed;
}

std::unique_ptr<Object> List::Clone() const {
  auto copy = std::make_unique<List>();
  copy->nodes_.reserve(nodes_.size());
  for (const Listpack& node : nodes_) copy->InsertNode(copy->nodes_.size(), node.Copy());
  copy->count_ = count_;
  return copy;
}

size_t List::MemoryUsage() const {
  return AllocSize(sizeof(List)) + AllocSize(nodes_.capacity() * sizeof(Listpack)) + alloc_bytes_;
}

// --- Iterator ---

List::Iterator List::begin() const {
  if (nodes_.empty()) return end();
  return Iterator(this, 0, nodes_[0].First());
}

List::Iterator List::IteratorAt(size_t i) const {
  if (i >= count_) return end();
  size_t off;
  size_t k = Locate(i, &off);
  return Iterator(this, k, nodes_[k].Seek(static_cast<int64_t>(off)));
}

std::string List::Iterator::operator*() const { return std::string(view()); }

std::string_view List::Iterator::view() const { return View(pos_, buf_); }

List::Iterator& List::Iterator::operator++() {
  pos_ = list_->nodes_[node_].Next(pos_);
  if (pos_ == nullptr) {
    ++node_;
    if (node_ < list_->nodes_.size()) pos_ = list_->nodes_[node_].First();
  }
  return *this;
}

List::Iterator& List::Iterator::operator--() {
  if (pos_ != nullptr) pos_ = list_->nodes_[node_].Prev(pos_);
  while (pos_ == nullptr && node_ > 0) {
    --node_;
    pos_ = list_->nodes_[node_].Last();
  }
  return *this;
}

List::Iterator List::Iterator::operator+(std::ptrdiff_t n) const {
  Iterator it = *this;
  for (; n > 0; --n) ++it;
  for (; n < 0; ++n) --it;
  return it;
}

}  // namespace racetrack::engine

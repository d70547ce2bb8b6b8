#include "engine/ds/skiplist.h"

#include <new>

#include "engine/base/status.h"

namespace racetrack::engine {

SkipList::SkipList(uint64_t seed) : rng_state_(seed == 0 ? 1 : seed) {
  header_ = NewNode(kMaxLevel, 0, {});
  for (int i = 0; i < kMaxLevel; ++i) header_->levels()[i] = {nullptr, 0};
  header_->backward = nullptr;
}

SkipList::~SkipList() {
  Node* x = header_->levels()[0].forward;
  while (x != nullptr) {
    Node* next = x->levels()[0].forward;
    FreeNode(x);
    x = next;
  }
  FreeNode(header_);
}

size_t SkipList::NodeBytes(int height, size_t len) {
  return sizeof(Node) + static_cast<size_t>(height) * sizeof(Level) + len;
}

// glibc malloc hands out chunks of request + 8 bytes of header, rounded up to 16, at least 32:
// counting that instead of the request keeps MEMORY USAGE honest.
size_t SkipList::ChunkBytes(size_t request) {
  size_t chunk = (request + 8 + 15) & ~static_cast<size_t>(15);
  return chunk < 32 ? 32 : chunk;
}

SkipList::Node* SkipList::NewNode(int height, double score, std::string_view member) {
  size_t size = NodeBytes(height, member.size());
  void* mem = ::operator new(size);
  Node* n = static_cast<Node*>(mem);
  n->score = score;
  n->backward = nullptr;
  n->hnext = nullptr;
  n->len = static_cast<uint32_t>(member.size());
  n->height = static_cast<uint8_t>(height);
  if (!member.empty()) {
    std::char_traits<char>::copy(reinterpret_cast<char*>(n->levels() + height), member.data(),
                                 member.size());
  }
  bytes_ += ChunkBytes(size);
  return n;
}

void SkipList::FreeNode(Node* n) {
  bytes_ -= ChunkBytes(NodeBytes(n->height, n->len));
  ::operator delete(static_cast<void*>(n));
}

// xorshift64*: a fast, seedable generator; only the low 16 bits' distribution matters here.
int SkipList::RandomLevel() {
  int level = 1;
  while (level < kMaxLevel) {
    rng_state_ ^= rng_state_ >> 12;
    rng_state_ ^= rng_state_ << 25;
    rng_state_ ^= rng_state_ >> 27;
    uint64_t r = rng_state_ * 0x2545F4914F6CDD1DULL;
    if ((r >> 32 & 0xFFFF) >= 0xFFFF / 4) break;  // continue with probability 1/4
    ++level;
  }
  return level;
}

SkipList::Node* SkipList::Insert(double score, std::string_view member) {
  Node* x = NewNode(RandomLevel(), score, member);
  Link(x);
  return x;
}

void SkipList::Link(Node* x) {
  Node* update[kMaxLevel];
  uint64_t rank[kMaxLevel];
  Node* p = header_;
  std::string_view member = x->member();
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (p->levels()[i].forward && Less(p->levels()[i].forward, x->score, member)) {
      rank[i] += p->levels()[i].span;
      p = p->levels()[i].forward;
    }
    update[i] = p;
  }
  int height = x->height;
  if (height > level_) {
    for (int i = level_; i < height; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = length_;
    }
    level_ = height;
  }
  for (int i = 0; i < height; ++i) {
    Level& up = update[i]->levels()[i];
    x->levels()[i].forward = up.forward;
    up.forward = x;
    // x sits (rank[0] - rank[i]) + 1 steps after update[i].
    x->levels()[i].span = up.span - (rank[0] - rank[i]);
    up.span = (rank[0] - rank[i]) + 1;
  }
  for (int i = height; i < level_; ++i) ++update[i]->levels()[i].span;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

void SkipList::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    Level& up = update[i]->levels()[i];
    if (up.forward == x) {
      up.span += x->levels()[i].span - 1;
      up.forward = x->levels()[i].forward;
    } else {
      --up.span;
    }
  }
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void SkipList::FindPredecessors(double score, std::string_view member, Node** update) const {
  FindLastBefore([&](const Node* n) { return Less(n, score, member); }, update);
}

bool SkipList::Delete(double score, std::string_view member) {
  Node* update[kMaxLevel];
  FindPredecessors(score, member, update);
  Node* x = update[0]->levels()[0].forward;
  if (x == nullptr || x->score != score || x->member() != member) return false;
  Unlink(x, update);
  FreeNode(x);
  return true;
}

void SkipList::UpdateScore(Node* node, double new_score) {
  // Fast path (as Redis): the node stays between its neighbours, so only the score changes.
  Node* next = node->levels()[0].forward;
  if ((node->backward == nullptr || node->backward->score < new_score) &&
      (next == nullptr || next->score > new_score)) {
    node->score = new_score;
    return;
  }
  Node* update[kMaxLevel];
  FindPredecessors(node->score, node->member(), update);
  RT_CHECK(update[0]->levels()[0].forward == node);
  Unlink(node, update);
  node->score = new_score;
  Link(node);
}

uint64_t SkipList::GetRank(double score, std::string_view member) const {
  Node* x = header_;
  uint64_t rank = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward) {
      Node* f = x->levels()[i].forward;
      if (f->score < score || (f->score == score && f->member() <= member)) {
        rank += x->levels()[i].span;
        x = f;
      } else {
        break;
      }
    }
    if (x != header_ && x->score == score && x->member() == member) return rank;
  }
  return 0;
}

SkipList::Node* SkipList::ByRank(uint64_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  Node* x = header_;
  uint64_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span <= rank) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

bool SkipList::IsEmptyRange(const ScoreRange& r) {
  return r.min > r.max || (r.min == r.max && (r.min_exclusive || r.max_exclusive));
}

bool SkipList::LexGteMin(std::string_view v, const LexBound& min) {
  switch (min.kind) {
    case LexBound::Kind::kMinusInf: return true;
    case LexBound::Kind::kPlusInf: return false;
    case LexBound::Kind::kValue: break;
  }
  return min.exclusive ? v > min.value : v >= min.value;
}

bool SkipList::LexLteMax(std::string_view v, const LexBound& max) {
  switch (max.kind) {
    case LexBound::Kind::kMinusInf: return false;
    case LexBound::Kind::kPlusInf: return true;
    case LexBound::Kind::kValue: break;
  }
  return max.exclusive ? v < max.value : v <= max.value;
}

bool SkipList::IsEmptyLexRange(const LexRange& r) {
  using K = LexBound::Kind;
  if (r.min.kind == K::kPlusInf || r.max.kind == K::kMinusInf) return true;
  if (r.min.kind != K::kValue || r.max.kind != K::kValue) return false;
  int cmp = r.min.value.compare(r.max.value);
  return cmp > 0 || (cmp == 0 && (r.min.exclusive || r.max.exclusive));
}

SkipList::Node* SkipList::FirstInRange(const ScoreRange& r) const {
  if (IsEmptyRange(r) || tail_ == nullptr || !ValueGteMin(tail_->score, r)) return nullptr;
  Node* before = FindLastBefore([&r](const Node* n) { return !ValueGteMin(n->score, r); });
  Node* x = before->levels()[0].forward;  // not null: the tail is >= min
  return ValueLteMax(x->score, r) ? x : nullptr;
}

SkipList::Node* SkipList::LastInRange(const ScoreRange& r) const {
  Node* head = first();
  if (IsEmptyRange(r) || head == nullptr || !ValueLteMax(head->score, r)) return nullptr;
  Node* x = FindLastBefore([&r](const Node* n) { return ValueLteMax(n->score, r); });
  return ValueGteMin(x->score, r) ? x : nullptr;  // x is not the header: the head is <= max
}

SkipList::Node* SkipList::FirstInLexRange(const LexRange& r) const {
  if (IsEmptyLexRange(r) || tail_ == nullptr || !LexGteMin(tail_->member(), r.min)) return nullptr;
  Node* before = FindLastBefore([&r](const Node* n) { return !LexGteMin(n->member(), r.min); });
  Node* x = before->levels()[0].forward;  // not null: the tail is >= min
  return LexLteMax(x->member(), r.max) ? x : nullptr;
}

SkipList::Node* SkipList::LastInLexRange(const LexRange& r) const {
  Node* head = first();
  if (IsEmptyLexRange(r) || head == nullptr || !LexLteMax(head->member(), r.max)) return nullptr;
  Node* x = FindLastBefore([&r](const Node* n) { return LexLteMax(n->member(), r.max); });
  return LexGteMin(x->member(), r.min) ? x : nullptr;
}

bool SkipList::CheckInvariants(std::string* why) const {
  auto fail = [why](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  // Ranks by walking level 0 (invariants 1 and 4).
  std::size_t n = 0;
  const Node* prev = nullptr;
  int max_height = 1;
  for (const Node* x = first(); x != nullptr; x = x->levels()[0].forward) {
    ++n;
    if (x->backward != prev) return fail("backward link broken at rank " + std::to_string(n));
    if (prev && !Less(prev, x->score, x->member())) {
      return fail("order broken at rank " + std::to_string(n));
    }
    if (x->height > max_height) max_height = x->height;
    prev = x;
  }
  if (n != length_) return fail("length mismatch");
  if (tail_ != prev) return fail("tail mismatch");
  if (max_height != level_ && !(n == 0 && level_ == 1)) return fail("level mismatch");
  // Each level: spans equal rank differences; nodes appear on every level below their height.
  for (int i = 0; i < level_; ++i) {
    uint64_t rank = 0;  // rank of x on level 0
    const Node* x = header_;
    while (x->levels()[i].forward) {
      const Node* f = x->levels()[i].forward;
      if (f->height <= i) return fail("node on a level above its height");
      // Walk level 0 from x to f to measure the distance.
      uint64_t steps = 0;
      const Node* y = x;
      while (y != f) {
        y = y->levels()[0].forward;
        ++steps;
        if (y == nullptr) return fail("level " + std::to_string(i) + " skips past the end");
      }
      if (x->levels()[i].span != steps) {
        return fail("span mismatch on level " + std::to_string(i) + " at rank " +
                    std::to_string(rank));
      }
      rank += steps;
      x = f;
    }
  }
  // Every node of height h is reachable on each of its levels.
  for (int i = 0; i < level_; ++i) {
    size_t on_level = 0, tall = 0;
    for (const Node* x = header_->levels()[i].forward; x; x = x->levels()[i].forward) ++on_level;
    for (const Node* x = first(); x; x = x->levels()[0].forward) tall += x->height > i;
    if (on_level != tall) return fail("level " + std::to_string(i) + " misses nodes");
  }
  return true;
}

}  // namespace racetrack::engine

#include "engine/ds/zset.h"

#include <cmath>
#include <new>

#include "engine/ds/alloc.h"
#include "engine/ds/limits.h"

namespace racetrack::engine {
namespace {

// Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB (only reachable when CONFIG
// SET raised the limits a lot).
constexpr size_t kListpackMaxSafety = size_t{1} << 30;

using Node = SkipList::Node;
const Node* AsNode(const void* at) { return static_cast<const Node*>(at); }
ZListpack::Pos AsPos(const void* at) { return static_cast<ZListpack::Pos>(at); }

// Elements from first to last inclusive (both of one range, so first <= last), by their ranks.
size_t CountBetween(const SkipList& sl, const Node* first, const Node* last) {
  if (first == nullptr) return 0;
  return sl.GetRank(last->score, last->member()) - sl.GetRank(first->score, first->member()) + 1;
}

}  // namespace

// ---- Iter ----

std::string_view ZSet::Iter::member() const {
  if (lp_ == nullptr) return AsNode(at_)->member();
  return ZListpack::Member(AsPos(at_), buf_);
}

double ZSet::Iter::score() const {
  return lp_ == nullptr ? AsNode(at_)->score : lp_->Score(AsPos(at_));
}

void ZSet::Iter::Next() {
  at_ = lp_ == nullptr ? static_cast<const void*>(AsNode(at_)->next()) : lp_->Next(AsPos(at_));
}

void ZSet::Iter::Prev() {
  at_ = lp_ == nullptr ? static_cast<const void*>(AsNode(at_)->prev()) : lp_->Prev(AsPos(at_));
}

// ---- ZSet ----

ZSet::~ZSet() { Destroy(); }

void ZSet::Destroy() {
  if (packed()) {
    lp_.~ZListpack();
  } else {
    delete big();
  }
}

ZSet::ZSet(ZSet&& o) noexcept {
  if (o.packed()) {
    new (&lp_) ZListpack(std::move(o.lp_));
  } else {
    big_bits_ = o.big_bits_;
    new (&o.lp_) ZListpack(ZListpack::Null());  // o stays a valid (null) listpack
  }
}

ZSet& ZSet::operator=(ZSet&& o) noexcept {
  if (this != &o) {
    Destroy();
    new (this) ZSet(std::move(o));
  }
  return *this;
}

ZSet ZSet::NewSkiplist() {
  ZSet zs;
  zs.ConvertToSkiplist();
  return zs;
}

size_t ZSet::size() const { return packed() ? lp_.size() : big()->list.length(); }

size_t ZSet::MemoryUsage() const {
  if (packed()) return lp_.AllocatedBytes();
  const Big* b = big();
  return AllocSize(sizeof(Big)) + b->list.MemoryUsage() + AllocSize(b->index.MemoryUsage());
}

ZSet ZSet::Clone() const {
  ZSet copy;
  if (packed()) {
    copy.lp_ = lp_.Copy();
    return copy;
  }
  copy.ConvertToSkiplist();
  for (const Node* n = big()->list.first(); n != nullptr; n = n->next()) {
    copy.BigInsert(n->member(), n->score);
  }
  return copy;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  if (packed()) {
    ZListpack::Pos p = lp_.Find(member);
    if (p == nullptr) return std::nullopt;
    return lp_.Score(p);
  }
  const Node* n = big()->index.Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score;
}

int64_t ZSet::Rank(std::string_view member, bool reverse, double* score) const {
  uint64_t rank;  // 0-based from the lowest
  if (packed()) {
    ZListpack::Pos p = lp_.Find(member);
    if (p == nullptr) return -1;
    rank = lp_.RankOf(p);
    if (score != nullptr) *score = lp_.Score(p);
  } else {
    const Node* n = big()->index.Find(member);
    if (n == nullptr) return -1;
    rank = big()->list.GetRank(n->score, member) - 1;
    if (score != nullptr) *score = n->score;
  }
  return reverse ? static_cast<int64_t>(size() - 1 - rank) : static_cast<int64_t>(rank);
}

bool ZSet::OutgrowsListpack(std::string_view member) const {
  const EncodingLimits& limits = Limits();
  return lp_.size() + 1 > limits.zset_max_listpack_entries ||
         member.size() > limits.zset_max_listpack_value ||
         lp_.bytes() + member.size() > kListpackMaxSafety;
}

ZSet::AddResult ZSet::Add(std::string_view member, double score, int flags, double* new_score) {
  const bool nx = flags & kAddNx, xx = flags & kAddXx, gt = flags & kAddGt, lt = flags & kAddLt;
  // Redis's zsetAdd, for either encoding: find the member and its score first.
  ZListpack::Pos pos = nullptr;
  Node* node = nullptr;
  if (packed()) {
    pos = lp_.Find(member);
  } else {
    node = big()->index.Find(member);
  }
  if (pos != nullptr || node != nullptr) {
    if (nx) return AddResult::kNop;
    double cur = node != nullptr ? node->score : lp_.Score(pos);
    if (flags & kAddIncr) {
      score += cur;
      if (std::isnan(score)) return AddResult::kNaN;
    }
    if ((lt && score >= cur) || (gt && score <= cur)) return AddResult::kNop;
    *new_score = score;
    if (score == cur) return AddResult::kUnchanged;
    if (node != nullptr) {
      big()->list.UpdateScore(node, score);
    } else {  // remove and re-insert, as zzlDelete + zzlInsert (no conversion check here)
      lp_.Delete(pos);
      lp_.Insert(member, score);
    }
    return AddResult::kUpdated;
  }
  if (xx) return AddResult::kNop;
  Insert(member, score);
  *new_score = score;
  return AddResult::kAdded;
}

void ZSet::Insert(std::string_view member, double score) {
  if (packed()) {
    if (!OutgrowsListpack(member)) {
      lp_.Insert(member, score);
      return;
    }
    ConvertToSkiplist();  // before adding, as Redis
  }
  BigInsert(member, score);
}

void ZSet::BigInsert(std::string_view member, double score) {
  Node* n = big()->list.Insert(score, member);
  big()->index.Insert(n);
}

bool ZSet::Remove(std::string_view member) {
  if (packed()) {
    ZListpack::Pos p = lp_.Find(member);
    if (p == nullptr) return false;
    lp_.Delete(p);
    return true;
  }
  Node* n = big()->index.Remove(member);
  if (n == nullptr) return false;
  big()->list.Delete(n->score, n->member());
  return true;
}

// ---- positions ----

ZSet::Iter ZSet::First() const {
  return packed() ? At(lp_.First()) : At(big()->list.first());
}

ZSet::Iter ZSet::Last() const { return packed() ? At(lp_.Last()) : At(big()->list.tail()); }

ZSet::Iter ZSet::AtRank(uint64_t rank) const {
  if (packed()) return At(lp_.AtRank(rank));
  return At(big()->list.ByRank(rank + 1));  // ByRank is 1-based; nullptr past the end
}

ZSet::Iter ZSet::FirstInRange(const ScoreRange& r) const {
  return packed() ? At(lp_.FirstInRange(r)) : At(big()->list.FirstInRange(r));
}

ZSet::Iter ZSet::LastInRange(const ScoreRange& r) const {
  return packed() ? At(lp_.LastInRange(r)) : At(big()->list.LastInRange(r));
}

ZSet::Iter ZSet::FirstInLexRange(const LexRange& r) const {
  return packed() ? At(lp_.FirstInLexRange(r)) : At(big()->list.FirstInLexRange(r));
}

ZSet::Iter ZSet::LastInLexRange(const LexRange& r) const {
  return packed() ? At(lp_.LastInLexRange(r)) : At(big()->list.LastInLexRange(r));
}

size_t ZSet::CountInRange(const ScoreRange& r) const {
  if (packed()) {
    size_t n = 0;
    for (ZListpack::Pos p = lp_.FirstInRange(r); p != nullptr && SkipList::ValueLteMax(lp_.Score(p), r);
         p = lp_.Next(p)) {
      ++n;
    }
    return n;
  }
  return CountBetween(big()->list, big()->list.FirstInRange(r), big()->list.LastInRange(r));
}

size_t ZSet::CountInLexRange(const LexRange& r) const {
  if (packed()) {
    size_t n = 0;
    char buf[Listpack::kIntBuf];
    for (ZListpack::Pos p = lp_.FirstInLexRange(r);
         p != nullptr && SkipList::LexLteMax(ZListpack::Member(p, buf), r.max); p = lp_.Next(p)) {
      ++n;
    }
    return n;
  }
  return CountBetween(big()->list, big()->list.FirstInLexRange(r), big()->list.LastInLexRange(r));
}

// ---- removals by range ----

size_t ZSet::RemovePacked(ZListpack::Pos first, size_t n) {
  if (n > 0) lp_.Delete(first, n);
  return n;
}

size_t ZSet::RemoveRangeByScore(const ScoreRange& r) {
  if (packed()) return RemovePacked(lp_.FirstInRange(r), CountInRange(r));
  return big()->list.DeleteRangeByScore(r, [this](Node* n) { big()->index.Remove(n->member()); });
}

size_t ZSet::RemoveRangeByLex(const LexRange& r) {
  if (packed()) return RemovePacked(lp_.FirstInLexRange(r), CountInLexRange(r));
  return big()->list.DeleteRangeByLex(r, [this](Node* n) { big()->index.Remove(n->member()); });
}

size_t ZSet::RemoveRangeByRank(uint64_t start, uint64_t end) {
  if (packed()) return RemovePacked(lp_.AtRank(start), static_cast<size_t>(end - start + 1));
  return big()->list.DeleteRangeByRank(start + 1, end + 1,
                                      [this](Node* n) { big()->index.Remove(n->member()); });
}

// ---- encoding changes ----

void ZSet::ConvertToSkiplist() {
  if (!packed()) return;
  auto big = std::make_unique<Big>();
  char buf[Listpack::kIntBuf];
  for (ZListpack::Pos p = lp_.First(); p != nullptr; p = lp_.Next(p)) {
    Node* n = big->list.Insert(lp_.Score(p), ZListpack::Member(p, buf));
    big->index.Insert(n);
  }
  lp_.~ZListpack();
  big_bits_ = reinterpret_cast<uintptr_t>(big.release()) | kBigBit;
}

void ZSet::ConvertToListpackIfNeeded(size_t max_len) {
  const EncodingLimits& limits = Limits();
  if (packed() || size() > limits.zset_max_listpack_entries ||
      max_len > limits.zset_max_listpack_value) {
    return;
  }
  ZListpack lp;
  for (const Node* n = big()->list.first(); n != nullptr; n = n->next()) {
    lp.Append(n->member(), n->score);  // -0 is stored as the integer 0, as Redis
  }
  delete big();
  new (&lp_) ZListpack(std::move(lp));
}

bool ZSet::CheckInvariants(std::string* why) const {
  auto fail = [why](const char* m) {
    if (why) *why = m;
    return false;
  };
  if (packed()) {
    if (lp_.is_null()) return fail("listpack encoding without an array");
    return lp_.CheckInvariants(why);
  }
  const Big* b = big();
  if (!b->list.CheckInvariants(why)) return false;
  if (b->index.size() != b->list.length()) return fail("index and skiplist sizes differ");
  for (const Node* n = b->list.first(); n != nullptr; n = n->next()) {
    if (b->index.Find(n->member()) != n) return fail("index does not name the member's node");
  }
  return true;
}

}  // namespace racetrack::engine

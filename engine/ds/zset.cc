#include "engine/ds/zset.h"

#include "engine/ds/limits.h"

namespace racetrack::engine {

std::unique_ptr<Object> ZSet::Clone() const {
  auto copy = std::make_unique<ZSet>();
  copy->listpack_ = listpack_;
  for (const Node* n = list_.first(); n != nullptr; n = n->next()) copy->Insert(n->member(), n->score);
  return copy;
}

ZSet::Node* ZSet::Insert(std::string_view member, double score) {
  // Redis converts before adding when the listpack would exceed either limit.
  if (listpack_ && (list_.length() + 1 > Limits().zset_max_listpack_entries ||
                    member.size() > Limits().zset_max_listpack_value)) {
    listpack_ = false;
  }
  Node* n = list_.Insert(StoredScore(score), member);
  index_.Insert(n);
  return n;
}

void ZSet::ConvertToListpackIfNeeded(size_t max_len) {
  if (listpack_ || size() > Limits().zset_max_listpack_entries ||
      max_len > Limits().zset_max_listpack_value) return;
  listpack_ = true;
  for (Node* n = list_.first(); n != nullptr; n = n->next()) {
    if (n->score == 0) n->score = 0.0;  // -0 -> 0: equal scores, so the order is unchanged
  }
}

bool ZSet::Remove(std::string_view member) {
  Node* n = index_.Remove(member);
  if (n == nullptr) return false;
  bool deleted = list_.Delete(n->score, n->member());
  (void)deleted;
  return true;
}

int64_t ZSet::Rank(std::string_view member, bool reverse) const {
  const Node* n = index_.Find(member);
  if (n == nullptr) return -1;
  uint64_t rank = list_.GetRank(n->score, member);  // 1-based
  return reverse ? static_cast<int64_t>(list_.length() - rank)
                 : static_cast<int64_t>(rank) - 1;
}

size_t ZSet::RemoveRangeByScore(const ScoreRange& r) {
  return list_.DeleteRangeByScore(r, [this](Node* n) { index_.Remove(n->member()); });
}

size_t ZSet::RemoveRangeByLex(const LexRange& r) {
  return list_.DeleteRangeByLex(r, [this](Node* n) { index_.Remove(n->member()); });
}

size_t ZSet::RemoveRangeByRank(uint64_t start, uint64_t end) {
  return list_.DeleteRangeByRank(start + 1, end + 1,
                                 [this](Node* n) { index_.Remove(n->member()); });
}

}  // namespace racetrack::engine

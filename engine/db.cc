#include "engine/db.h"

#include <algorithm>

#include "engine/ds/alloc.h"

namespace racetrack::engine {

bool Db::ExpireIfNeeded(Entry* e) {
  if (!e->ExpiredAt(clock_->NowMs())) return false;
  std::string key(e->key());  // the listener outlives the entry
  EraseEntry(e);
  ++expired_keys_;
  ++dirty_;
  if (expire_listener_) expire_listener_(key);
  return true;
}

void Db::SetVolatile(Entry* e, bool on) {
  if (on) {
    volatile_.Insert(new VolatileNode{nullptr, e});
  } else {
    delete volatile_.Remove(e->key());
  }
}

void Db::EraseEntry(Entry* e) {
  size_t charged = KeyBytes(*e);
  if (e->flags & kTouched) {  // used_bytes_ still counts what it held when touched
    auto it = std::find_if(touched_.begin(), touched_.end(),
                           [e](const Touched& t) { return t.entry == e; });
    charged = it->charged;
    touched_.erase(it);
  }
  used_bytes_ -= charged;
  if (e->expire_ms >= 0) SetVolatile(e, false);
  table_.Erase(e);
}

Value* Db::Find(std::string_view key) {
  Entry* e = table_.Find(key);
  if (e == nullptr || ExpireIfNeeded(e)) return nullptr;
  Touch(e);  // the caller may change the value in place
  return &e->value;
}

Result<Value*> Db::FindTyped(std::string_view key, ObjType t) {
  Value* v = Find(key);
  if (v != nullptr && v->type() != t) return Status::WrongType("wrong type");
  return v;
}

Value& Db::Set(std::string_view key, Value value, bool keep_ttl) {
  ++dirty_;
  Entry* e = table_.Find(key);
  if (e == nullptr) {
    e = table_.Insert(key, std::move(value));
    Touch(e, /*is_new=*/true);
    if (new_key_listener_) new_key_listener_(key);
    return e->value;
  }
  Touch(e);
  uint32_t clock = e->value.access_clock;  // the key's LRU/LFU history stays (Redis's dbSetValue)
  e->value = std::move(value);
  e->value.access_clock = clock;
  if (!keep_ttl && e->expire_ms >= 0) {
    SetVolatile(e, false);
    e->expire_ms = -1;
  }
  return e->value;
}

Value& Db::Add(std::string_view key, Value value) {
  ++dirty_;
  RT_CHECK(table_.Find(key) == nullptr);
  Entry* e = table_.Insert(key, std::move(value));
  Touch(e, /*is_new=*/true);
  if (new_key_listener_) new_key_listener_(key);
  return e->value;
}

bool Db::Erase(std::string_view key) {
  Entry* e = table_.Find(key);
  if (e == nullptr || ExpireIfNeeded(e)) return false;
  EraseEntry(e);
  ++dirty_;
  return true;
}

void Db::Erase(Entry* e) {
  EraseEntry(e);
  ++dirty_;
}

int64_t Db::GetExpire(std::string_view key) const {
  const Entry* e = table_.Find(key);
  RT_CHECK(e != nullptr);
  return ExpireOf(*e);
}

int64_t Db::ExpireOf(const Entry& e) const {
  if (e.expire_ms != Entry::kFarExpire) return e.expire_ms;
  return volatile_.Find(e.key())->far_ms;
}

void Db::StoreExpire(Entry* e, int64_t when_ms) {
  if (when_ms < 0) when_ms = 0;  // any past deadline: the caller deletes the key at once
  if (when_ms >= Entry::kFarExpire) {
    volatile_.Find(e->key())->far_ms = when_ms;
    when_ms = Entry::kFarExpire;
  }
  e->expire_ms = when_ms;
}

void Db::SetExpire(std::string_view key, int64_t when_ms) {
  Entry* e = table_.Find(key);
  RT_CHECK(e != nullptr);
  ++dirty_;
  Touch(e);  // its TTL index node is charged to it
  if (e->expire_ms < 0) SetVolatile(e, true);
  StoreExpire(e, when_ms);
  ExpireIfNeeded(e);
}

bool Db::Persist(std::string_view key) {
  Entry* e = table_.Find(key);
  if (e == nullptr || e->expire_ms < 0) return false;
  Touch(e);
  SetVolatile(e, false);
  e->expire_ms = -1;
  ++dirty_;
  return true;
}

void Db::Clear() {
  dirty_ += table_.size();
  volatile_.ForEach([](VolatileNode* n) { delete n; });
  volatile_.Clear();
  table_.Clear();  // frees the bucket arrays too, as Redis's FLUSHALL
  touched_.clear();
  used_bytes_ = 0;
}

size_t Db::KeyBytes(const Entry& e) {
  size_t bytes = e.AllocatedBytes() + e.value.MemoryUsage() - sizeof(Value);
  if (e.expire_ms >= 0) bytes += AllocSize(sizeof(VolatileNode));
  return bytes;
}

void Db::SettleTouched() {
  for (const Touched& t : touched_) {
    used_bytes_ += KeyBytes(*t.entry) - t.charged;  // unsigned wrap-around cancels out
    t.entry->flags &= static_cast<uint8_t>(~kTouched);
  }
  touched_.clear();
}

size_t Db::MemoryBytes() {
  Settle();
  return used_bytes_ + table_.BucketBytes() + volatile_.MemoryUsage();
}

size_t Db::RecountBytes() const {
  size_t bytes = table_.BucketBytes() + volatile_.MemoryUsage();
  ForEach([&](std::string_view, const Entry& e) { bytes += KeyBytes(e); });
  return bytes;
}

size_t Db::ActiveExpireCycle(int64_t time_budget_us) {
  // Redis's numbers: sample 20 keys with a TTL; if more than 25% were expired, the keyspace
  // probably holds many more, so go again — until the sample is mostly live or time runs out.
  constexpr size_t kSample = 20;
  size_t deleted = 0;
  int64_t start = MonotonicUs();
  std::vector<Entry*> expired;
  while (volatile_.size() > 0) {
    int64_t now = clock_->NowMs();
    expired.clear();
    size_t sampled = std::min(kSample, volatile_.size());
    for (size_t i = 0; i < sampled; ++i) {
      Entry* e = volatile_.Random(rng_)->entry;
      if (e->ExpiredAt(now) && std::find(expired.begin(), expired.end(), e) == expired.end()) {
        expired.push_back(e);
      }
    }
    for (Entry* e : expired) deleted += ExpireIfNeeded(e) ? 1 : 0;
    table_.RehashStep();
    if (expired.size() * 4 <= sampled) break;
    if (MonotonicUs() - start > time_budget_us) break;
  }
  return deleted;
}

uint64_t Db::Scan(uint64_t cursor, size_t count,
                  const std::function<void(std::string_view key, const Entry&)>& fn) {
  int64_t now = clock_->NowMs();
  size_t visited = 0;
  // As Redis's scanGenericCommand: whole buckets (a bucket is never split), until about count keys
  // were seen or 10 * count buckets were visited (a sparse table answers with fewer keys).
  size_t max_buckets = count * 10;
  do {
    cursor = table_.Scan(cursor, [&](const Entry* e) {
      ++visited;
      if (e->ExpiredAt(now)) return;
      fn(e->key(), *e);
    });
  } while (cursor != 0 && visited < count && --max_buckets > 0);
  return cursor;
}

Db::Entry* Db::RandomEntry() { return table_.Random(rng_); }

Db::Entry* Db::RandomVolatileEntry() {
  if (volatile_.size() == 0) return nullptr;
  return volatile_.Random(rng_)->entry;
}

bool Db::RandomKey(std::string* out) {
  // As Redis's dbRandomKey: an expired key that comes up is deleted and another is drawn (each
  // miss deletes a key, so this ends).
  for (;;) {
    Entry* e = table_.Random(rng_);
    if (e == nullptr) return false;
    if (!ExpireIfNeeded(e)) {
      *out = e->key();
      return true;
    }
  }
}

}  // namespace racetrack::engine

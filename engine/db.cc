#include "engine/db.h"

#include "engine/ds/alloc.h"

namespace racetrack::engine {

bool Db::ExpireIfNeeded(Dict::iterator it) {
  int64_t when = it->second.expire_ms;
  if (when < 0 || when > clock_->NowMs()) return false;
  std::string key = it->first;  // the listener may outlive the node
  EraseIt(it);
  ++expired_keys_;
  ++dirty_;
  if (expire_listener_) expire_listener_(key);
  return true;
}

void Db::EraseIt(Dict::iterator it) {
  used_bytes_ -= it->second.charged;
  if (!touched_.empty()) std::erase(touched_, &*it);
  if (it->second.expire_ms >= 0) volatile_.erase(std::string_view(it->first));
  dict_.erase(it);
}

Value* Db::Find(std::string_view key) {
  auto it = dict_.find(key);
  if (it == dict_.end() || ExpireIfNeeded(it)) return nullptr;
  Touch(it);  // the caller may change the value in place
  return &it->second.value;
}

const Db::Entry* Db::Peek(std::string_view key) const {
  auto it = dict_.find(key);
  return it == dict_.end() ? nullptr : &it->second;
}

Result<Value*> Db::FindTyped(std::string_view key, ObjType t) {
  Value* v = Find(key);
  if (v != nullptr && v->type() != t) return Status::WrongType("wrong type");
  return v;
}

Value& Db::Set(std::string_view key, Value value, bool keep_ttl) {
  ++dirty_;
  auto it = dict_.find(key);
  if (it == dict_.end()) {
    it = dict_.emplace(std::string(key), Entry{std::move(value), -1}).first;
    Touch(it);
    return it->second.value;
  }
  Touch(it);
  it->second.value = std::move(value);
  if (!keep_ttl && it->second.expire_ms >= 0) {
    volatile_.erase(std::string_view(it->first));
    it->second.expire_ms = -1;
  }
  return it->second.value;
}

Value& Db::Add(std::string_view key, Value value) {
  ++dirty_;
  auto [it, inserted] = dict_.emplace(std::string(key), Entry{std::move(value), -1});
  RT_CHECK(inserted);
  Touch(it);
  return it->second.value;
}

bool Db::Erase(std::string_view key) {
  auto it = dict_.find(key);
  if (it == dict_.end() || ExpireIfNeeded(it)) return false;
  EraseIt(it);
  ++dirty_;
  return true;
}

int64_t Db::GetExpire(std::string_view key) const {
  auto it = dict_.find(key);
  RT_CHECK(it != dict_.end());
  return it->second.expire_ms;
}

void Db::SetExpire(std::string_view key, int64_t when_ms) {
  auto it = dict_.find(key);
  RT_CHECK(it != dict_.end());
  ++dirty_;
  if (it->second.expire_ms < 0) volatile_.insert(std::string_view(it->first));
  it->second.expire_ms = when_ms;
  if (!ExpireIfNeeded(it)) Touch(it);  // its TTL index entry is charged to it
}

bool Db::Persist(std::string_view key) {
  auto it = dict_.find(key);
  if (it == dict_.end() || it->second.expire_ms < 0) return false;
  volatile_.erase(std::string_view(it->first));
  it->second.expire_ms = -1;
  Touch(it);
  ++dirty_;
  return true;
}

void Db::Clear() {
  dirty_ += dict_.size();
  // Fresh tables rather than clear(): clear() keeps the bucket arrays, Redis's FLUSHALL frees them.
  volatile_ = decltype(volatile_)();
  dict_ = Dict();
  touched_.clear();
  used_bytes_ = 0;
}

size_t Db::KeyBytes(const std::string& key, const Entry& e) {
  // libstdc++'s unordered_map node: next pointer, the (key, Entry) pair, the cached hash code.
  constexpr size_t kNode = sizeof(void*) + sizeof(Dict::value_type) + sizeof(size_t);
  // The TTL index (volatile_) node: next pointer, a string_view, the cached hash code.
  constexpr size_t kVolatileNode = sizeof(void*) + sizeof(std::string_view) + sizeof(size_t);
  size_t bytes = AllocSize(kNode) + StringHeapBytes(key) + e.value.MemoryUsage() - sizeof(Value);
  if (e.expire_ms >= 0) bytes += AllocSize(kVolatileNode);
  return bytes;
}

void Db::Settle() {
  for (Dict::value_type* kv : touched_) {
    size_t now = KeyBytes(kv->first, kv->second);
    used_bytes_ += now - kv->second.charged;  // unsigned wrap-around cancels out
    kv->second.charged = now;
  }
  touched_.clear();
}

size_t Db::MemoryBytes() {
  Settle();
  size_t tables = 0;  // bucket arrays; a one-bucket table uses an inline bucket, no allocation
  if (dict_.bucket_count() > 1) tables += AllocSize(dict_.bucket_count() * sizeof(void*));
  if (volatile_.bucket_count() > 1) tables += AllocSize(volatile_.bucket_count() * sizeof(void*));
  return used_bytes_ + tables;
}

size_t Db::ActiveExpireCycle(int64_t time_budget_us) {
  // Redis's numbers: sample 20 keys with a TTL; if more than 25% were expired, the keyspace
  // probably holds many more, so go again — until the sample is mostly live or time runs out.
  constexpr size_t kSample = 20;
  size_t deleted = 0;
  int64_t start = MonotonicUs();
  int64_t now = clock_->NowMs();
  std::vector<std::string> expired;  // copies: erasing a node kills its views
  while (!volatile_.empty()) {
    expired.clear();
    size_t sampled = 0;
    size_t buckets = volatile_.bucket_count();
    for (size_t tries = 0; sampled < kSample && tries < kSample * 4; ++tries) {
      size_t b = rng_() % buckets;
      for (auto it = volatile_.begin(b); it != volatile_.end(b) && sampled < kSample; ++it) {
        ++sampled;
        auto d = dict_.find(*it);
        if (d != dict_.end() && d->second.expire_ms <= now) expired.emplace_back(*it);
      }
    }
    for (const std::string& k : expired) {
      auto d = dict_.find(k);
      if (d != dict_.end()) deleted += ExpireIfNeeded(d) ? 1 : 0;
    }
    if (sampled == 0 || expired.size() * 4 <= sampled) break;
    if (MonotonicUs() - start > time_budget_us) break;
  }
  return deleted;
}

uint64_t Db::Scan(uint64_t cursor, size_t count,
                  const std::function<void(const std::string&, const Entry&)>& fn) {
  size_t buckets = dict_.bucket_count();
  if (cursor >= buckets) return 0;
  int64_t now = clock_->NowMs();
  size_t visited = 0;
  while (cursor < buckets && visited < count) {
    for (auto it = dict_.begin(cursor); it != dict_.end(cursor); ++it) {
      if (it->second.expire_ms >= 0 && it->second.expire_ms <= now) continue;
      fn(it->first, it->second);
      ++visited;
    }
    ++cursor;
  }
  return cursor >= buckets ? 0 : cursor;
}

bool Db::RandomKey(std::string* out) {
  int64_t now = clock_->NowMs();
  for (int attempt = 0; attempt < 100 && !dict_.empty(); ++attempt) {
    size_t buckets = dict_.bucket_count();
    size_t b = rng_() % buckets;
    size_t n = dict_.bucket_size(b);
    if (n == 0) continue;
    auto it = dict_.begin(b);
    std::advance(it, static_cast<long>(rng_() % n));
    if (it->second.expire_ms >= 0 && it->second.expire_ms <= now) {
      ExpireIfNeeded(dict_.find(it->first));
      continue;
    }
    *out = it->first;
    return true;
  }
  // A sparse table (many deletions; std::unordered_map never shrinks): walk it instead.
  for (auto it = dict_.begin(); it != dict_.end(); ++it) {
    if (it->second.expire_ms >= 0 && it->second.expire_ms <= now) continue;
    *out = it->first;
    return true;
  }
  return false;
}

}  // namespace racetrack::engine

#include "model/visual_cache.h"

#include <torch/torch.h>

namespace infeval {

VisualTokenCache::VisualTokenCache(int64_t budget_bytes) : budget_bytes_(std::max<int64_t>(0, budget_bytes)) {}

at::Tensor VisualTokenCache::find(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return at::Tensor();
  }
  ++hits_;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->tokens;
}

void VisualTokenCache::insert(const std::string& key, const at::Tensor& tokens) {
  const int64_t bytes = static_cast<int64_t>(tokens.numel()) * static_cast<int64_t>(tokens.element_size());
  if (bytes > budget_bytes_) return;
  auto existing = index_.find(key);
  if (existing != index_.end()) {
    bytes_ -= existing->second->bytes;
    entries_.erase(existing->second);
    index_.erase(existing);
  }
  while (!entries_.empty() && bytes_ + bytes > budget_bytes_) {
    bytes_ -= entries_.back().bytes;
    index_.erase(entries_.back().key);
    entries_.pop_back();
    ++evictions_;
  }
  entries_.push_front(Entry{key, tokens.clone(), bytes});
  index_[key] = entries_.begin();
  bytes_ += bytes;
}

nlohmann::json VisualTokenCache::stats() const {
  return nlohmann::json{{"budget_bytes", budget_bytes_}, {"bytes", bytes_},   {"entries", entries_.size()},
                        {"hits", hits_},                 {"misses", misses_}, {"evictions", evictions_}};
}

}  // namespace infeval

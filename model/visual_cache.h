// Visual tokens of images already seen, kept across batches so that an image shared by several questions (VQAv2
// has ~3 per image) goes through ViT -> ln_vision -> pool-adapter once. Least recently used entries are evicted
// when the stored tokens exceed the byte budget. Single-threaded (the backend's calling thread).
#pragma once
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

namespace infeval {

class VisualTokenCache {
 public:
  // budget_bytes 0: nothing is kept (every lookup misses).
  explicit VisualTokenCache(int64_t budget_bytes);

  // The tokens [T, hidden] stored under `key` (now the most recently used), or an undefined tensor. Counts a hit
  // or a miss.
  at::Tensor find(const std::string& key);
  // Whether `key` is stored; counts nothing and does not touch the order.
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  // Stores a copy of `tokens` [T, hidden] (a copy: a row of a batch tensor would keep the whole batch alive),
  // evicting the least recently used entries to stay within the budget. Tokens larger than the budget are not kept.
  void insert(const std::string& key, const at::Tensor& tokens);

  // {"budget_bytes", "bytes", "entries", "hits", "misses", "evictions"}
  nlohmann::json stats() const;

 private:
  struct Entry {
    std::string key;
    at::Tensor tokens;
    int64_t bytes;
  };
  int64_t budget_bytes_;
  int64_t bytes_ = 0;
  int64_t hits_ = 0, misses_ = 0, evictions_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace infeval

#include "model/kv_cache.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "harness/core/error.h"

namespace infeval {

KvCache::KvCache(int num_layers, int64_t questions, int64_t beams, int64_t heads, int64_t prefix_len,
                 int64_t max_suffix, int64_t head_dim, const at::Tensor& prefix_start,
                 const at::TensorOptions& options)
    : questions_(questions), beams_(beams), prefix_len_(prefix_len), max_suffix_(max_suffix) {
  prefix_start_ = prefix_start.to(options.device(), at::kInt).contiguous();
  for (int layer = 0; layer < num_layers; ++layer) {
    prefix_k_.push_back(torch::empty({questions, heads, prefix_len, head_dim}, options));
    prefix_v_.push_back(torch::empty({questions, heads, prefix_len, head_dim}, options));
    // Zeroed so that a never-written slot is harmless if a kernel reads past suffix_len.
    suffix_k_.push_back(torch::zeros({questions * beams, heads, max_suffix, head_dim}, options));
    suffix_v_.push_back(torch::zeros({questions * beams, heads, max_suffix, head_dim}, options));
  }
}

void KvCache::write_prefix(int layer, const at::Tensor& k, const at::Tensor& v) {
  prefix_k_[layer].copy_(k);
  prefix_v_[layer].copy_(v);
}

void KvCache::write_suffix(int layer, const at::Tensor& k, const at::Tensor& v) {
  if (suffix_len_ >= max_suffix_) {
    throw RuntimeFailure(fmt::format("KV cache: suffix full ({} tokens)", max_suffix_));
  }
  suffix_k_[layer].select(2, suffix_len_).copy_(k);
  suffix_v_[layer].select(2, suffix_len_).copy_(v);
}

void KvCache::advance() { ++suffix_len_; }

void KvCache::reorder(const at::Tensor& source) {
  if (suffix_len_ == 0) return;
  const at::Tensor index = source.to(suffix_k_[0].device(), at::kLong);
  for (size_t layer = 0; layer < suffix_k_.size(); ++layer) {
    for (at::Tensor* t : {&suffix_k_[layer], &suffix_v_[layer]}) {
      at::Tensor used = t->narrow(2, 0, suffix_len_);
      used.copy_(used.index_select(0, index));
    }
  }
}

}  // namespace infeval

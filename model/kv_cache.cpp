#include "model/kv_cache.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"

namespace infeval {

KvCache::KvCache(int num_layers, int64_t questions, int64_t beams, int64_t heads, int64_t prefix_len,
                 int64_t max_suffix, int64_t head_dim, const at::Tensor& prefix_start,
                 const at::TensorOptions& options)
    : questions_(questions), beams_(beams), prefix_len_(prefix_len), max_suffix_(max_suffix) {
  prefix_start_ = prefix_start.to(options.device(), at::kInt).contiguous();
  // Zeroed so that a never-written slot is harmless if a kernel reads past suffix_len. One tensor for all layers:
  // a beam reorder is then one gather for K and one for V, not one per layer.
  all_suffix_k_ = torch::zeros({num_layers, questions * beams, heads, max_suffix, head_dim}, options);
  all_suffix_v_ = torch::zeros({num_layers, questions * beams, heads, max_suffix, head_dim}, options);
  for (int layer = 0; layer < num_layers; ++layer) {
    prefix_k_.push_back(torch::empty({questions, heads, prefix_len, head_dim}, options));
    prefix_v_.push_back(torch::empty({questions, heads, prefix_len, head_dim}, options));
    suffix_k_.push_back(all_suffix_k_[layer]);  // contiguous views
    suffix_v_.push_back(all_suffix_v_[layer]);
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
  const at::Tensor index = source.to(all_suffix_k_.device(), at::kLong);
  // The gather needs a temporary as large as what it gathers: take as many layers at a time as fit in 256 MiB.
  const int64_t layers = all_suffix_k_.size(0);
  const int64_t layer_bytes = all_suffix_k_[0].narrow(2, 0, suffix_len_).numel() * all_suffix_k_.element_size();
  const int64_t chunk = std::max<int64_t>(1, (int64_t{256} << 20) / std::max<int64_t>(1, layer_bytes));
  for (at::Tensor* all : {&all_suffix_k_, &all_suffix_v_}) {
    for (int64_t first = 0; first < layers; first += chunk) {
      at::Tensor used = all->narrow(0, first, std::min(chunk, layers - first)).narrow(3, 0, suffix_len_);
      used.copy_(used.index_select(1, index));  // [layers in chunk, S, H, suffix_len, D]
    }
  }
}

}  // namespace infeval

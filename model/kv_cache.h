// Preallocated key/value cache for batched greedy and beam-search decoding. Layout (shared with the CUDA decode
// kernel, model/kernels/ops.h attention_decode), per layer:
//   prefix K/V [Q, H, P, D]: the Q questions' prompts, left-padded to P; prefix_start [Q] int32 = number of pad
//     positions (valid keys are [start, P)). Written once by the prefill; shared by a question's beams.
//   suffix K/V [Q*beams, H, T_max, D]: the generated tokens of sequence s = q*beams + b; valid keys [0, suffix_len).
// Beam reordering gathers only the suffix, within a question's group; the prefix is never copied.
#pragma once
#include <vector>

#include <ATen/core/Tensor.h>

namespace infeval {

class KvCache {
 public:
  // prefix_start: [Q] int32 (any device; moved to `options`' device).
  KvCache(int num_layers, int64_t questions, int64_t beams, int64_t heads, int64_t prefix_len, int64_t max_suffix,
          int64_t head_dim, const at::Tensor& prefix_start, const at::TensorOptions& options);

  int64_t questions() const { return questions_; }
  int64_t beams() const { return beams_; }
  int64_t sequences() const { return questions_ * beams_; }
  int64_t prefix_len() const { return prefix_len_; }
  int64_t max_suffix() const { return max_suffix_; }
  int64_t suffix_len() const { return suffix_len_; }
  const at::Tensor& prefix_start() const { return prefix_start_; }

  const at::Tensor& prefix_k(int layer) const { return prefix_k_[layer]; }
  const at::Tensor& prefix_v(int layer) const { return prefix_v_[layer]; }
  const at::Tensor& suffix_k(int layer) const { return suffix_k_[layer]; }
  const at::Tensor& suffix_v(int layer) const { return suffix_v_[layer]; }

  // Prefill: k, v [Q, H, P, D].
  void write_prefix(int layer, const at::Tensor& k, const at::Tensor& v);
  // Decode: k, v [S, H, D] for the token at suffix position suffix_len() (call advance() after the last layer).
  void write_suffix(int layer, const at::Tensor& k, const at::Tensor& v);
  void advance();
  // source [S] int64: new sequence s continues old sequence source[s] (same question group). Gathers the suffix.
  void reorder(const at::Tensor& source);

 private:
  int64_t questions_, beams_, prefix_len_, max_suffix_, suffix_len_ = 0;
  at::Tensor prefix_start_;
  at::Tensor all_suffix_k_, all_suffix_v_;  // [layers, S, H, max_suffix, D]
  std::vector<at::Tensor> prefix_k_, prefix_v_, suffix_k_, suffix_v_;  // per layer; suffix_* view all_suffix_*
};

}  // namespace infeval

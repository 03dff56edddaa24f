// Attention entry points of the model code. On the CPU (and for fp32) they run plain torch ops that mirror Hugging
// Face's eager attention (additive masks of finfo(dtype).min, softmax in fp32); with CUDA LibTorch and bf16/fp16 CUDA
// tensors they call the fused kernels of model/kernels/ops.h. The model code calls only these.
#pragma once
#include <ATen/core/Tensor.h>

namespace infeval {

class KvCache;

// Unmasked attention (ViT): q, k, v [B, H, N, D] -> [B, H, N, D]; softmax((q * scale) k^T) v.
at::Tensor attention_full(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

// Causal attention over a left-padded batch (LLM prefill): q, k, v [Q, H, P, D]; prefix_start [Q] int32 = pad count.
// Query i sees keys j with start <= j <= i. A fully masked (pad) query row is uniform over all keys, as in HF eager.
at::Tensor attention_prefill(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& prefix_start, double scale);

// One decode step: q [S, H, D] (S = Q * beams) over the cache's prefix [start, P) of its question and its own
// suffix [0, suffix_len) (the current token's K/V already written there). Returns [S, H, D].
at::Tensor attention_decode(const at::Tensor& q, const KvCache& cache, int layer, int64_t suffix_len, double scale);

}  // namespace infeval

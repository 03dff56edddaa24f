// Torch-facing API of the custom CUDA kernels (model/kernels/*.cu). Only built when LibTorch has CUDA
// (INFEVAL_HAVE_CUDA); the CPU path of the native backend keeps the unfused LibTorch ops.
// Every function runs on the current CUDA stream of the inputs' device and returns a new tensor.
#pragma once

#ifdef INFEVAL_HAVE_CUDA

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

#include <cstdint>

namespace infeval::kernels {

// Fused attention, softmax(q k^T * scale) v, fp32 accumulation and online softmax.
// q, k, v: [B, H, S, D] (S_q == S_k), bf16 or fp16 (all the same dtype), any strides with the last dim contiguous;
// D: a multiple of 8, at most 128 (88 for the ViT runs a zero-padded 96-wide tile; 128 for the LLM).
// key_start: optional [B] int32 on the same device: keys j < key_start[b] are masked (left padding).
// causal: query i sees keys j <= i (absolute positions, the same for q and k).
// A query row whose every key is masked (e.g. a left-pad query with causal) returns zeros.
// Returns [B, H, S, D] contiguous, same dtype as q.
at::Tensor attention_prefill(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const c10::optional<at::Tensor>& key_start, bool causal, double scale);

// Decode attention of one new query per sequence over a beam-shared prompt KV plus a per-sequence suffix KV.
// q: [S, H, D] with S = Q * beams; sequence s belongs to group (question) q = s / beams.
// prefix_k, prefix_v: [Q, H, P, D]; prefix_start: [Q] int32, valid prefix keys are [prefix_start[q], P).
// suffix_k, suffix_v: [S, H, T, D] (T >= suffix_len); valid suffix keys are [0, suffix_len).
// The prefix of a group is read once for all its beams. beams == 1 gives the per-sequence variant.
// D: a multiple of 8, at most 128 (the LLM uses 128); beams <= 8; dtype bf16 or fp16; last dim contiguous, other
// strides free (non-16-byte-aligned layouts are copied to contiguous first).
// A sequence with no valid key returns zeros. Returns [S, H, D] contiguous, same dtype as q.
at::Tensor attention_decode(const at::Tensor& q, const at::Tensor& prefix_k, const at::Tensor& prefix_v,
                            const at::Tensor& prefix_start, const at::Tensor& suffix_k,
                            const at::Tensor& suffix_v, int64_t suffix_len, int64_t beams, double scale);

// Pool-adapter pooling: x [B, 1 + N, C] (token 0 = cls, dropped; N = s * s row-major grid) -> [B, pool*pool, C],
// each output the mean of its (s / pool) x (s / pool) window (s % pool == 0). If ln_weight/ln_bias ([C]) are given,
// LayerNorm(eps) with fp32 statistics is applied to every token first (ln_vision), then pooled.
// dtype bf16, fp16 or fp32; C contiguous. Returns contiguous, same dtype as x.
at::Tensor pool_tokens(const at::Tensor& x, int64_t pool, const c10::optional<at::Tensor>& ln_weight,
                       const c10::optional<at::Tensor>& ln_bias, double eps);

}  // namespace infeval::kernels

#endif  // INFEVAL_HAVE_CUDA

// Decode attention (one new query per sequence) over a beam-shared prompt KV plus per-sequence generated KV,
// split over the KV length (flash-decoding) with an LSE combine. Launch interface; adapter: ops_attention_decode.cpp.
#pragma once

#include "model/kernels/attention_prefill.h"  // DataType

#include <cuda_runtime_api.h>

#include <cstdint>

namespace infeval::kernels {

constexpr int kDecodeMaxBeams = 8;     // beams per group handled by one CTA
constexpr int kDecodeMaxHeadDim = 128;
constexpr int kDecodeTileKeys = 64;    // keys per shared-memory tile

struct AttentionDecodeParams {
  // Sequence s = q * beams + b belongs to group q. Strides in elements, last dims contiguous, non-last strides
  // multiples of 8, pointers 16-byte aligned.
  const void* q = nullptr;  // [S, H, D]
  int64_t q_seq_stride = 0, q_head_stride = 0;
  const void* prefix_k = nullptr;  // [Q, H, P, D]
  const void* prefix_v = nullptr;
  int64_t pk_group_stride = 0, pk_head_stride = 0, pk_row_stride = 0;
  int64_t pv_group_stride = 0, pv_head_stride = 0, pv_row_stride = 0;
  const int32_t* prefix_start = nullptr;  // [Q]: valid prefix keys are [prefix_start[q], P)
  const void* suffix_k = nullptr;  // [S, H, T, D]: valid suffix keys are [0, suffix_len)
  const void* suffix_v = nullptr;
  int64_t sk_seq_stride = 0, sk_head_stride = 0, sk_row_stride = 0;
  int64_t sv_seq_stride = 0, sv_head_stride = 0, sv_row_stride = 0;
  void* out = nullptr;  // [S, H, D]
  int64_t out_seq_stride = 0, out_head_stride = 0;
  int groups = 0, beams = 1, heads = 0, head_dim = 0;  // Q, beams (1..8), H, D (multiple of 8, <= 128)
  int prefix_len = 0;  // P
  int suffix_len = 0;  // valid suffix positions
  float scale = 1.0f;
  // Split plan (attention_decode_plan): the prefix is cut into `splits` chunks of `chunk_keys` keys (a multiple of
  // kDecodeTileKeys) counted from prefix_start; the last split also covers the suffix. With splits > 1 the partial
  // results go to the fp32 workspace [S, H, splits, D] + [S, H, splits] and a combine kernel writes `out`.
  int splits = 1;
  int chunk_keys = kDecodeTileKeys;
  float* partial_out = nullptr;
  float* partial_lse = nullptr;
};

// Fills splits/chunk_keys so that about `target_ctas` CTAs run (e.g. 4 x the SM count).
void attention_decode_plan(AttentionDecodeParams& params, int target_ctas);

// Workspace floats needed for the plan in `params` (0 when splits == 1).
int64_t attention_decode_workspace_floats(const AttentionDecodeParams& params);

// Launches on `stream` (one or two kernels); returns the first CUDA error. A sequence with no valid key gets zeros.
cudaError_t attention_decode_launch(const AttentionDecodeParams& params, DataType dtype, cudaStream_t stream);

}  // namespace infeval::kernels

// Fused prefill attention (FA2-style: tiled, online softmax, fp32 accumulation), launch interface.
// Plain parameters (raw pointers, element strides); the Torch adapter is ops_attention_prefill.cpp.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace infeval::kernels {

enum class DataType { BF16, FP16, FP32 };

struct AttentionPrefillParams {
  // q, k, v: [B, H, S, D]; out: [B, H, S, D]. Strides are in elements; the last dim is contiguous.
  // Every non-last stride must be a multiple of 8 and every pointer 16-byte aligned (16-byte loads).
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  void* out = nullptr;
  int64_t q_batch_stride = 0, q_head_stride = 0, q_row_stride = 0;
  int64_t k_batch_stride = 0, k_head_stride = 0, k_row_stride = 0;
  int64_t v_batch_stride = 0, v_head_stride = 0, v_row_stride = 0;
  int64_t out_batch_stride = 0, out_head_stride = 0, out_row_stride = 0;
  // [B] int32 or nullptr: keys j < key_start[b] are masked (left padding of batch row b).
  const int32_t* key_start = nullptr;
  int batch = 0, heads = 0;
  int seqlen = 0;    // S, the same for queries and keys (absolute positions 0..S-1)
  int head_dim = 0;  // D: a multiple of 8, at most 128; D <= 96 runs the 96-wide kernel (88 -> 96, zero-padded)
  float scale = 1.0f;  // softmax scale applied to q.k
  bool causal = false; // query i sees keys j <= i
};

// Launches on `stream`; returns the first CUDA error (launch configuration or attribute setting).
// A query row with no visible key (all masked) gets an output of zeros.
cudaError_t attention_prefill_launch(const AttentionPrefillParams& params, DataType dtype, cudaStream_t stream);

}  // namespace infeval::kernels

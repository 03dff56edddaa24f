// Pool-adapter token pooling (InfMLLM Pooler, before its MLP): drop the cls token of the ViT output, view the
// N = s*s patch tokens as a row-major s x s grid, average non-overlapping (s/P) x (s/P) windows -> P*P tokens.
// Optionally fuses ln_vision (LayerNorm over C, fp32 statistics) in front, rounding its output to the input dtype
// as the reference does (LayerNorm in fp32, cast back, then pool). Adapter: ops_pool_tokens.cpp.
#pragma once

#include "model/kernels/attention_prefill.h"  // DataType

#include <cuda_runtime_api.h>

#include <cstdint>

namespace infeval::kernels {

struct PoolTokensParams {
  const void* x = nullptr;  // [B, 1 + s*s, C], C contiguous; strides multiples of 16 bytes, pointer 16-byte aligned
  int64_t x_batch_stride = 0, x_token_stride = 0;
  void* out = nullptr;  // [B, P*P, C] contiguous
  const float* ln_weight = nullptr;  // [C] fp32, or nullptr (no LayerNorm); ln_bias likewise (both or neither)
  const float* ln_bias = nullptr;
  int batch = 0, grid = 0, pool = 0, channels = 0;  // B, s, P (s % P == 0), C (16-byte multiple, <= 8192 for bf16)
  float eps = 1e-5f;
};

cudaError_t pool_tokens_launch(const PoolTokensParams& params, DataType dtype, cudaStream_t stream);

}  // namespace infeval::kernels

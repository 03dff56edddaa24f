// Pool-adapter pooling kernel: one CTA per output token (grid (P*P, B)), 256 threads. Each thread owns up to
// kPoolMaxVecs 16-byte vectors of the channel dim. For each of the w*w window tokens it loads its vectors into
// registers; with LayerNorm it computes mean, then variance from the registers (two-pass, fp32, two block
// reductions), normalises, applies weight/bias and rounds to T; then adds to an fp32 running sum. Output =
// sum / (w*w) rounded to T. Memory traffic: every input token is read exactly once, each output written once.
#pragma once

#include "model/kernels/cuda_utils.cuh"
#include "model/kernels/pool_adapter.h"

namespace infeval::kernels {

constexpr int kPoolThreads = 256;
constexpr int kPoolMaxVecs = 4;  // 256 threads x 4 x 16 B: C <= 8192 (bf16) or 4096 (fp32)

// Sum over the CTA; `scratch` holds kPoolThreads / 32 floats. Every thread gets the total.
__device__ __forceinline__ float pool_block_sum(float v, float* scratch) {
  v = warp_sum(v);
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  __syncthreads();  // scratch may still be read by the previous reduction
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float total = 0.0f;
#pragma unroll
  for (int i = 0; i < kPoolThreads / 32; ++i) total += scratch[i];
  return total;
}

template <typename T>
__global__ void __launch_bounds__(kPoolThreads) pool_tokens_kernel(const PoolTokensParams p) {
  constexpr int kVec = 16 / sizeof(T);  // elements per 16-byte vector
  __shared__ float scratch[kPoolThreads / 32];
  const int out_token = blockIdx.x;
  const int b = blockIdx.y;
  const int P = p.pool;
  const int w = p.grid / P;
  const int pi = out_token / P;
  const int pj = out_token % P;
  const int C = p.channels;
  const int nvec = C / kVec;
  const bool has_ln = p.ln_weight != nullptr;
  const T* xb = static_cast<const T*>(p.x) + b * p.x_batch_stride;

  float sum[kPoolMaxVecs][kVec];
#pragma unroll
  for (int u = 0; u < kPoolMaxVecs; ++u)
#pragma unroll
    for (int e = 0; e < kVec; ++e) sum[u][e] = 0.0f;

  for (int di = 0; di < w; ++di) {
    for (int dj = 0; dj < w; ++dj) {
      const int token = 1 + (pi * w + di) * p.grid + (pj * w + dj);  // +1: skip cls
      const T* row = xb + token * p.x_token_stride;
      float x[kPoolMaxVecs][kVec];
      float local = 0.0f;
#pragma unroll
      for (int u = 0; u < kPoolMaxVecs; ++u) {
        const int vi = threadIdx.x + u * kPoolThreads;
        if (vi < nvec) {
          const uint4 raw = *reinterpret_cast<const uint4*>(row + vi * kVec);
          const T* vals = reinterpret_cast<const T*>(&raw);
#pragma unroll
          for (int e = 0; e < kVec; ++e) {
            x[u][e] = to_float(vals[e]);
            local += x[u][e];
          }
        } else {
#pragma unroll
          for (int e = 0; e < kVec; ++e) x[u][e] = 0.0f;
        }
      }
      if (has_ln) {
        const float mean = pool_block_sum(local, scratch) / C;
        float sq = 0.0f;
#pragma unroll
        for (int u = 0; u < kPoolMaxVecs; ++u) {
          if (threadIdx.x + u * kPoolThreads < nvec) {
#pragma unroll
            for (int e = 0; e < kVec; ++e) sq += (x[u][e] - mean) * (x[u][e] - mean);
          }
        }
        const float rstd = rsqrtf(pool_block_sum(sq, scratch) / C + p.eps);
#pragma unroll
        for (int u = 0; u < kPoolMaxVecs; ++u) {
          const int vi = threadIdx.x + u * kPoolThreads;
          if (vi < nvec) {
#pragma unroll
            for (int e = 0; e < kVec; ++e) {
              const int c = vi * kVec + e;
              const float y = (x[u][e] - mean) * rstd * p.ln_weight[c] + p.ln_bias[c];
              x[u][e] = to_float(from_float<T>(y));  // the reference casts the LayerNorm output back to T
            }
          }
        }
      }
#pragma unroll
      for (int u = 0; u < kPoolMaxVecs; ++u)
#pragma unroll
        for (int e = 0; e < kVec; ++e) sum[u][e] += x[u][e];
    }
  }

  const float inv_count = 1.0f / static_cast<float>(w * w);
  T* dst = static_cast<T*>(p.out) + (static_cast<int64_t>(b) * P * P + out_token) * C;
#pragma unroll
  for (int u = 0; u < kPoolMaxVecs; ++u) {
    const int vi = threadIdx.x + u * kPoolThreads;
    if (vi < nvec) {
      uint4 raw;
      T* vals = reinterpret_cast<T*>(&raw);
#pragma unroll
      for (int e = 0; e < kVec; ++e) vals[e] = from_float<T>(sum[u][e] * inv_count);
      *reinterpret_cast<uint4*>(dst + vi * kVec) = raw;
    }
  }
}

}  // namespace infeval::kernels

// Prefill attention kernel, FA2-style, for sm_80+ tensor cores (mma.sync m16n8k16, bf16/fp16 in, fp32 accumulate).
// One CTA = 4 warps = one (batch, head, 64-query block); each warp owns 16 query rows and keeps its O accumulator
// and softmax state (running max m, partial sum l) in registers. K/V tiles of 64 keys are streamed through shared
// memory with cp.async: V(j) loads while S = Q K(j)^T is computed, K(j+1) loads while O += P V(j) is computed.
// Head dims are padded to kHeadDim (96 or 128) with zero-filled shared memory, so D = 88 costs 96-wide MMAs.
// Masking: key j is visible to query i iff j < S, j >= key_start[b], and (!causal || j <= i). Rows with no visible
// key keep l = 0 and write zeros.
#pragma once

#include "model/kernels/attention_prefill.h"
#include "model/kernels/cuda_utils.cuh"

namespace infeval::kernels {

constexpr int kPrefillBlockM = 64;   // queries per CTA (4 warps x 16 rows)
constexpr int kPrefillBlockN = 64;   // keys per K/V tile
constexpr int kPrefillThreads = 128;

template <int kHeadDim>
constexpr int prefill_smem_stride() {
  return kHeadDim + 8;  // +16 bytes per row: the 8 row addresses of one ldmatrix hit distinct banks
}

template <int kHeadDim>
constexpr int prefill_smem_bytes() {
  return (kPrefillBlockM + 2 * kPrefillBlockN) * prefill_smem_stride<kHeadDim>() * 2;
}

// Copies rows [row0, row0 + kRows) of a [S, D] matrix (row stride `row_stride`) into shared memory [kRows][stride];
// rows >= seqlen and columns >= head_dim are zero-filled (16-byte granularity; head_dim % 8 == 0).
template <typename T, int kHeadDim, int kRows>
__device__ __forceinline__ void prefill_load_tile(T* smem, const T* gmem, int64_t row_stride, int row0, int seqlen,
                                                  int head_dim) {
  constexpr int kChunksPerRow = kHeadDim / 8;
  constexpr int kStride = prefill_smem_stride<kHeadDim>();
  for (int i = threadIdx.x; i < kRows * kChunksPerRow; i += kPrefillThreads) {
    const int r = i / kChunksPerRow;
    const int c = (i % kChunksPerRow) * 8;
    const bool valid = (row0 + r < seqlen) && (c < head_dim);
    const T* src = valid ? gmem + static_cast<int64_t>(row0 + r) * row_stride + c : gmem;
    cp_async_16(smem + r * kStride + c, src, valid);
  }
}

template <typename T, int kHeadDim>
__global__ void __launch_bounds__(kPrefillThreads)
    attention_prefill_kernel(const AttentionPrefillParams p) {
  static_assert(kHeadDim % 16 == 0 && kHeadDim <= 128, "head dim tile must be a multiple of 16, at most 128");
  constexpr int kBM = kPrefillBlockM;
  constexpr int kBN = kPrefillBlockN;
  constexpr int kStride = prefill_smem_stride<kHeadDim>();
  constexpr int kDimTiles = kHeadDim / 8;   // n-tiles of the O accumulator
  constexpr int kDimSteps = kHeadDim / 16;  // k-steps of S = Q K^T
  constexpr int kKeyTiles = kBN / 8;        // n-tiles of S

  extern __shared__ __align__(16) unsigned char prefill_smem[];
  T* sQ = reinterpret_cast<T*>(prefill_smem);
  T* sK = sQ + kBM * kStride;
  T* sV = sK + kBN * kStride;

  // Heavier (later, causal) query blocks first.
  const int m_block = gridDim.x - 1 - blockIdx.x;
  const int h = blockIdx.y;
  const int b = blockIdx.z;
  const int m0 = m_block * kBM;
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int g = lane / 4;  // row within the 8-row half of the warp's 16 rows
  const int t = lane % 4;  // column pair

  const T* q = static_cast<const T*>(p.q) + b * p.q_batch_stride + h * p.q_head_stride;
  const T* k = static_cast<const T*>(p.k) + b * p.k_batch_stride + h * p.k_head_stride;
  const T* v = static_cast<const T*>(p.v) + b * p.v_batch_stride + h * p.v_head_stride;
  T* out = static_cast<T*>(p.out) + b * p.out_batch_stride + h * p.out_head_stride;

  const int key_start = p.key_start != nullptr ? max(p.key_start[b], 0) : 0;
  const int n_tiles_total = (p.seqlen + kBN - 1) / kBN;
  const int n_begin = key_start / kBN;
  const int n_end = p.causal ? min(n_tiles_total, (m0 + kBM + kBN - 1) / kBN) : n_tiles_total;
  const float scale_log2 = p.scale * kLog2e;

  // Absolute query index of this thread's two rows.
  const int row0 = m0 + warp * 16 + g;
  const int row1 = row0 + 8;

  float o[kDimTiles][4];
#pragma unroll
  for (int i = 0; i < kDimTiles; ++i) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
  float m_run[2] = {-INFINITY, -INFINITY};  // running max of scaled (log2-domain) scores
  float l_run[2] = {0.0f, 0.0f};            // this thread's part of the running sum (quad-reduced at the end)
  uint32_t qa[kDimSteps][4];                // Q fragments (A operand), loaded once

  if (n_begin < n_end) {
    prefill_load_tile<T, kHeadDim, kBM>(sQ, q, p.q_row_stride, m0, p.seqlen, p.head_dim);
    prefill_load_tile<T, kHeadDim, kBN>(sK, k, p.k_row_stride, n_begin * kBN, p.seqlen, p.head_dim);
    cp_async_commit();
  }

  for (int nb = n_begin; nb < n_end; ++nb) {
    const int n0 = nb * kBN;
    cp_async_wait_all();
    __syncthreads();  // K(nb) (and Q) visible; every warp is done with V(nb-1)
    prefill_load_tile<T, kHeadDim, kBN>(sV, v, p.v_row_stride, n0, p.seqlen, p.head_dim);
    cp_async_commit();

    if (nb == n_begin) {
#pragma unroll
      for (int kk = 0; kk < kDimSteps; ++kk) {
        // matrices: (rows 0-7, cols 0-7), (rows 8-15, cols 0-7), (rows 0-7, cols 8-15), (rows 8-15, cols 8-15)
        const T* row = sQ + (warp * 16 + lane % 16) * kStride + kk * 16 + (lane / 16) * 8;
        ldmatrix_x4(qa[kk], row);
      }
    }

    // S = Q K^T for this warp's 16 rows x 64 keys.
    float s[kKeyTiles][4];
#pragma unroll
    for (int j = 0; j < kKeyTiles; ++j) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.0f;
#pragma unroll
    for (int kk = 0; kk < kDimSteps; ++kk) {
#pragma unroll
      for (int jp = 0; jp < kKeyTiles / 2; ++jp) {
        // matrices: (keys 0-7, dims 0-7), (keys 0-7, dims 8-15), (keys 8-15, dims 0-7), (keys 8-15, dims 8-15)
        const T* row = sK + (jp * 16 + lane % 8 + (lane / 16) * 8) * kStride + kk * 16 + ((lane / 8) % 2) * 8;
        uint32_t kb[4];
        ldmatrix_x4(kb, row);
        mma_16816<T>(s[2 * jp], qa[kk], kb[0], kb[1]);
        mma_16816<T>(s[2 * jp + 1], qa[kk], kb[2], kb[3]);
      }
    }

    // Scale into the log2 domain and mask.
    const bool need_mask = (n0 + kBN > p.seqlen) || (n0 < key_start) || (p.causal && n0 + kBN - 1 > m0);
#pragma unroll
    for (int j = 0; j < kKeyTiles; ++j) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        float x = s[j][e] * scale_log2;
        if (need_mask) {
          const int key = n0 + j * 8 + 2 * t + (e % 2);
          const int query = (e < 2) ? row0 : row1;
          const bool visible = key < p.seqlen && key >= key_start && (!p.causal || key <= query);
          if (!visible) x = -INFINITY;
        }
        s[j][e] = x;
      }
    }

    // Online softmax: row r = 0 holds elements e = 0,1; r = 1 holds e = 2,3. A row is spread over the 4 lanes
    // of a quad, hence the xor-1 and xor-2 shuffles.
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int j = 0; j < kKeyTiles; ++j) mx = fmaxf(mx, fmaxf(s[j][2 * r], s[j][2 * r + 1]));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float m_new = fmaxf(m_run[r], mx);
      const float base = (m_new == -INFINITY) ? 0.0f : m_new;  // all masked so far: keep exp2 finite (gives 0)
      const float alpha = exp2f(m_run[r] - base);
      float sum = 0.0f;
#pragma unroll
      for (int j = 0; j < kKeyTiles; ++j) {
        s[j][2 * r] = exp2f(s[j][2 * r] - base);
        s[j][2 * r + 1] = exp2f(s[j][2 * r + 1] - base);
        sum += s[j][2 * r] + s[j][2 * r + 1];
      }
      l_run[r] = l_run[r] * alpha + sum;
      m_run[r] = m_new;
#pragma unroll
      for (int i = 0; i < kDimTiles; ++i) {
        o[i][2 * r] *= alpha;
        o[i][2 * r + 1] *= alpha;
      }
    }

    cp_async_wait_all();
    __syncthreads();  // V(nb) visible; every warp is done reading K(nb)
    if (nb + 1 < n_end) {
      prefill_load_tile<T, kHeadDim, kBN>(sK, k, p.k_row_stride, n0 + kBN, p.seqlen, p.head_dim);
      cp_async_commit();
    }

    // O += P V: the S accumulators of key tiles 2kk and 2kk+1 are exactly the A fragment of keys 16kk..16kk+15.
#pragma unroll
    for (int kk = 0; kk < kBN / 16; ++kk) {
      uint32_t pa[4];
      pa[0] = pack2<T>(s[2 * kk][0], s[2 * kk][1]);
      pa[1] = pack2<T>(s[2 * kk][2], s[2 * kk][3]);
      pa[2] = pack2<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]);
      pa[3] = pack2<T>(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
      for (int dp = 0; dp < kDimTiles / 2; ++dp) {
        // transposed matrices: (keys 0-7, dims 0-7), (keys 8-15, dims 0-7), (keys 0-7, dims 8-15), (keys 8-15, dims 8-15)
        const T* row = sV + (kk * 16 + lane % 8 + ((lane / 8) % 2) * 8) * kStride + dp * 16 + (lane / 16) * 8;
        uint32_t vb[4];
        ldmatrix_x4_trans(vb, row);
        mma_16816<T>(o[2 * dp], pa, vb[0], vb[1]);
        mma_16816<T>(o[2 * dp + 1], pa, vb[2], vb[3]);
      }
    }
  }
  cp_async_wait_all();  // nothing may be in flight when the CTA exits

  // Normalise and store: element (row, dim i*8 + 2t .. +1).
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = l_run[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    const int row = r == 0 ? row0 : row1;
    if (row < p.seqlen) {
      T* dst = out + static_cast<int64_t>(row) * p.out_row_stride;
#pragma unroll
      for (int i = 0; i < kDimTiles; ++i) {
        const int d = i * 8 + 2 * t;
        if (d < p.head_dim) {
          *reinterpret_cast<uint32_t*>(dst + d) = pack2<T>(o[i][2 * r] * inv, o[i][2 * r + 1] * inv);
        }
      }
    }
  }
}

}  // namespace infeval::kernels

// Decode attention kernels (flash-decoding with beam-shared prefixes), CUDA cores, fp32 math.
// Grid (split, head, group): one CTA serves every beam of one group for one head, so a prefix K/V tile is read
// from device memory once and scored against all beams' queries held in shared memory. Tiles of 64 keys are
// copied with 16-byte cp.async into padded shared rows (272 B: conflict-free 16-byte reads across rows), then:
//   scores (one thread per (beam, key) dot product) -> per-beam online-softmax update (one warp per beam)
//   -> O += P V (one thread per (dim pair, beam parity), accumulators in registers).
// The last split also attends to the beams' own suffixes (generated tokens), packed 64 / beams keys per beam
// into shared tiles in which each row is visible to its own beam only.
// With one split the CTA writes the output; with several it writes (O / l, m + log2 l) partials and
// attention_decode_combine_kernel merges them.
#pragma once

#include "model/kernels/attention_decode.h"
#include "model/kernels/cuda_utils.cuh"

namespace infeval::kernels {

constexpr int kDecodeThreads = 128;

template <typename T>
struct DecodeSmem {
  T k[kDecodeTileKeys][kDecodeMaxHeadDim + 8];
  T v[kDecodeTileKeys][kDecodeMaxHeadDim + 8];
  float q[kDecodeMaxBeams][kDecodeMaxHeadDim];  // queries pre-scaled by scale * log2(e)
  float p[kDecodeMaxBeams][kDecodeTileKeys];    // scores, then probabilities, of the current tile
  float m[kDecodeMaxBeams];                     // running max (log2 domain)
  float l[kDecodeMaxBeams];                     // running sum of exp2(score - m)
  float alpha[kDecodeMaxBeams];                 // rescale factor of the last update
};

// Per-thread share of the O accumulator: dims 2*dp, 2*dp+1 for beams bsel, bsel+2, bsel+4, bsel+6.
struct DecodeAccumulator {
  float o[kDecodeMaxBeams / 2][2];
};

// Where the rows of one K/V tile come from. Prefix tiles (rows_per_beam == 0): row r is key r, seen by every beam.
// Suffix tiles (rows_per_beam = m > 0): row r is key r % m of beam r / m (stride beam_stride), seen by that beam only,
// so the generated tokens of all beams share one tile.
template <typename T>
struct DecodeTileSource {
  const T* k;
  const T* v;
  int64_t k_row_stride, v_row_stride;
  int64_t k_beam_stride, v_beam_stride;
  int rows_per_beam;
};

// Attends every beam of the CTA's group to the n (1..64) rows of one tile.
template <typename T>
__device__ __forceinline__ void decode_tile(DecodeSmem<T>& sm, DecodeAccumulator& acc, const DecodeTileSource<T>& src,
                                            int n, int beams, int head_dim) {
  const int tid = threadIdx.x;
  const int chunks = head_dim / 8;
  const int rpb = src.rows_per_beam;
  for (int i = tid; i < n * chunks; i += kDecodeThreads) {
    const int r = i / chunks;
    const int c = (i % chunks) * 8;
    const int64_t beam = rpb > 0 ? r / rpb : 0;
    const int64_t key = rpb > 0 ? r % rpb : r;
    cp_async_16(&sm.k[r][c], src.k + beam * src.k_beam_stride + key * src.k_row_stride + c, true);
    cp_async_16(&sm.v[r][c], src.v + beam * src.v_beam_stride + key * src.v_row_stride + c, true);
  }
  cp_async_commit();
  cp_async_wait_all();
  __syncthreads();

  // Scores: consecutive threads take consecutive keys of one beam (the query row is a broadcast read).
  for (int i = tid; i < beams * kDecodeTileKeys; i += kDecodeThreads) {
    const int b = i / kDecodeTileKeys;
    const int j = i % kDecodeTileKeys;
    float score = -INFINITY;
    if (j < n && (rpb == 0 || j / rpb == b)) {
      score = 0.0f;
      for (int c = 0; c < head_dim; c += 8) {
        const uint4 raw = *reinterpret_cast<const uint4*>(&sm.k[j][c]);
        const float4 qa = *reinterpret_cast<const float4*>(&sm.q[b][c]);
        const float4 qb = *reinterpret_cast<const float4*>(&sm.q[b][c + 4]);
        const float2 k01 = unpack2<T>(raw.x), k23 = unpack2<T>(raw.y), k45 = unpack2<T>(raw.z), k67 = unpack2<T>(raw.w);
        score += qa.x * k01.x + qa.y * k01.y + qa.z * k23.x + qa.w * k23.y;
        score += qb.x * k45.x + qb.y * k45.y + qb.z * k67.x + qb.w * k67.y;
      }
    }
    sm.p[b][j] = score;
  }
  __syncthreads();

  // Online-softmax update, one warp per beam.
  const int warp = tid / 32;
  const int lane = tid % 32;
  for (int b = warp; b < beams; b += kDecodeThreads / 32) {
    const float x0 = sm.p[b][lane];
    const float x1 = sm.p[b][lane + 32];
    const float m_old = sm.m[b];
    const float m_new = fmaxf(m_old, warp_max(fmaxf(x0, x1)));
    const float base = (m_new == -INFINITY) ? 0.0f : m_new;  // nothing visible yet: exp2 gives exact zeros
    const float e0 = exp2f(x0 - base);
    const float e1 = exp2f(x1 - base);
    const float sum = warp_sum(e0 + e1);
    sm.p[b][lane] = e0;
    sm.p[b][lane + 32] = e1;
    __syncwarp();
    if (lane == 0) {
      const float alpha = exp2f(m_old - base);
      sm.l[b] = sm.l[b] * alpha + sum;
      sm.m[b] = m_new;
      sm.alpha[b] = alpha;
    }
  }
  __syncthreads();

  // O = O * alpha + P V.
  const int dp = tid % 64;
  const int bsel = tid / 64;
  if (2 * dp < head_dim) {
    bool active[kDecodeMaxBeams / 2];
#pragma unroll
    for (int i = 0; i < kDecodeMaxBeams / 2; ++i) {
      const int b = bsel + 2 * i;
      active[i] = b < beams;
      if (active[i]) {
        acc.o[i][0] *= sm.alpha[b];
        acc.o[i][1] *= sm.alpha[b];
      }
    }
    for (int j = 0; j < n; ++j) {
      const float2 vv = unpack2<T>(*reinterpret_cast<const uint32_t*>(&sm.v[j][2 * dp]));
#pragma unroll
      for (int i = 0; i < kDecodeMaxBeams / 2; ++i) {
        if (active[i]) {
          const float pj = sm.p[bsel + 2 * i][j];
          acc.o[i][0] += pj * vv.x;
          acc.o[i][1] += pj * vv.y;
        }
      }
    }
  }
  __syncthreads();  // the next tile overwrites k, v and p
}

template <typename T>
__global__ void __launch_bounds__(kDecodeThreads) attention_decode_kernel(const AttentionDecodeParams p) {
  __shared__ __align__(16) DecodeSmem<T> sm;
  const int split = blockIdx.x;
  const int h = blockIdx.y;
  const int grp = blockIdx.z;
  const int tid = threadIdx.x;
  const int D = p.head_dim;
  const int beams = p.beams;
  const float scale_log2 = p.scale * kLog2e;

  for (int i = tid; i < beams * D; i += kDecodeThreads) {
    const int b = i / D;
    const int d = i % D;
    const int64_t s = static_cast<int64_t>(grp) * beams + b;
    sm.q[b][d] = to_float(static_cast<const T*>(p.q)[s * p.q_seq_stride + h * p.q_head_stride + d]) * scale_log2;
  }
  if (tid < kDecodeMaxBeams) {
    sm.m[tid] = -INFINITY;
    sm.l[tid] = 0.0f;
    sm.alpha[tid] = 1.0f;
  }
  DecodeAccumulator acc;
#pragma unroll
  for (int i = 0; i < kDecodeMaxBeams / 2; ++i) acc.o[i][0] = acc.o[i][1] = 0.0f;
  __syncthreads();

  // This split's prefix keys: [start + split * chunk, start + (split + 1) * chunk) clipped to P.
  const int start = p.prefix_start != nullptr ? max(p.prefix_start[grp], 0) : 0;
  const int64_t key_begin = static_cast<int64_t>(start) + static_cast<int64_t>(split) * p.chunk_keys;
  const int key_end = static_cast<int>(min(static_cast<int64_t>(p.prefix_len), key_begin + p.chunk_keys));
  DecodeTileSource<T> prefix;
  prefix.k = static_cast<const T*>(p.prefix_k) + grp * p.pk_group_stride + h * p.pk_head_stride;
  prefix.v = static_cast<const T*>(p.prefix_v) + grp * p.pv_group_stride + h * p.pv_head_stride;
  prefix.k_row_stride = p.pk_row_stride;
  prefix.v_row_stride = p.pv_row_stride;
  prefix.k_beam_stride = prefix.v_beam_stride = 0;
  prefix.rows_per_beam = 0;
  for (int key = static_cast<int>(key_begin); key < key_end; key += kDecodeTileKeys) {
    DecodeTileSource<T> tile = prefix;
    tile.k += key * p.pk_row_stride;
    tile.v += key * p.pv_row_stride;
    decode_tile<T>(sm, acc, tile, min(kDecodeTileKeys, key_end - key), beams, D);
  }

  // Generated tokens: each beam has its own K/V rows; a tile holds up to 64 / beams keys of every beam.
  if (split == p.splits - 1) {
    const int per_beam = kDecodeTileKeys / beams;
    const int64_t seq0 = static_cast<int64_t>(grp) * beams;
    for (int key = 0; key < p.suffix_len; key += per_beam) {
      const int rows = min(per_beam, p.suffix_len - key);
      DecodeTileSource<T> tile;
      tile.k = static_cast<const T*>(p.suffix_k) + seq0 * p.sk_seq_stride + h * p.sk_head_stride + key * p.sk_row_stride;
      tile.v = static_cast<const T*>(p.suffix_v) + seq0 * p.sv_seq_stride + h * p.sv_head_stride + key * p.sv_row_stride;
      tile.k_row_stride = p.sk_row_stride;
      tile.v_row_stride = p.sv_row_stride;
      tile.k_beam_stride = p.sk_seq_stride;
      tile.v_beam_stride = p.sv_seq_stride;
      tile.rows_per_beam = rows;
      decode_tile<T>(sm, acc, tile, rows * beams, beams, D);
    }
  }

  const int dp = tid % 64;
  const int bsel = tid / 64;
#pragma unroll
  for (int i = 0; i < kDecodeMaxBeams / 2; ++i) {
    const int b = bsel + 2 * i;
    if (b >= beams || 2 * dp >= D) continue;
    const int64_t s = static_cast<int64_t>(grp) * beams + b;
    const float l = sm.l[b];
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    if (p.splits == 1) {
      T* dst = static_cast<T*>(p.out) + s * p.out_seq_stride + h * p.out_head_stride + 2 * dp;
      *reinterpret_cast<uint32_t*>(dst) = pack2<T>(acc.o[i][0] * inv, acc.o[i][1] * inv);
    } else {
      const int64_t row = (s * p.heads + h) * p.splits + split;
      *reinterpret_cast<float2*>(p.partial_out + row * D + 2 * dp) = make_float2(acc.o[i][0] * inv, acc.o[i][1] * inv);
      if (dp == 0) p.partial_lse[row] = l > 0.0f ? sm.m[b] + log2f(l) : -INFINITY;
    }
  }
}

// Merges the splits of one (sequence, head): out = sum_i 2^(lse_i - max) o_i / sum_i 2^(lse_i - max).
template <typename T>
__global__ void __launch_bounds__(kDecodeThreads) attention_decode_combine_kernel(const AttentionDecodeParams p) {
  const int h = blockIdx.x;
  const int64_t s = blockIdx.y;
  const int64_t row0 = (s * p.heads + h) * p.splits;
  float mx = -INFINITY;
  for (int i = 0; i < p.splits; ++i) mx = fmaxf(mx, p.partial_lse[row0 + i]);
  for (int d = threadIdx.x; d < p.head_dim; d += kDecodeThreads) {
    float num = 0.0f;
    float den = 0.0f;
    for (int i = 0; i < p.splits; ++i) {
      const float lse = p.partial_lse[row0 + i];
      if (lse == -INFINITY) continue;
      const float w = exp2f(lse - mx);
      num += w * p.partial_out[(row0 + i) * p.head_dim + d];
      den += w;
    }
    static_cast<T*>(p.out)[s * p.out_seq_stride + h * p.out_head_stride + d] = from_float<T>(den > 0.0f ? num / den : 0.0f);
  }
}

}  // namespace infeval::kernels

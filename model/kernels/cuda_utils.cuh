// Small device helpers shared by the kernels in this folder: bf16/fp16 <-> fp32 conversion, packing, the
// m16n8k16 tensor-core MMA (mma.sync, sm_80+), ldmatrix, cp.async with zero-fill, and warp reductions.
// Device code only: no Torch types. Fragment layouts are those of the PTX ISA for mma.m16n8k16 (lane = 4*g + t):
//   A (16x16, row-major): a0 = (g, 2t..2t+1), a1 = (g+8, 2t..), a2 = (g, 2t+8..), a3 = (g+8, 2t+8..)
//   B (16x8, "col"):      b0 = (k 2t..2t+1, n g), b1 = (k 2t+8..2t+9, n g)
//   C (16x8, fp32):       c0,c1 = (g, 2t..2t+1), c2,c3 = (g+8, 2t..2t+1)
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

// The tensor-core and async-copy helpers need sm_80+. If a build also emits code for an older architecture (e.g.
// extra -gencode flags from the LibTorch CMake config), those helpers compile to a trap there instead of failing
// the build; the sm_90 code is what runs on H100/H200.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#define INFEVAL_SM80_OR_TRAP(...) __trap()
#else
#define INFEVAL_SM80_OR_TRAP(...) __VA_ARGS__
#endif

namespace infeval::kernels {

__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }
__device__ __forceinline__ float to_float(float x) { return x; }

template <typename T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }
template <> __device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }
template <> __device__ __forceinline__ float from_float<float>(float x) { return x; }

// Two floats -> one 32-bit register holding two 16-bit values; `lo` goes to the lower half (lower column index).
template <typename T> __device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <> __device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&v);
}
template <> __device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
  __half2 v = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&v);
}

// One 32-bit register (two 16-bit values) -> two floats (lower half first).
template <typename T> __device__ __forceinline__ float2 unpack2(uint32_t v);
template <> __device__ __forceinline__ float2 unpack2<__nv_bfloat16>(uint32_t v) {
  return __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&v));
}
template <> __device__ __forceinline__ float2 unpack2<__half>(uint32_t v) {
  return __half22float2(*reinterpret_cast<__half2*>(&v));
}

// c[4] += A(16x16) * B(16x8), fp32 accumulation.
template <typename T> __device__ __forceinline__ void mma_16816(float c[4], const uint32_t a[4], uint32_t b0, uint32_t b1);
template <> __device__ __forceinline__ void mma_16816<__nv_bfloat16>(float c[4], const uint32_t a[4], uint32_t b0,
                                                                     uint32_t b1) {
  INFEVAL_SM80_OR_TRAP(asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1)));
}
template <> __device__ __forceinline__ void mma_16816<__half>(float c[4], const uint32_t a[4], uint32_t b0,
                                                              uint32_t b1) {
  INFEVAL_SM80_OR_TRAP(asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1)));
}

// Four 8x8 b16 matrices from shared memory; lanes 8i..8i+7 give the 8 row addresses (16-byte aligned) of matrix i.
// Lane l receives, of matrix i, r[i] = (row l/4, cols 2*(l%4)..+1); with .trans, (rows 2*(l%4)..+1, col l/4).
__device__ __forceinline__ void ldmatrix_x4(uint32_t r[4], const void* smem_row) {
  const unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(smem_row));
  INFEVAL_SM80_OR_TRAP(asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t r[4], const void* smem_row) {
  const unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(smem_row));
  INFEVAL_SM80_OR_TRAP(asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr)));
}

// 16-byte global -> shared copy; when !valid nothing is read and the 16 bytes are zero-filled.
// `gmem` must be a valid address even when !valid (callers pass the tensor base).
__device__ __forceinline__ void cp_async_16(void* smem, const void* gmem, bool valid) {
  const unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  const int src_bytes = valid ? 16 : 0;
  INFEVAL_SM80_OR_TRAP(asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(addr), "l"(gmem), "r"(src_bytes)));
}
__device__ __forceinline__ void cp_async_commit() { INFEVAL_SM80_OR_TRAP(asm volatile("cp.async.commit_group;\n" ::)); }
__device__ __forceinline__ void cp_async_wait_all() { INFEVAL_SM80_OR_TRAP(asm volatile("cp.async.wait_group 0;\n" ::: "memory")); }

__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

constexpr float kLog2e = 1.4426950408889634f;

}  // namespace infeval::kernels

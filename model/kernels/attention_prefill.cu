// Launch of the prefill attention kernel (attention_prefill.cuh): picks the head-dim tile, raises the dynamic
// shared-memory limit, launches grid (query blocks, heads, batch). Instantiated for bf16/fp16 x head dim 96/128
// only (4 kernels), to keep the build short.
#include "model/kernels/attention_prefill.cuh"

namespace infeval::kernels {
namespace {

template <typename T, int kHeadDim>
cudaError_t launch_prefill(const AttentionPrefillParams& p, cudaStream_t stream) {
  constexpr int smem = prefill_smem_bytes<kHeadDim>();  // 39,936 B (96) or 52,224 B (128)
  auto kernel = attention_prefill_kernel<T, kHeadDim>;
  cudaError_t err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (err != cudaSuccess) return err;
  const dim3 grid((p.seqlen + kPrefillBlockM - 1) / kPrefillBlockM, p.heads, p.batch);
  kernel<<<grid, kPrefillThreads, smem, stream>>>(p);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_prefill_dtype(const AttentionPrefillParams& p, cudaStream_t stream) {
  if (p.head_dim <= 96) return launch_prefill<T, 96>(p, stream);
  return launch_prefill<T, 128>(p, stream);
}

}  // namespace

cudaError_t attention_prefill_launch(const AttentionPrefillParams& p, DataType dtype, cudaStream_t stream) {
  if (p.head_dim <= 0 || p.head_dim > 128 || p.head_dim % 8 != 0 || p.batch <= 0 || p.heads <= 0 ||
      p.seqlen < 0 || p.batch > 65535 || p.heads > 65535) {
    return cudaErrorInvalidValue;
  }
  if (p.seqlen == 0) return cudaSuccess;
  switch (dtype) {
    case DataType::BF16: return launch_prefill_dtype<__nv_bfloat16>(p, stream);
    case DataType::FP16: return launch_prefill_dtype<__half>(p, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace infeval::kernels

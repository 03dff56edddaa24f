// Launch of the pool-adapter pooling kernel (pool_adapter.cuh); bf16, fp16 and fp32 instantiations.
#include "model/kernels/pool_adapter.cuh"

namespace infeval::kernels {
namespace {

template <typename T>
cudaError_t launch_pool(const PoolTokensParams& p, cudaStream_t stream) {
  constexpr int kVec = 16 / sizeof(T);
  if (p.channels % kVec != 0 || p.channels / kVec > kPoolThreads * kPoolMaxVecs) return cudaErrorInvalidValue;
  const dim3 grid(p.pool * p.pool, p.batch);
  pool_tokens_kernel<T><<<grid, kPoolThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace

cudaError_t pool_tokens_launch(const PoolTokensParams& p, DataType dtype, cudaStream_t stream) {
  if (p.pool <= 0 || p.grid <= 0 || p.grid % p.pool != 0 || p.channels <= 0 || p.batch < 0 || p.batch > 65535 ||
      (p.ln_weight == nullptr) != (p.ln_bias == nullptr)) {
    return cudaErrorInvalidValue;
  }
  if (p.batch == 0) return cudaSuccess;
  switch (dtype) {
    case DataType::BF16: return launch_pool<__nv_bfloat16>(p, stream);
    case DataType::FP16: return launch_pool<__half>(p, stream);
    case DataType::FP32: return launch_pool<float>(p, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace infeval::kernels

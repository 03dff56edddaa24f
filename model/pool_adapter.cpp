#include "model/pool_adapter.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#ifdef INFEVAL_HAVE_CUDA
#include "model/kernels/ops.h"
#endif

namespace infeval {

at::Tensor pool_tokens_forward(const at::Tensor& x, int64_t pool) {
  const int64_t B = x.size(0), N = x.size(1) - 1, C = x.size(2);
  const int64_t s = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(N))));
  if (s * s != N || pool <= 0 || s % pool != 0) {
    throw InputError(fmt::format("pool-adapter: {} patch tokens do not form a square grid divisible into {}x{} "
                                 "windows; hint: image_size / patch_size must be a multiple of pool_out_size",
                                 N, pool, pool));
  }
#ifdef INFEVAL_HAVE_CUDA
  if (x.is_cuda()) return kernels::pool_tokens(x.contiguous(), pool, c10::nullopt, c10::nullopt, 0.0);
#endif
  const int64_t k = s / pool;
  // [B, s, s, C] -> [B, P, k, P, k, C]; mean over the two window axes.
  const at::Tensor grid = x.narrow(1, 1, N).reshape({B, pool, k, pool, k, C});
  return grid.mean({2, 4}).reshape({B, pool * pool, C});
}

at::Tensor pool_adapter_mlp(const PoolAdapterWeights& w, const at::Tensor& pooled) {
  const at::Tensor x = pooled.to(w.fc1_weight.scalar_type());
  return torch::linear(torch::gelu(torch::linear(x, w.fc1_weight, w.fc1_bias)), w.fc2_weight, w.fc2_bias);
}

at::Tensor pool_adapter_forward(const PoolAdapterWeights& weights, int64_t pool, const at::Tensor& x) {
  return pool_adapter_mlp(weights, pool_tokens_forward(x, pool));
}

}  // namespace infeval

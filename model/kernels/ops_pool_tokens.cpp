// Torch adapter of the pool-adapter pooling kernel (optionally with ln_vision fused in front).
#ifdef INFEVAL_HAVE_CUDA

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <algorithm>
#include <cmath>

#include "model/kernels/ops.h"
#include "model/kernels/ops_common.h"
#include "model/kernels/pool_adapter.h"

namespace infeval::kernels {

at::Tensor pool_tokens(const at::Tensor& x_in, int64_t pool, const c10::optional<at::Tensor>& ln_weight,
                       const c10::optional<at::Tensor>& ln_bias, double eps) {
  TORCH_CHECK(x_in.dim() == 3, "pool_tokens: x must be [B, 1 + N, C], got ", x_in.sizes());
  check_cuda_tensor(x_in, "pool_tokens: x", x_in);
  const DataType dtype = kernel_dtype(x_in, "pool_tokens: x", /*allow_fp32=*/true);
  const int64_t B = x_in.size(0), N = x_in.size(1) - 1, C = x_in.size(2);
  const int64_t s = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(std::max<int64_t>(N, 0)))));
  TORCH_CHECK(N >= 1 && s * s == N, "pool_tokens: the ", N, " patch tokens (after the cls token) are not a square grid");
  TORCH_CHECK(pool >= 1 && s % pool == 0, "pool_tokens: grid side ", s, " is not divisible by pool ", pool);
  const int64_t vec = 16 / static_cast<int64_t>(x_in.element_size());
  TORCH_CHECK(C % vec == 0 && C / vec <= 1024, "pool_tokens: channels C = ", C, " must be a multiple of ", vec,
              " and at most ", 1024 * vec);
  TORCH_CHECK(B <= 65535, "pool_tokens: batch too large: ", B);
  TORCH_CHECK(ln_weight.has_value() == ln_bias.has_value(), "pool_tokens: give both ln_weight and ln_bias or neither");

  c10::cuda::CUDAGuard guard(x_in.device());
  const at::Tensor x = vector_loadable(x_in);
  at::Tensor w, b;
  if (ln_weight.has_value()) {
    TORCH_CHECK(ln_weight->numel() == C && ln_bias->numel() == C, "pool_tokens: ln_weight/ln_bias must have C = ", C,
                " elements");
    check_cuda_tensor(*ln_weight, "pool_tokens: ln_weight", x_in);
    check_cuda_tensor(*ln_bias, "pool_tokens: ln_bias", x_in);
    w = ln_weight->to(at::kFloat).contiguous();
    b = ln_bias->to(at::kFloat).contiguous();
  }
  at::Tensor out = at::empty({B, pool * pool, C}, x.options());
  if (B == 0) return out;

  PoolTokensParams p;
  p.x = x.data_ptr();
  p.x_batch_stride = x.stride(0);
  p.x_token_stride = x.stride(1);
  p.out = out.data_ptr();
  p.ln_weight = w.defined() ? w.data_ptr<float>() : nullptr;
  p.ln_bias = b.defined() ? b.data_ptr<float>() : nullptr;
  p.batch = static_cast<int>(B);
  p.grid = static_cast<int>(s);
  p.pool = static_cast<int>(pool);
  p.channels = static_cast<int>(C);
  p.eps = static_cast<float>(eps);
  C10_CUDA_CHECK(pool_tokens_launch(p, dtype, at::cuda::getCurrentCUDAStream()));
  return out;
}

}  // namespace infeval::kernels

#endif  // INFEVAL_HAVE_CUDA

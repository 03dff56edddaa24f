// GPU tests of the pool-adapter pooling kernel (model/kernels/pool_adapter.*), with and without the fused
// ln_vision LayerNorm, against the plain fp32 reference with the 2 x naive-error rule (naive = LibTorch
// layer_norm in fp32 cast back to the dtype, then adaptive_avg_pool2d in the dtype, as the reference model does).
// Label gpu; skips without a CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/kernels/reference/pool_reference.h"
#include "tests/kernels/kernel_test_util.h"
#ifdef INFEVAL_HAVE_CUDA
#include "model/kernels/ops.h"
#endif

namespace kt = infeval::kernels::test;

namespace {

struct PoolCase {
  int B, s, pool, C;
  bool layer_norm;
  torch::ScalarType dtype;
};

std::string case_name(const ::testing::TestParamInfo<PoolCase>& info) {
  const PoolCase& c = info.param;
  std::ostringstream os;
  os << "B" << c.B << "_grid" << c.s << "_pool" << c.pool << "_C" << c.C << (c.layer_norm ? "_ln" : "")
     << (c.dtype == torch::kHalf ? "_fp16" : c.dtype == torch::kFloat ? "_fp32" : "_bf16");
  return os.str();
}

torch::Tensor run_kernel(const torch::Tensor& x, int64_t pool, const c10::optional<torch::Tensor>& w,
                         const c10::optional<torch::Tensor>& b, double eps) {
#ifdef INFEVAL_HAVE_CUDA
  return infeval::kernels::pool_tokens(x, pool, w, b, eps);
#else
  (void)x, (void)pool, (void)w, (void)b, (void)eps;
  throw std::logic_error("pool_tokens: built without CUDA");
#endif
}

class PoolTokensTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolTokensTest, MatchesFp32Reference) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  const PoolCase c = GetParam();
  torch::manual_seed(3000 + c.s + c.C + c.B);
  const double eps = 1e-5;
  const int N = c.s * c.s;
  // Offset and scale like real ViT activations so that LayerNorm has work to do.
  const torch::Tensor x = (torch::randn({c.B, 1 + N, c.C}) * 3 + 0.5).to(c.dtype).to(torch::kCUDA);
  torch::Tensor w, b;
  std::vector<float> w_vec, b_vec;
  if (c.layer_norm) {
    w = (torch::rand({c.C}) + 0.5).to(torch::kCUDA);
    b = (torch::randn({c.C}) * 0.1).to(torch::kCUDA);
    w_vec = kt::to_vector(w);
    b_vec = kt::to_vector(b);
  }
  const std::vector<float> ref =
      infeval::kernels::reference::pool_tokens(kt::to_vector(x), c.B, c.s, c.C, c.pool, w_vec, b_vec, eps);
  const torch::Tensor ref32 = kt::from_vector(ref, {c.B, c.pool * c.pool, c.C});

  torch::Tensor y = x;
  if (c.layer_norm) y = torch::layer_norm(x.to(torch::kFloat), {c.C}, w, b, eps).to(c.dtype);
  const torch::Tensor grid = y.narrow(1, 1, N).reshape({c.B, c.s, c.s, c.C}).permute({0, 3, 1, 2});
  const torch::Tensor naive = torch::adaptive_avg_pool2d(grid, {c.pool, c.pool}).flatten(2).transpose(1, 2);

  kt::poison_cuda_allocator(static_cast<int64_t>(c.B) * c.pool * c.pool * c.C * x.element_size());
  const torch::Tensor out = c.layer_norm ? run_kernel(x, c.pool, w, b, eps)
                                         : run_kernel(x, c.pool, c10::nullopt, c10::nullopt, eps);
  ASSERT_EQ(out.sizes(), ref32.sizes());
  ASSERT_EQ(out.scalar_type(), c.dtype);
  // fp32: both paths sit at float rounding (~1e-7 relative, outputs up to ~5); the slack absorbs the kernel's
  // fast-math rsqrt/division. bf16/fp16: the default slack.
  const double slack = c.dtype == torch::kFloat ? 2e-5 : 1e-6;
  const ::testing::AssertionResult result = kt::within_naive_bound(case_name({c, 0}).c_str(), out, naive, ref32, slack);
  std::cout << result.message() << "\n";  // the error figures, also on success
  EXPECT_TRUE(result);
}

// 448 px: 32 x 32 -> 16 x 16 (1025 tokens); 224 px: 16 x 16 -> 8 x 8 (257 tokens); width 1408 = 176 16-byte
// vectors of bf16 (not a multiple of the 256 threads); a tiny grid; batch 1 and 3; bf16, fp16, fp32.
INSTANTIATE_TEST_SUITE_P(Shapes, PoolTokensTest,
                         ::testing::Values(PoolCase{1, 4, 2, 1408, false, torch::kBFloat16},
                                           PoolCase{3, 4, 2, 1408, true, torch::kBFloat16},
                                           PoolCase{3, 32, 16, 1408, true, torch::kBFloat16},
                                           PoolCase{3, 32, 16, 1408, false, torch::kBFloat16},
                                           PoolCase{2, 16, 8, 1408, true, torch::kBFloat16},
                                           PoolCase{1, 16, 8, 1408, true, torch::kHalf},
                                           PoolCase{3, 32, 16, 1408, true, torch::kFloat},
                                           PoolCase{1, 3, 1, 64, true, torch::kBFloat16},
                                           PoolCase{1, 6, 2, 2056, true, torch::kBFloat16}),
                         case_name);

TEST(PoolTokens, RejectsNonSquareGridAndIndivisiblePool) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  const torch::Tensor x = torch::randn({1, 1 + 15, 64}).to(torch::kBFloat16).to(torch::kCUDA);
  EXPECT_THROW(run_kernel(x, 1, c10::nullopt, c10::nullopt, 1e-5), c10::Error);
  const torch::Tensor y = torch::randn({1, 1 + 16, 64}).to(torch::kBFloat16).to(torch::kCUDA);
  EXPECT_THROW(run_kernel(y, 3, c10::nullopt, c10::nullopt, 1e-5), c10::Error);
}

}  // namespace

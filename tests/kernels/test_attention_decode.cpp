// GPU tests of the decode attention kernel (model/kernels/attention_decode.*): beam-shared prefix K/V
// [Q, H, P, D] with left padding (prefix_start) + per-sequence suffix K/V [S, H, T, D]; split-KV and single-split
// paths; against the plain fp32 reference with the 2 x naive-error rule (naive = LibTorch ops in the same dtype on
// the prefix expanded per beam). Label gpu; skips without a CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/kernels/reference/attention_reference.h"
#include "tests/kernels/kernel_test_util.h"
#ifdef INFEVAL_HAVE_CUDA
#include "model/kernels/ops.h"
#endif

namespace kt = infeval::kernels::test;

namespace {

struct DecodeCase {
  int Q, beams, H, P, T, L, D;  // groups, beams per group, heads, prefix len, suffix capacity, suffix_len, head dim
  bool padded;                  // group g's prefix starts at (g + 1) * P / (Q + 2)
  torch::ScalarType dtype;
};

std::string case_name(const ::testing::TestParamInfo<DecodeCase>& info) {
  const DecodeCase& c = info.param;
  std::ostringstream os;
  os << "Q" << c.Q << "_beams" << c.beams << "_H" << c.H << "_P" << c.P << "_T" << c.T << "_L" << c.L << "_D" << c.D
     << (c.padded ? "_padded" : "") << (c.dtype == torch::kHalf ? "_fp16" : "_bf16");
  return os.str();
}

torch::Tensor run_kernel(const torch::Tensor& q, const torch::Tensor& pk, const torch::Tensor& pv,
                         const torch::Tensor& starts, const torch::Tensor& sk, const torch::Tensor& sv, int64_t L,
                         int64_t beams, double scale) {
#ifdef INFEVAL_HAVE_CUDA
  return infeval::kernels::attention_decode(q, pk, pv, starts, sk, sv, L, beams, scale);
#else
  (void)q, (void)pk, (void)pv, (void)starts, (void)sk, (void)sv, (void)L, (void)beams, (void)scale;
  throw std::logic_error("attention_decode: built without CUDA");
#endif
}

// LibTorch ops in the input dtype: expand the prefix per beam, append the suffix, mask padding, softmax, matmul.
torch::Tensor naive_decode(const torch::Tensor& q, const torch::Tensor& pk, const torch::Tensor& pv,
                           const std::vector<int32_t>& starts, const torch::Tensor& sk, const torch::Tensor& sv,
                           int64_t L, int64_t beams, double scale) {
  const int64_t S = q.size(0), P = pk.size(2);
  const torch::Tensor group = torch::arange(S, torch::kLong).div(beams, "floor").to(q.device());
  const torch::Tensor keys = torch::cat({pk.index_select(0, group), sk.narrow(2, 0, L)}, 2);    // [S, H, P+L, D]
  const torch::Tensor values = torch::cat({pv.index_select(0, group), sv.narrow(2, 0, L)}, 2);
  torch::Tensor s = torch::matmul(q.unsqueeze(2), keys.transpose(-2, -1)) * scale;              // [S, H, 1, P+L]
  std::vector<int64_t> start_per_seq;
  for (int64_t i = 0; i < S; ++i) start_per_seq.push_back(starts[i / beams]);
  const torch::Tensor j = torch::arange(P + L, torch::kLong).view({1, 1, 1, P + L});
  const torch::Tensor st = torch::tensor(start_per_seq, torch::kLong).view({S, 1, 1, 1});
  const torch::Tensor visible = j.ge(st).logical_or(j.ge(P)).to(q.device());
  s = s.masked_fill(visible.logical_not(), -std::numeric_limits<float>::infinity());
  const torch::Tensor p = torch::nan_to_num(torch::softmax(s, -1), 0.0);
  return torch::matmul(p, values).squeeze(2);
}

class AttentionDecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(AttentionDecodeTest, MatchesFp32Reference) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  const DecodeCase c = GetParam();
  torch::manual_seed(2000 + c.P * 3 + c.Q + c.beams);
  const int S = c.Q * c.beams;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.D));
  auto make = [&](std::vector<int64_t> sizes) { return torch::randn(sizes).to(c.dtype).to(torch::kCUDA); };
  const torch::Tensor q = make({S, c.H, c.D});
  // The prefix cache is a view into a larger buffer (capacity P + 5) to exercise non-contiguous strides.
  const torch::Tensor pk = make({c.Q, c.H, c.P + 5, c.D}).narrow(2, 0, c.P);
  const torch::Tensor pv = make({c.Q, c.H, c.P + 5, c.D}).narrow(2, 0, c.P);
  const torch::Tensor sk = make({S, c.H, c.T, c.D});
  const torch::Tensor sv = make({S, c.H, c.T, c.D});
  std::vector<int32_t> starts;
  for (int g = 0; g < c.Q; ++g) {
    starts.push_back(c.padded ? static_cast<int32_t>((static_cast<int64_t>(g) + 1) * c.P / (c.Q + 2)) : 0);
  }
  const torch::Tensor starts_dev =
      torch::tensor(std::vector<int64_t>(starts.begin(), starts.end())).to(torch::kInt).to(torch::kCUDA);

  const std::vector<float> ref = infeval::kernels::reference::attention_decode(
      kt::to_vector(q), kt::to_vector(pk), kt::to_vector(pv), starts, kt::to_vector(sk), kt::to_vector(sv), c.Q,
      c.beams, c.H, c.P, c.T, c.D, c.L, scale);
  const torch::Tensor ref32 = kt::from_vector(ref, {S, c.H, c.D});
  const torch::Tensor naive = naive_decode(q, pk, pv, starts, sk, sv, c.L, c.beams, scale);

  kt::poison_cuda_allocator(q.numel() * q.element_size());
  const torch::Tensor out = run_kernel(q, pk, pv, starts_dev, sk, sv, c.L, c.beams, scale);
  ASSERT_EQ(out.sizes(), q.sizes());
  const ::testing::AssertionResult result = kt::within_naive_bound(case_name({c, 0}).c_str(), out, naive, ref32);
  std::cout << result.message() << "\n";  // the error figures, also on success
  EXPECT_TRUE(result);
}

// Prefix lengths 1, 113, 257, 300, 1025; beams 1, 5, 8; suffix lengths 0..10; few (split-KV path) and many
// (single-split path: Q x H >= 4 x SMs) CTAs.
INSTANTIATE_TEST_SUITE_P(Shapes, AttentionDecodeTest,
                         ::testing::Values(DecodeCase{1, 5, 2, 1, 4, 0, 128, false, torch::kBFloat16},
                                           DecodeCase{3, 5, 2, 113, 12, 3, 128, true, torch::kBFloat16},
                                           DecodeCase{2, 5, 2, 257, 12, 10, 128, true, torch::kBFloat16},
                                           DecodeCase{1, 1, 2, 1025, 4, 1, 128, false, torch::kBFloat16},
                                           DecodeCase{3, 1, 2, 300, 12, 7, 128, true, torch::kBFloat16},
                                           DecodeCase{1, 8, 2, 64, 2, 2, 128, false, torch::kBFloat16},
                                           DecodeCase{2, 5, 2, 113, 12, 3, 88, true, torch::kBFloat16},
                                           DecodeCase{3, 5, 2, 113, 70, 66, 128, true, torch::kHalf},
                                           DecodeCase{20, 5, 32, 300, 12, 10, 128, true, torch::kBFloat16}),
                         case_name);

TEST(AttentionDecode, NoVisibleKeyGivesZeros) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  torch::manual_seed(3);
  const int Q = 2, beams = 5, S = Q * beams, H = 2, P = 100, T = 4, D = 128;
  auto make = [&](std::vector<int64_t> sizes) { return torch::randn(sizes).to(torch::kBFloat16).to(torch::kCUDA); };
  const torch::Tensor q = make({S, H, D});
  // Group 1 is all padding and no token has been generated yet.
  const torch::Tensor starts = torch::tensor(std::vector<int64_t>{10, P}).to(torch::kInt).to(torch::kCUDA);
  kt::poison_cuda_allocator(q.numel() * q.element_size());
  const torch::Tensor out = run_kernel(q, make({Q, H, P, D}), make({Q, H, P, D}), starts, make({S, H, T, D}),
                                       make({S, H, T, D}), 0, beams, 0.1)
                                .to(torch::kCPU)
                                .to(torch::kFloat);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  EXPECT_EQ(out.narrow(0, beams, beams).abs().max().item<float>(), 0.0f);
  EXPECT_GT(out.narrow(0, 0, beams).abs().max().item<float>(), 0.0f);
}

}  // namespace

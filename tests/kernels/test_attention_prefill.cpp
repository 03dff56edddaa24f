// GPU tests of the fused prefill attention kernel (model/kernels/attention_prefill.*) against the plain fp32
// reference on odd shapes; label gpu, skip without a CUDA device. Rule: max|kernel - ref32| <= 2 x max|naive - ref32|
// where "naive" is matmul -> masked softmax -> matmul with LibTorch ops in the kernel's dtype; NaN fails.
#include <gtest/gtest.h>
#include <torch/torch.h>

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

struct PrefillCase {
  int B, H, S, D;
  bool causal;
  bool padded;   // left padding: batch row b masks keys < (b + 1) * S / (B + 2)
  bool strided;  // q, k, v are views into one [B, S, 3, H, D] qkv tensor (the ViT layout)
  torch::ScalarType dtype;
};

std::string case_name(const ::testing::TestParamInfo<PrefillCase>& info) {
  const PrefillCase& c = info.param;
  std::ostringstream os;
  os << "B" << c.B << "_H" << c.H << "_S" << c.S << "_D" << c.D << (c.causal ? "_causal" : "_full")
     << (c.padded ? "_padded" : "") << (c.strided ? "_strided" : "") << (c.dtype == torch::kHalf ? "_fp16" : "_bf16");
  return os.str();
}

torch::Tensor run_kernel(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const c10::optional<torch::Tensor>& key_start, bool causal, double scale) {
#ifdef INFEVAL_HAVE_CUDA
  return infeval::kernels::attention_prefill(q, k, v, key_start, causal, scale);
#else
  (void)q, (void)k, (void)v, (void)key_start, (void)causal, (void)scale;
  throw std::logic_error("attention_prefill: built without CUDA");
#endif
}

// Visible-key mask [B, 1, S, S] (true = visible) on the device of `like`.
torch::Tensor visible_mask(const std::vector<int32_t>& starts, int B, int S, bool causal, const torch::Tensor& like) {
  torch::Tensor j = torch::arange(S, torch::kLong).view({1, 1, 1, S});
  torch::Tensor i = torch::arange(S, torch::kLong).view({1, 1, S, 1});
  std::vector<int64_t> s64(starts.begin(), starts.end());
  if (s64.empty()) s64.assign(B, 0);
  torch::Tensor start = torch::tensor(s64, torch::kLong).view({B, 1, 1, 1});
  torch::Tensor mask = j.ge(start).expand({B, 1, S, S});
  if (causal) mask = mask.logical_and(j.le(i));
  return mask.to(like.device());
}

// The same math with LibTorch ops in the input dtype (rows with no visible key -> 0).
torch::Tensor naive_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& mask, double scale) {
  torch::Tensor s = torch::matmul(q, k.transpose(-2, -1)) * scale;
  s = s.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  torch::Tensor p = torch::nan_to_num(torch::softmax(s, -1), 0.0);
  return torch::matmul(p, v);
}

class AttentionPrefillTest : public ::testing::TestWithParam<PrefillCase> {};

TEST_P(AttentionPrefillTest, MatchesFp32Reference) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  const PrefillCase c = GetParam();
  torch::manual_seed(1000 + c.S * 7 + c.D + c.B);
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.D));

  torch::Tensor q, k, v;
  if (c.strided) {
    torch::Tensor qkv = torch::randn({c.B, c.S, 3, c.H, c.D}).to(c.dtype).to(torch::kCUDA);
    q = qkv.select(2, 0).permute({0, 2, 1, 3});
    k = qkv.select(2, 1).permute({0, 2, 1, 3});
    v = qkv.select(2, 2).permute({0, 2, 1, 3});
  } else {
    q = torch::randn({c.B, c.H, c.S, c.D}).to(c.dtype).to(torch::kCUDA);
    k = torch::randn({c.B, c.H, c.S, c.D}).to(c.dtype).to(torch::kCUDA);
    v = torch::randn({c.B, c.H, c.S, c.D}).to(c.dtype).to(torch::kCUDA);
  }
  std::vector<int32_t> starts;
  c10::optional<torch::Tensor> key_start;
  if (c.padded) {
    for (int b = 0; b < c.B; ++b) starts.push_back(static_cast<int32_t>((static_cast<int64_t>(b) + 1) * c.S / (c.B + 2)));
    key_start = torch::tensor(std::vector<int64_t>(starts.begin(), starts.end())).to(torch::kInt).to(torch::kCUDA);
  }

  const std::vector<float> ref = infeval::kernels::reference::attention_prefill(
      kt::to_vector(q), kt::to_vector(k), kt::to_vector(v), c.B, c.H, c.S, c.D, starts, c.causal, scale);
  const torch::Tensor ref32 = kt::from_vector(ref, {c.B, c.H, c.S, c.D});
  const torch::Tensor naive = naive_attention(q, k, v, visible_mask(starts, c.B, c.S, c.causal, q), scale);

  kt::poison_cuda_allocator(q.numel() * q.element_size());
  const torch::Tensor out = run_kernel(q, k, v, key_start, c.causal, scale);
  ASSERT_EQ(out.sizes(), q.sizes());
  ASSERT_EQ(out.scalar_type(), c.dtype);
  const ::testing::AssertionResult result = kt::within_naive_bound(case_name({c, 0}).c_str(), out, naive, ref32);
  std::cout << result.message() << "\n";  // the error figures, also on success
  EXPECT_TRUE(result);

  // Causal + padding: queries before key_start see no key and must be exactly zero (documented behaviour).
  if (c.causal && c.padded) {
    const torch::Tensor out_cpu = out.to(torch::kCPU).to(torch::kFloat);
    for (int b = 0; b < c.B; ++b) {
      if (starts[b] == 0) continue;
      const torch::Tensor rows = out_cpu[b].narrow(1, 0, starts[b]);
      EXPECT_EQ(rows.abs().max().item<float>(), 0.0f) << "batch " << b << ": fully masked rows 0.." << starts[b] - 1
                                                      << " are not zero";
    }
  }
}

// Odd sequence lengths (1, 113, 257, 1025), batch 1 and 3, head dims 88 (ViT, padded to 96 inside) and 128 (LLM).
INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionPrefillTest,
    ::testing::Values(
        // ViT: non-causal, d 88
        PrefillCase{1, 2, 1, 88, false, false, false, torch::kBFloat16},
        PrefillCase{3, 2, 113, 88, false, false, false, torch::kBFloat16},
        PrefillCase{1, 3, 257, 88, false, false, true, torch::kBFloat16},
        PrefillCase{3, 2, 1025, 88, false, false, true, torch::kBFloat16},
        PrefillCase{2, 2, 257, 88, false, false, false, torch::kHalf},
        // LLM: causal with left padding, d 128
        PrefillCase{1, 2, 1, 128, true, true, false, torch::kBFloat16},
        PrefillCase{3, 2, 113, 128, true, true, false, torch::kBFloat16},
        PrefillCase{3, 2, 257, 128, true, true, false, torch::kBFloat16},
        PrefillCase{1, 2, 1025, 128, true, true, false, torch::kBFloat16},
        PrefillCase{3, 2, 300, 128, true, true, false, torch::kHalf},
        // the other mask combinations and another head dim
        PrefillCase{3, 2, 113, 128, true, false, false, torch::kBFloat16},
        PrefillCase{3, 2, 257, 128, false, true, false, torch::kBFloat16},
        PrefillCase{1, 2, 1025, 128, false, false, true, torch::kBFloat16},
        PrefillCase{3, 2, 113, 64, true, true, false, torch::kBFloat16}),
    case_name);

TEST(AttentionPrefill, FullyPaddedBatchRowIsZero) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  torch::manual_seed(7);
  const int B = 2, H = 2, S = 70, D = 128;
  const torch::Tensor q = torch::randn({B, H, S, D}).to(torch::kBFloat16).to(torch::kCUDA);
  const torch::Tensor k = torch::randn({B, H, S, D}).to(torch::kBFloat16).to(torch::kCUDA);
  const torch::Tensor v = torch::randn({B, H, S, D}).to(torch::kBFloat16).to(torch::kCUDA);
  // Batch row 1 is all padding (key_start = S): every query of it sees nothing, causal or not.
  const torch::Tensor starts = torch::tensor(std::vector<int64_t>{3, S}).to(torch::kInt).to(torch::kCUDA);
  for (bool causal : {false, true}) {
    kt::poison_cuda_allocator(q.numel() * q.element_size());
    const torch::Tensor out = run_kernel(q, k, v, starts, causal, 0.1).to(torch::kCPU).to(torch::kFloat);
    EXPECT_EQ(out[1].abs().max().item<float>(), 0.0f) << "causal=" << causal;
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>()) << "causal=" << causal;
  }
}

TEST(AttentionPrefill, RejectsUnsupportedInputs) {
  std::string why;
  if (!kt::kernels_runnable(&why)) GTEST_SKIP() << why;
  const torch::Tensor q = torch::randn({1, 1, 8, 100}).to(torch::kBFloat16).to(torch::kCUDA);  // D % 8 != 0
  EXPECT_THROW(run_kernel(q, q, q, c10::nullopt, false, 1.0), c10::Error);
  const torch::Tensor f = torch::randn({1, 1, 8, 64}, torch::TensorOptions().device(torch::kCUDA));  // fp32
  EXPECT_THROW(run_kernel(f, f, f, c10::nullopt, false, 1.0), c10::Error);
}

}  // namespace

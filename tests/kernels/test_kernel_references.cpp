// CPU tests of the plain kernel references (model/kernels/reference/) against hand-derived cases. They need no
// GPU and never skip: the GPU kernel tests trust these references as ground truth.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/kernels/reference/attention_reference.h"
#include "model/kernels/reference/pool_reference.h"

namespace ref = infeval::kernels::reference;

namespace {

// Two queries, two keys, D = 2, scale 1: q0 = k0 = e_0, q1 = k1 = e_1, so q_i . k_j = [i == j].
// Softmax weights of the matching key: e / (1 + e); of the other: 1 / (1 + e).
const std::vector<float> kQ = {1, 0, 0, 1};
const std::vector<float> kK = {1, 0, 0, 1};
const std::vector<float> kV = {1, 2, 3, 4};  // v0 = (1, 2), v1 = (3, 4)
const double kE = std::exp(1.0);

TEST(KernelReference, AttentionNonCausalByHand) {
  const std::vector<float> out = ref::attention_prefill(kQ, kK, kV, 1, 1, 2, 2, {}, false, 1.0);
  const double a = kE / (1 + kE), b = 1 / (1 + kE);
  EXPECT_NEAR(out[0], a * 1 + b * 3, 1e-6);  // row 0 leans to v0
  EXPECT_NEAR(out[1], a * 2 + b * 4, 1e-6);
  EXPECT_NEAR(out[2], b * 1 + a * 3, 1e-6);  // row 1 leans to v1
  EXPECT_NEAR(out[3], b * 2 + a * 4, 1e-6);
}

TEST(KernelReference, AttentionScaleEntersTheExponent) {
  // scale 2: matching key weight e^2 / (1 + e^2).
  const std::vector<float> out = ref::attention_prefill(kQ, kK, kV, 1, 1, 2, 2, {}, false, 2.0);
  const double a = kE * kE / (1 + kE * kE);
  EXPECT_NEAR(out[0], a * 1 + (1 - a) * 3, 1e-6);
}

TEST(KernelReference, AttentionCausalByHand) {
  const std::vector<float> out = ref::attention_prefill(kQ, kK, kV, 1, 1, 2, 2, {}, true, 1.0);
  EXPECT_NEAR(out[0], 1.0, 1e-6);  // row 0 sees only key 0
  EXPECT_NEAR(out[1], 2.0, 1e-6);
  const double a = kE / (1 + kE), b = 1 / (1 + kE);
  EXPECT_NEAR(out[2], b * 1 + a * 3, 1e-6);
  EXPECT_NEAR(out[3], b * 2 + a * 4, 1e-6);
}

TEST(KernelReference, AttentionLeftPaddingMasksKeysAndZeroesEmptyRows) {
  // key_start = 1: key 0 is padding. Causal row 0 sees nothing -> zeros; row 1 sees only key 1 -> v1.
  const std::vector<float> out = ref::attention_prefill(kQ, kK, kV, 1, 1, 2, 2, {1}, true, 1.0);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_NEAR(out[2], 3.0, 1e-6);
  EXPECT_NEAR(out[3], 4.0, 1e-6);
  // Non-causal: both rows see only key 1.
  const std::vector<float> nc = ref::attention_prefill(kQ, kK, kV, 1, 1, 2, 2, {1}, false, 1.0);
  EXPECT_NEAR(nc[0], 3.0, 1e-6);
  EXPECT_NEAR(nc[3], 4.0, 1e-6);
}

TEST(KernelReference, AttentionBatchAndHeadLayout) {
  // B = 2, H = 1: batch 1 holds the same data with v doubled; key_start only masks batch 1.
  std::vector<float> q = kQ, k = kK, v = kV;
  q.insert(q.end(), kQ.begin(), kQ.end());
  k.insert(k.end(), kK.begin(), kK.end());
  for (float x : kV) v.push_back(2 * x);
  const std::vector<float> out = ref::attention_prefill(q, k, v, 2, 1, 2, 2, {0, 1}, false, 1.0);
  const double a = kE / (1 + kE), b = 1 / (1 + kE);
  EXPECT_NEAR(out[0], a * 1 + b * 3, 1e-6);  // batch 0 unmasked
  EXPECT_NEAR(out[4], 6.0, 1e-6);            // batch 1, row 0: only key 1, v1 doubled = (6, 8)
  EXPECT_NEAR(out[5], 8.0, 1e-6);
}

TEST(KernelReference, DecodeSharedPrefixAndSuffixByHand) {
  // One group, 2 beams, H = 1, D = 2, P = 2 with prefix_start 1 (prefix key 0 is padding full of large values
  // that would dominate if it leaked), T = 2 with suffix_len 1.
  const int Q = 1, beams = 2, H = 1, P = 2, T = 2, D = 2;
  const std::vector<float> q = {1, 0, 0, 1};                 // beam 0: e_0; beam 1: e_1
  const std::vector<float> pk = {100, 100, 0, 0};            // key 0 (masked), key 1 = 0 -> score 0
  const std::vector<float> pv = {-50, -50, 4, 0};            // v(key 1) = (4, 0)
  const float ln3 = static_cast<float>(std::log(3.0));
  const std::vector<float> sk = {ln3, 0, 9, 9,               // beam 0: suffix key 0 -> score ln 3; key 1 unused
                                 0, 0, 9, 9};                // beam 1: score 0
  const std::vector<float> sv = {0, 8, 7, 7,                 // beam 0: v = (0, 8)
                                 2, 2, 7, 7};                // beam 1: v = (2, 2)
  const std::vector<float> out = ref::attention_decode(q, pk, pv, {1}, sk, sv, Q, beams, H, P, T, D, 1, 1.0);
  // beam 0: weights 1/4 (prefix) and 3/4 (suffix): (1, 6). beam 1: 1/2 each: (3, 1).
  EXPECT_NEAR(out[0], 1.0, 1e-6);
  EXPECT_NEAR(out[1], 6.0, 1e-6);
  EXPECT_NEAR(out[2], 3.0, 1e-6);
  EXPECT_NEAR(out[3], 1.0, 1e-6);
}

TEST(KernelReference, DecodeWithNoVisibleKeyIsZero) {
  const std::vector<float> out =
      ref::attention_decode({1, 1}, {5, 5}, {5, 5}, {1}, {5, 5}, {5, 5}, 1, 1, 1, 1, 1, 2, 0, 1.0);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
}

TEST(KernelReference, PoolMeansTheRightGridWindows) {
  // s = 4, pool 2, C = 1: patch token (r, c) holds r * 4 + c; the cls token holds 1000 and must be dropped.
  // Output (i, j) = mean of cells (2i..2i+1, 2j..2j+1) = 8i + 2j + (0 + 1 + 4 + 5) / 4.
  std::vector<float> x = {1000};
  for (int t = 0; t < 16; ++t) x.push_back(static_cast<float>(t));
  const std::vector<float> out = ref::pool_tokens(x, 1, 4, 1, 2, {}, {}, 1e-5);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_FLOAT_EQ(out[0], 2.5f);   // (0, 0)
  EXPECT_FLOAT_EQ(out[1], 4.5f);   // (0, 1)
  EXPECT_FLOAT_EQ(out[2], 10.5f);  // (1, 0)
  EXPECT_FLOAT_EQ(out[3], 12.5f);  // (1, 1)
}

TEST(KernelReference, PoolAppliesLayerNormPerTokenBeforeMeaning) {
  // s = 1, pool 1, C = 4: token (1, 2, 3, 4) has mean 2.5, variance 1.25; weight (1, 2, 1, 1), bias (0, 0, 0, 1).
  const std::vector<float> x = {9, 9, 9, 9, 1, 2, 3, 4};
  const double eps = 1e-5;
  const double r = 1.0 / std::sqrt(1.25 + eps);
  const std::vector<float> out = ref::pool_tokens(x, 1, 1, 4, 1, {1, 2, 1, 1}, {0, 0, 0, 1}, eps);
  EXPECT_NEAR(out[0], -1.5 * r, 1e-6);
  EXPECT_NEAR(out[1], -0.5 * r * 2, 1e-6);
  EXPECT_NEAR(out[2], 0.5 * r, 1e-6);
  EXPECT_NEAR(out[3], 1.5 * r + 1, 1e-6);
  // Two tokens with different offsets/scales but the same normalised shape pool to that same shape.
  const std::vector<float> x2 = {9, 9, 9, 9, 1, 2, 3, 4, 10, 20, 30, 40, 0, 0, 0, 0, 0, 0, 0, 0};
  // s = 2 would need 4 patch tokens; use B = 1, s = 2, pool 1 with tokens t1, t2 and two constant tokens whose
  // LayerNorm output is 0 * r + bias.
  const std::vector<float> out2 = ref::pool_tokens(x2, 1, 2, 4, 1, {1, 1, 1, 1}, {0, 0, 0, 0}, eps);
  const double r2 = 1.0 / std::sqrt(125.0 + eps);  // variance of (10, 20, 30, 40) is 125
  EXPECT_NEAR(out2[0], (-1.5 * r + -15.0 * r2) / 4, 1e-6);
  EXPECT_NEAR(out2[3], (1.5 * r + 15.0 * r2) / 4, 1e-6);
}

}  // namespace

// EVA ViT + ln_vision and the pool-adapter against the reference fixture's goldens (InfMLLM's own eva_vit.py and
// pooler.py), plus hand-derived pooling cases.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "model/pool_adapter.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

using namespace testing_fixture;

TEST(Vit, OutputAfterLnVisionMatchesGolden) {
  torch::NoGradGuard no_grad;
  const at::Tensor pixels = golden_tensor("pixel_values");
  const at::Tensor expected = golden_tensor("vit_ln_out");
  const at::Tensor features = fixture_model().vision_features(pixels);
  ASSERT_EQ(features.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(features, expected), 1e-4);
}

TEST(Vit, PoolAdapterMatchesGoldenFromGoldenFeatures) {
  torch::NoGradGuard no_grad;
  const at::Tensor expected = golden_tensor("pooled");
  const at::Tensor pooled = fixture_model().visual_tokens(golden_tensor("vit_ln_out"));
  ASSERT_EQ(pooled.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(pooled, expected), 1e-4);
}

TEST(Vit, PixelsToVisualTokensMatchesGolden) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const at::Tensor pooled = model.visual_tokens(model.vision_features(golden_tensor("pixel_values")));
  EXPECT_LE(max_abs_diff(pooled, golden_tensor("pooled")), 1e-4);
}

TEST(PoolAdapter, MeanPoolsNonOverlappingWindowsRowMajor) {
  // 4x4 grid of values r*4+c (one channel) after a cls token of 100; 2x2 windows:
  // (0,0): {0,1,4,5} -> 2.5, (0,1): {2,3,6,7} -> 4.5, (1,0): {8,9,12,13} -> 10.5, (1,1): {10,11,14,15} -> 12.5.
  at::Tensor x = torch::arange(-1, 16, torch::kFloat).view({1, 17, 1}).clone();
  x[0][0][0] = 100.0f;
  const at::Tensor pooled = pool_tokens_forward(x, 2);
  ASSERT_EQ(pooled.sizes(), (std::vector<int64_t>{1, 4, 1}));
  EXPECT_FLOAT_EQ(pooled[0][0][0].item<float>(), 2.5f);
  EXPECT_FLOAT_EQ(pooled[0][1][0].item<float>(), 4.5f);
  EXPECT_FLOAT_EQ(pooled[0][2][0].item<float>(), 10.5f);
  EXPECT_FLOAT_EQ(pooled[0][3][0].item<float>(), 12.5f);
}

TEST(PoolAdapter, GridThatDoesNotDivideIsAnError) {
  const at::Tensor x = torch::zeros({1, 1 + 64, 3});
  EXPECT_THROW(pool_tokens_forward(x, 3), InputError);
  // The fixture's own grid (INFEVAL_REFERENCE_FIXTURE may name another one): a pooled size that does not divide
  // it is refused, the fixture's own pooled size is accepted.
  ModelConfig config = fixture_config();
  const int64_t grid = config.grid_size();
  int64_t not_dividing = 2;
  while (not_dividing < grid && grid % not_dividing == 0) ++not_dividing;
  ASSERT_LT(not_dividing, grid) << "every size below the grid divides it: grid " << grid;
  const int64_t own = config.pool_out_size;
  config.pool_out_size = not_dividing;
  EXPECT_THROW(config.validate(), InputError) << "grid " << grid << ", pooled " << not_dividing;
  config.pool_out_size = own;
  EXPECT_NO_THROW(config.validate());
}

}  // namespace
}  // namespace infeval

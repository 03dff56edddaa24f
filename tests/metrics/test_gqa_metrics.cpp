// GQA answer processing: against the InfMLLM chain's outputs (tests/data/gqa/expected.json) and hand-derived cases.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics/gqa_metrics.h"

namespace infeval {
namespace {

using json = nlohmann::json;

TEST(GqaMetrics, MultitaskChainMatchesInfmllm) {
  std::ifstream results_in(std::string(INFEVAL_TEST_DATA) + "/gqa/multitask_results.json");
  std::ifstream expected_in(std::string(INFEVAL_TEST_DATA) + "/gqa/expected.json");
  const json results = json::parse(results_in);
  const json parsed = json::parse(expected_in)["infmllm"]["parsed"];
  for (const auto& r : results)
    EXPECT_EQ(gqa_infmllm_multitask_answer(r["answer"]), parsed[r["question_id"].get<std::string>()].get<std::string>())
        << r["answer"];
}

TEST(GqaMetrics, HandDerived) {
  EXPECT_EQ(gqa_llava_prediction("Left.."), "left");
  EXPECT_EQ(gqa_llava_prediction("left ."), "left ");
  EXPECT_EQ(gqa_infmllm_multitask_answer("This is a cat"), "");          // "th|is |is |a cat" -> part 1 is ""
  EXPECT_EQ(gqa_infmllm_multitask_answer("a banana stand"), "banan");    // "a " also ends "banana "
  EXPECT_EQ(gqa_infmllm_multitask_answer("piece of cake"), "piece");
  EXPECT_EQ(python_split_part("a-b-c", "-", 1), "b");
  EXPECT_EQ(python_split_part("abc", "-", 0), "abc");
}

TEST(GqaMetrics, DistributionIsWeightedChiSquareOverGroups) {
  // group color: gold red x2, predicted red, blue -> (1-2)^2/2 = 0.5, weight 2; group side: gold left, predicted
  // left -> 0, weight 1. (0.5 * 2 + 0) / 3 / 100.
  std::vector<GqaDistributionItem> items = {{true, "color", "red", "red"},
                                            {true, "color", "red", "blue"},
                                            {true, "side", "left", "left"},
                                            {false, "", "yes", "no"}};
  EXPECT_NEAR(gqa_distribution(items), 1.0 / 3.0 / 100.0, 1e-15);
  EXPECT_EQ(gqa_distribution({{false, "", "yes", "no"}}), 0.0);
}

}  // namespace
}  // namespace infeval

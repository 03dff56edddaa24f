// MME parsing and subtask scores against InfMLLM's calculation_mme.py run on tests/data/mme (see its README).
#include <map>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "metrics/mme.h"

namespace infeval {
namespace {

const std::string kDir = std::string(INFEVAL_TEST_DATA) + "/mme";

TEST(MmeMetrics, ParsingMatchesParsePredAnsPerItem) {
  const json expected = read_json_file(kDir + "/expected.json");
  ASSERT_GE(expected["per_item"].size(), 56u);
  for (auto it = expected["per_item"].begin(); it != expected["per_item"].end(); ++it) {
    const std::string text = it.value()["text"];
    EXPECT_EQ(mme_parse_prediction(text), it.value()["parsed"].get<std::string>()) << "text: " << text;
  }
}

TEST(MmeMetrics, SubtaskScoresAndTotalsMatchCalculation) {
  const json expected = read_json_file(kDir + "/expected.json");
  std::map<std::string, std::vector<std::string>> gts, preds;
  std::map<int, json> questions;
  read_jsonl_file(kDir + "/questions.jsonl", [&](const json& q, int) { questions[q["question_id"].get<int>()] = q; });
  read_jsonl_file(kDir + "/answers.jsonl", [&](const json& a, int) {
    const json& q = questions[a["question_id"].get<int>()];
    const std::string subtask = q["dataset"];
    gts[subtask].push_back(q["answer"] == "Yes" ? "yes" : "no");
    preds[subtask].push_back(mme_parse_prediction(a["text"]));
  });
  double perception = 0, cognition = 0;
  for (const auto& name : mme_perception_subtasks()) {
    const double score = mme_subtask_score(gts[name], preds[name]).score;
    EXPECT_NEAR(score, expected["subtasks"][name].get<double>(), 1e-9) << name;
    perception += score;
  }
  for (const auto& name : mme_cognition_subtasks()) {
    const double score = mme_subtask_score(gts[name], preds[name]).score;
    EXPECT_NEAR(score, expected["subtasks"][name].get<double>(), 1e-9) << name;
    cognition += score;
  }
  EXPECT_NEAR(perception, expected["totals"]["perception"].get<double>(), 1e-6);
  EXPECT_NEAR(cognition, expected["totals"]["cognition"].get<double>(), 1e-6);
}

TEST(MmeMetrics, HandDerivedEdgeCases) {
  EXPECT_EQ(mme_parse_prediction("Yes\tmaybe"), "yes");  // a tab stays in the prediction; prefix rule applies
  EXPECT_EQ(mme_parse_prediction("nONE"), "no");
  EXPECT_EQ(mme_parse_prediction(" yes"), "yes");       // " yes" is within the first 4 characters
  EXPECT_EQ(mme_parse_prediction("  yes"), "other");    // "  ye" is not
  // acc = 3/4, acc+ = 1/2 -> 75 + 50
  EXPECT_DOUBLE_EQ(mme_subtask_score({"yes", "no", "yes", "no"}, {"yes", "no", "yes", "other"}).score, 125.0);
  EXPECT_THROW(mme_subtask_score({"yes"}, {"yes"}), std::invalid_argument);
  EXPECT_EQ(mme_perception_subtasks().size() + mme_cognition_subtasks().size(), 14u);
}

}  // namespace
}  // namespace infeval

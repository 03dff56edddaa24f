// POPE parsing and metrics against LLaVA/InfMLLM eval_pope.py run on tests/data/pope (see its README).
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "metrics/pope.h"

namespace infeval {
namespace {

const std::string kDir = std::string(INFEVAL_TEST_DATA) + "/pope";

TEST(PopeMetrics, ParsingMatchesEvalPopePerItem) {
  const json expected = read_json_file(kDir + "/expected.json");
  ASSERT_GE(expected["per_item"].size(), 30u);
  for (auto it = expected["per_item"].begin(); it != expected["per_item"].end(); ++it) {
    const std::string text = it.value()["text"];
    EXPECT_EQ(pope_answer_is_yes(text) ? "yes" : "no", it.value()["parsed"].get<std::string>()) << "text: " << text;
  }
}

TEST(PopeMetrics, CategoryMetricsMatchEvalPope) {
  const json expected = read_json_file(kDir + "/expected.json");
  std::map<std::string, std::pair<std::vector<bool>, std::vector<bool>>> lists;  // category -> (pred, label)
  std::map<int, std::string> category_of;
  read_jsonl_file(kDir + "/questions.jsonl", [&](const json& q, int) {
    category_of[q["question_id"].get<int>()] = q["category"].get<std::string>();
  });
  read_jsonl_file(kDir + "/answers.jsonl", [&](const json& a, int) {
    lists[category_of[a["question_id"].get<int>()]].first.push_back(pope_answer_is_yes(a["text"]));
  });
  double f1_sum = 0, acc_sum = 0;
  for (auto& [category, pair] : lists) {
    read_jsonl_file(kDir + "/labels/coco_pope_" + category + ".json",
                    [&](const json& l, int) { pair.second.push_back(l["label"] != "no"); });
    const PopeMetrics m = pope_metrics(pair.first, pair.second);
    const json& e = expected["categories"][category];
    EXPECT_NEAR(m.accuracy, e["accuracy"].get<double>(), 1e-12) << category;
    EXPECT_NEAR(m.precision, e["precision"].get<double>(), 1e-12) << category;
    EXPECT_NEAR(m.recall, e["recall"].get<double>(), 1e-12) << category;
    EXPECT_NEAR(m.f1, e["f1"].get<double>(), 1e-12) << category;
    EXPECT_NEAR(m.yes_ratio, e["yes_ratio"].get<double>(), 1e-12) << category;
    f1_sum += m.f1;
    acc_sum += m.accuracy;
  }
  EXPECT_NEAR(f1_sum / 3, expected["average_f1"].get<double>(), 1e-9);
  EXPECT_NEAR(acc_sum / 3, expected["average_acc"].get<double>(), 1e-9);
}

// eval_pope.py raises ZeroDivisionError here; the defined value is 0 (hand-derived: TP=0, FP=0, TN=2, FN=2).
TEST(PopeMetrics, NoYesPredictedGivesZeroNotACrash) {
  const PopeMetrics m = pope_metrics({false, false, false, false}, {true, false, true, false});
  EXPECT_EQ(m.tp, 0);
  EXPECT_EQ(m.tn, 2);
  EXPECT_EQ(m.fn, 2);
  EXPECT_DOUBLE_EQ(m.precision, 0.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
  EXPECT_DOUBLE_EQ(m.f1, 0.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.yes_ratio, 0.0);
}

// zip() pairing: extra labels are ignored, yes_ratio counts every prediction (hand-derived).
TEST(PopeMetrics, PairsByPositionLikeZip) {
  const PopeMetrics m = pope_metrics({true, false}, {true, true, false});
  EXPECT_EQ(m.tp, 1);
  EXPECT_EQ(m.fn, 1);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.yes_ratio, 0.5);
  EXPECT_TRUE(std::isnan(pope_metrics({}, {}).accuracy));
}

}  // namespace
}  // namespace infeval

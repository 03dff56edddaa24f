// The official VQA evaluator is Python 2.7 code: on the same answers it differs from the Python 3 ports (\d is
// [0-9], U+180E is a space, U+0130 lowercases to "i", round() takes halves away from zero). Expected numbers:
// tests/data/vqa_python2/README.md (vqaEval.py under Python 2.7; InfMLLM's vqa_metric.py under Python 3).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "metrics/vqa_accuracy.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

std::vector<ForeignPrediction> results_list(const std::string& path) {
  std::vector<ForeignPrediction> out;
  const json list = read_json_file(path);
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back({json_id_to_string(list[i]["question_id"]), list[i]["answer"], list[i],
                   path + ": item " + std::to_string(i + 1)});
  return out;
}

TEST(VqaPython2, EachVariantFollowsItsInterpreter) {
  const auto t = load_task("vqav2_val", "", {{"questions", data_path("vqa_python2/questions.json")},
                                             {"annotations", data_path("vqa_python2/annotations.json")}});
  const json expected = read_json_file(data_path("vqa_python2/expected.json"));
  const auto predictions = results_list(data_path("vqa_python2/results.json"));
  for (const std::string variant : {"official", "official-2017", "infmllm"}) {
    std::vector<SampleRecord> records;
    const auto metrics = score_task(t, predictions, variant, &records);
    // Rounded by the scripts themselves: equal to the last digit.
    EXPECT_EQ(metrics.at("accuracy"), expected[variant]["overall"].get<double>()) << variant;
    for (const auto& [type, value] : expected[variant]["perAnswerType"].items())
      EXPECT_EQ(metrics.at("accuracy_" + type), value.get<double>()) << variant << " " << type;
    for (const auto& r : records)
      EXPECT_NEAR(100.0 * r.score, expected[variant]["per_question_percent"][r.id].get<double>(), 1e-9)
          << variant << " " << r.id;
  }
}

// The case, by hand: "١,٠٠٠" against five "١٠٠٠", three "١,٠٠٠" and two "1000". Python 2: no ASCII digit,
// so "," becomes a space and the answer matches the three "١,٠٠٠" only: (3 * 2/3 + 7 * 1) / 10 = 90. Python 3: the
// comma is deleted everywhere and eight answers agree: 100.
TEST(VqaPython2, ArabicIndicDigitsWithACommaByHand) {
  std::vector<VqaGtAnswer> gts;
  for (int i = 0; i < 10; ++i)
    gts.push_back({i < 5 ? "\u0661\u0660\u0660\u0660" : i < 8 ? "\u0661,\u0660\u0660\u0660" : "1000",
                   std::to_string(i)});
  EXPECT_DOUBLE_EQ(vqa_question_accuracy(gts, "\u0661,\u0660\u0660\u0660", VqaScoring::kOfficial).accuracy, 0.9);
  EXPECT_DOUBLE_EQ(vqa_question_accuracy(gts, "\u0661,\u0660\u0660\u0660", VqaScoring::kInfmllm).accuracy, 1.0);
}

}  // namespace
}  // namespace infeval

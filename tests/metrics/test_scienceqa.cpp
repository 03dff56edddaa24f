// ScienceQA answer parsing against InfMLLM's eval_science_qa.py run on tests/data/scienceqa (see its README).
#include <gtest/gtest.h>

#include "core/json_io.h"
#include "metrics/scienceqa.h"

namespace infeval {
namespace {

const std::string kDir = std::string(INFEVAL_TEST_DATA) + "/scienceqa";

TEST(ScienceQaMetrics, ParsingAndCorrectnessMatchEvalScienceQa) {
  const json expected = read_json_file(kDir + "/expected.json");
  const json problems = read_json_file(kDir + "/problems.json");
  ASSERT_EQ(expected["per_item"].size(), 18u);
  for (auto it = expected["per_item"].begin(); it != expected["per_item"].end(); ++it) {
    const std::string pred = it.value()["pred"];
    const std::string parsed = scienceqa_parse_answer(pred);
    EXPECT_EQ(parsed, it.value()["parsed"].get<std::string>()) << "pred: " << pred;
    const json& p = problems[it.key()];
    const bool correct = scienceqa_answer_index(parsed, static_cast<int>(p["choices"].size())) == p["answer"].get<int>();
    EXPECT_EQ(correct, it.value()["correct"].get<bool>()) << "pred: " << pred;
  }
}

TEST(ScienceQaMetrics, HandDerivedEdgeCases) {
  EXPECT_EQ(scienceqa_parse_answer("The answer is A.\n"), "A");
  EXPECT_EQ(scienceqa_parse_answer("The answer is A\n"), "FAILED");  // "." does not match a newline
  EXPECT_EQ(scienceqa_parse_answer("The answer is Z!"), "Z");
  EXPECT_EQ(scienceqa_answer_index("Z", 4), -1);
  EXPECT_EQ(scienceqa_answer_index("E", 5), 4);
  EXPECT_EQ(scienceqa_answer_index("E", 4), -1);
  EXPECT_EQ(scienceqa_answer_index("FAILED", 4), -1);
}

}  // namespace
}  // namespace infeval

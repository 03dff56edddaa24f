// MMBench option matching against VLMEvalKit's can_infer (e8e78f05) run on tests/data/mmbench (see its README).
#include <gtest/gtest.h>

#include "core/json_io.h"
#include "core/text_util.h"
#include "metrics/mmbench.h"

namespace infeval {
namespace {

const std::string kDir = std::string(INFEVAL_TEST_DATA) + "/mmbench";

TEST(MmbenchMetrics, CanInferMatchesVlmEvalKitPerRow) {
  const json expected = read_json_file(kDir + "/expected.json");
  const std::string tsv = read_text_file(kDir + "/mmbench_dev_synthetic.tsv");
  const auto lines = split(tsv, '\n');
  const auto header = split(lines[0], '\t');
  int rows = 0;
  for (size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const auto fields = split(lines[n], '\t');
    std::map<std::string, std::string> choices;
    std::string index, answer;
    for (size_t c = 0; c < header.size(); ++c) {
      if (header[c].size() == 1 && !fields[c].empty() && fields[c] != "nan") choices[header[c]] = fields[c];
      if (header[c] == "index") index = fields[c];
      if (header[c] == "answer") answer = fields[c];
    }
    const json& e = expected["per_item"][index];
    EXPECT_EQ(mmbench_can_infer(e["prediction"], choices), e["inferred"].get<std::string>())
        << "index " << index << " prediction: " << e["prediction"];
    EXPECT_EQ(mmbench_hit(e["prediction"], choices, answer), e["hit"].get<int>() == 1) << index;
    ++rows;
  }
  EXPECT_EQ(rows, 17);
}

TEST(MmbenchMetrics, HandDerivedEdgeCases) {
  const std::map<std::string, std::string> choices = {{"A", "red"}, {"B", "green"}, {"C", "blue"}};
  EXPECT_EQ(mmbench_can_infer("B", choices), "B");
  EXPECT_EQ(mmbench_can_infer("(C)", choices), "C");
  EXPECT_EQ(mmbench_can_infer("Z", choices), "Z");
  EXPECT_EQ(mmbench_can_infer("D", choices), "");  // D is not a choice of this row
  // A letter that is not among the last 4 words is not taken (index 0 of 7 words: 0 > 7 - 5 is false).
  EXPECT_EQ(mmbench_can_infer("A is what I would never pick", choices), "");
  EXPECT_EQ(mmbench_can_infer("answer is **b**", choices), "B");  // case-insensitive verbose pattern
  EXPECT_EQ(mmbench_circular_group(3000042), 42);
  EXPECT_EQ(mmbench_circular_group(42), 42);
}

}  // namespace
}  // namespace infeval

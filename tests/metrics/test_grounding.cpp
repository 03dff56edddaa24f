// RefCOCO box parsing and IoU against InfMLLM's evaluate_grounding.py lines run on tests/data/refcoco (README).
#include <cmath>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "metrics/grounding.h"

namespace infeval {
namespace {

const std::string kDir = std::string(INFEVAL_TEST_DATA) + "/refcoco";

TEST(GroundingMetrics, BoxesAndIouMatchReferencePerItem) {
  const json expected = read_json_file(kDir + "/expected.json");
  const json refs = read_json_file(kDir + "/refs.json");
  // Image sizes of the two refs without width/height (read from the JPEG headers by the adapter; see README).
  int checked = 0;
  for (const auto& ref : refs) {
    const std::string box_id =
        std::to_string(ref["segment_id"].get<int>()) + "_" + std::to_string(ref["sentences"][0]["sent_id"].get<int>());
    const json& e = expected["per_item"][box_id];
    double w = 0, h = 0;
    if (ref.contains("width")) {
      w = ref["width"];
      h = ref["height"];
    } else if (ref["img_name"].get<std::string>().find("train") != std::string::npos) {
      w = 48, h = 64;
    } else {
      w = 80, h = 60;
    }
    const auto box = grounding_pixel_box(e["text"], w, h);
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(box[k], e["pred_bbox"][k].get<double>(), 1e-9) << box_id << " " << k;
    const std::array<double, 4> gt = {ref["bbox"][0].get<double>(), ref["bbox"][1].get<double>(),
                                      ref["bbox"][2].get<double>(), ref["bbox"][3].get<double>()};
    const double iou = grounding_iou(box, gt);
    if (e["iou"].is_null()) {
      EXPECT_TRUE(std::isnan(iou)) << box_id;
    } else {
      EXPECT_NEAR(iou, e["iou"].get<double>(), 1e-9) << box_id << " text: " << e["text"];
    }
    EXPECT_EQ(iou >= 0.5, e["correct"].get<bool>()) << box_id;
    ++checked;
  }
  EXPECT_EQ(checked, 22);
}

TEST(GroundingMetrics, RegexBacktrackingHandDerived) {
  // Greedy .* binds groups 3/4 to the last pair; the unescaped '.' accepts any character.
  auto g = grounding_regex_groups("(0.1,0.2),(0.3,0.4),(0.5,0.6)");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ((*g)[0], "0.1");
  EXPECT_EQ((*g)[1], "0.2");
  EXPECT_EQ((*g)[2], "0.5");
  EXPECT_EQ((*g)[3], "0.6");
  g = grounding_regex_groups("0x1,0y2,0z3,0w4");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ((*g)[0], "0x1");
  EXPECT_FALSE(parse_grounding_box("0x1,0y2,0z3,0w4").has_value());  // float('0x1') raises
  // .* backs off until "0.10,0.20" can still match at the end.
  g = grounding_regex_groups("0.5,0.5 0.10,0.20");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ((*g)[2], "0.10");
  EXPECT_EQ((*g)[3], "0.20");
  EXPECT_FALSE(grounding_regex_groups("0.5,0.5").has_value());
  EXPECT_EQ(grounding_python_float("0e7").value(), 0.0);
  EXPECT_FALSE(grounding_python_float("0-5").has_value());
  // IoU exactly 0.5 counts (hand-derived: inter 2500, union 5000).
  EXPECT_EQ(grounding_iou({0, 0, 50, 50}, {0, 0, 100, 50}), 0.5);
}

}  // namespace
}  // namespace infeval

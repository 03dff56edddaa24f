// Caption tasks end to end: config -> adapter -> align (by image_id) -> score -> aggregate, against pycocoevalcap's
// numbers (tests/data/captions/README.md); mini data; bad records.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

std::vector<ForeignPrediction> coco_results(bool decorate) {
  const std::string path = data_path("captions/results.json");
  const json list = read_json_file(path);
  std::vector<ForeignPrediction> out;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string caption = list[i]["caption"];
    // "a dog runs" -> "A dog runs." : the PTB tokenizer + punctuation removal must give back the same tokens.
    if (decorate && !caption.empty()) {
      caption[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(caption[0])));
      caption += ".";
    }
    out.push_back({json_id_to_string(list[i]["image_id"]), caption, list[i], path + ": item " + std::to_string(i + 1)});
  }
  return out;
}

void expect_pycocoevalcap_numbers(const std::map<std::string, double>& metrics) {
  const json expected = read_json_file(data_path("captions/expected.json"));
  for (int k = 1; k <= 4; ++k)
    EXPECT_NEAR(metrics.at("BLEU-" + std::to_string(k)), 100.0 * expected["Bleu_" + std::to_string(k)].get<double>(),
                1e-6);
  EXPECT_NEAR(metrics.at("ROUGE-L"), 100.0 * expected["ROUGE_L"].get<double>(), 1e-6);
  EXPECT_NEAR(metrics.at("CIDEr"), 100.0 * expected["CIDEr"].get<double>(), 1e-6);
}

TEST(CocoCaption, MatchesPycocoevalcapThroughTheRegistry) {
  for (const std::string task : {"coco_caption_karpathy_test", "nocaps_val", "flickr30k_test"}) {
    const auto t = load_task(task, "", {{"annotations", data_path("captions/annotations.json")}});
    std::vector<SampleRecord> records;
    expect_pycocoevalcap_numbers(score_task(t, coco_results(false), "pycocoevalcap", &records));
    const json expected = read_json_file(data_path("captions/expected.json"));
    for (const auto& r : records)
      EXPECT_NEAR(r.score, 100.0 * expected["per_image"][r.id]["CIDEr"].get<double>(), 1e-9) << r.id;
  }
}

TEST(CocoCaption, CapitalizedPunctuatedCaptionsScoreTheSame) {
  const auto t = load_task("coco_caption_karpathy_test", "", {{"annotations", data_path("captions/annotations.json")}});
  expect_pycocoevalcap_numbers(score_task(t, coco_results(true), "pycocoevalcap"));
}

TEST(CocoCaption, NotesSayMeteorAndSpiceAreUnavailable) {
  const auto notes = find_scorer("coco_caption").notes("pycocoevalcap");
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("METEOR and SPICE unavailable"), std::string::npos);
  const auto names = find_scorer("coco_caption").metric_names();
  EXPECT_EQ(std::count(names.begin(), names.end(), "METEOR"), 0);
}

TEST(MiniData, CaptionTasksLoad) {
  for (const std::string task : {"coco_caption_karpathy_test", "nocaps_val", "flickr30k_test"}) {
    const auto t = load_task(task, mini_root());
    EXPECT_EQ(t.samples.size(), 4u) << task;
    for (const auto& s : t.samples) {
      EXPECT_TRUE(std::filesystem::exists(s.image_path)) << s.image_path;
      EXPECT_EQ(s.meta["references"].size(), 2u);
    }
  }
}

TEST(CocoCaption, BadRecordsNameFileAndLine) {
  TempDir dir("caption-bad");
  auto load_doc = [&](const std::string& images, const std::string& annotations) {
    const std::string path =
        dir.write("c.json", "{\"images\": [\n" + images + "\n],\n\"annotations\": [\n" + annotations + "\n]}");
    return [=] { load_task("nocaps_val", "", {{"annotations", path}}); };
  };
  const std::string one_image = R"({"id": 1, "file_name": "a.jpg"})";
  expect_input_error(load_doc(R"({"id": 1})", R"({"image_id": 1, "caption": "x"})"),
                     {"c.json:2", "file_name", "missing"});
  expect_input_error(load_doc(one_image + ",\n" + one_image, R"({"image_id": 1, "caption": "x"})"),
                     {"c.json:3", "duplicate image id 1"});
  expect_input_error(load_doc(one_image, "{\"image_id\": 1, \"caption\": \"x\"},\n{\"image_id\": 7, \"caption\": \"y\"}"),
                     {"c.json:6", "unknown image_id 7"});
  expect_input_error(load_doc(one_image, R"({"image_id": 1, "caption": 5})"), {"c.json:5", "caption", "string"});
}

}  // namespace
}  // namespace infeval

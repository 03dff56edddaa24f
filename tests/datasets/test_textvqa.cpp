// TextVQA: LLaVA answer files matched by (image id, question from the prompt), both variants against the scripts'
// numbers (tests/data/textvqa/README.md), mini data, bad records.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "datasets/textvqa_prompt.h"
#include "core/json_io.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

LoadedTask synthetic_task() {
  return load_task("textvqa_val", "", {{"annotations", data_path("textvqa/TextVQA_0.5.1_val.json")},
                                       {"questions", data_path("textvqa/llava_textvqa_val_v051_ocr.jsonl")},
                                       {"images", "/images"}});
}

TEST(TextVqa, LlavaVariantMatchesEvalTextvqa) {
  const auto t = synthetic_task();
  const json expected = read_json_file(data_path("textvqa/expected.json"))["llava"];
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, llava_answers(data_path("textvqa/llava_answers.jsonl")), "llava", &records);
  // Full precision (issue 15, point 5): the script's 100. * accuracy, of which it prints '{:.2f}'.
  EXPECT_EQ(metrics.at("accuracy"), 100.0 * expected["accuracy_fraction"].get<double>());
  EXPECT_NEAR(metrics.at("accuracy"), expected["accuracy_printed"].get<double>(), 0.005);
  for (const auto& r : records) {
    EXPECT_FALSE(r.missing) << r.id;
    EXPECT_NEAR(r.score, expected["per_question"][r.id].get<double>(), 1e-9) << r.id;
  }
}

TEST(TextVqa, InfmllmVariantMatchesVqaMetric) {
  const auto t = synthetic_task();
  const json expected = read_json_file(data_path("textvqa/expected.json"))["infmllm"];
  const std::string path = data_path("textvqa/infmllm_results.json");
  const json results = read_json_file(path);
  std::vector<ForeignPrediction> foreign;
  for (const auto& r : results) foreign.push_back({json_id_to_string(r["question_id"]), r["answer"], r, path});
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, foreign, "infmllm", &records);
  EXPECT_NEAR(metrics.at("accuracy"), expected["overall"].get<double>(), 1e-6);
  for (const auto& r : records)
    EXPECT_NEAR(100.0 * r.score, expected["per_question_percent"][r.id].get<double>(), 1e-9) << r.id;
}

TEST(TextVqa, ChatPromptTextComesFromTheLlavaQuestionFile) {
  const auto t = synthetic_task();
  EXPECT_EQ(t.samples[0].vars.at("text"),
            "What brand is the drink?\nReference OCR token: COCA, COLA\nAnswer the question using a single word or "
            "phrase.");
  EXPECT_EQ(t.samples[0].image_path, "/images/" + t.samples[0].meta["image_id"].get<std::string>() + ".jpg");
}

TEST(TextVqa, PromptLayouts) {
  EXPECT_EQ(textvqa_question_from_prompt("OCR tokens: a b Question: What Is It? Short answer:", "w"), "what is it?");
  EXPECT_EQ(textvqa_question_from_prompt("Reference OCR token: A\nWhat?\nAnswer briefly.", "w"), "what?");
  EXPECT_EQ(textvqa_question_from_prompt("What?\nReference OCR token: A\nAnswer briefly.", "w"), "what?");
  EXPECT_EQ(textvqa_question_from_prompt("Why Not?\nAnswer briefly.", "w"), "why not?");
  expect_input_error([] { textvqa_question_from_prompt("just one line", "answers.jsonl:4"); },
                     {"answers.jsonl:4", "cannot read the question"});
}

TEST(TextVqa, UnmatchedPredictionIsAnError) {
  const auto t = synthetic_task();
  json raw = {{"question_id", "ffff"}, {"prompt", "Unknown question?\nAnswer briefly."}, {"text", "x"}};
  expect_input_error([&] { score_task(t, {{"ffff", "x", raw, "answers.jsonl:9"}}, "llava"); },
                     {"answers.jsonl:9", "image id 'ffff'", "unknown question?"});
  expect_input_error([&] { score_task(t, {{"77", "x", json::object(), "answers.jsonl:2"}}, "llava"); },
                     {"answers.jsonl:2", "unknown question id '77'"});
  auto twice = llava_answers(data_path("textvqa/llava_answers.jsonl"));
  twice.push_back(twice.front());
  twice.back().where = "answers.jsonl:13";
  expect_input_error([&] { score_task(t, twice, "llava"); }, {"answers.jsonl:13", "second prediction"});
}

TEST(TextVqa, BadRecordsNameFileAndLine) {
  TempDir dir("textvqa-bad");
  const std::string bad = dir.write("a.json", R"({"data": [
{"question_id": 1, "image_id": "ab", "question": "q?", "answers": ["x"]},
{"question_id": 2, "image_id": "ab", "question": "r?", "answers": "x"}
]})");
  expect_input_error([&] { load_task("textvqa_val", "", {{"annotations", bad}, {"questions", bad}}); },
                     {"a.json:3", "answers"});
  const std::string good = dir.write("g.json", R"({"data": [
{"question_id": 1, "image_id": "ab", "question": "q?", "answers": ["x"]}
]})");
  const std::string questions = dir.write("q.jsonl", "{\"question_id\": \"ab\", \"text\": \"q?\\nAnswer.\"}\n"
                                                     "{\"question_id\": \"zz\", \"text\": \"q?\\nAnswer.\"}\n");
  expect_input_error([&] { load_task("textvqa_val", "", {{"annotations", good}, {"questions", questions}}); },
                     {"q.jsonl:2", "no annotation with image_id zz"});
}

TEST(MiniData, TextVqaLoads) {
  const auto t = load_task("textvqa_val", mini_root());
  EXPECT_EQ(t.samples.size(), 4u);
  for (const auto& s : t.samples) EXPECT_TRUE(std::filesystem::exists(s.image_path)) << s.image_path;
  EXPECT_NE(t.samples[0].vars.at("text").find("Reference OCR token: COCA, COLA"), std::string::npos);
}

}  // namespace
}  // namespace infeval

// GQA and OCR-VQA tasks end to end against the scripts' numbers (tests/data/gqa/README.md), mini data, bad records.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "metrics/gqa_metrics.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

LoadedTask synthetic_gqa() {
  return load_task("gqa_testdev", "", {{"answers", data_path("gqa/testdev_balanced.jsonl")},
                                       {"questions", data_path("gqa/testdev_balanced_questions.json")}});
}

TEST(Gqa, OfficialMatchesEvalPy) {
  const auto t = synthetic_gqa();
  const json expected = read_json_file(data_path("gqa/expected.json"))["official"];
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, llava_answers(data_path("gqa/llava_answers.jsonl")), "official", &records);
  // Stored at full precision (issue 15, point 5): eval.py's own values, not its "{:.2f}" print.
  for (const std::string m : {"accuracy", "binary", "open", "validity", "plausibility", "distribution"}) {
    EXPECT_DOUBLE_EQ(metrics.at(m), expected[m].get<double>()) << m;
    EXPECT_NEAR(metrics.at(m), expected["printed"][m].get<double>(), 0.005) << m;
  }
  EXPECT_GT(expected["distribution"].get<double>(), 0.0);
  for (const auto& r : records) EXPECT_EQ(r.score, expected["per_question"][r.id].get<double>()) << r.id;
  // The unrounded distribution (the per-record data the aggregate uses).
  std::vector<GqaDistributionItem> items;
  for (const auto& r : records)
    items.push_back({r.extra.contains("global_group"), r.extra.value("global_group", ""),
                     r.references[0].get<std::string>(), r.parsed});
  EXPECT_NEAR(gqa_distribution(items), expected["distribution"].get<double>(), 1e-12);
}

TEST(Gqa, InfmllmChatMatchesEvalGqa) {
  const auto t = synthetic_gqa();
  const json expected = read_json_file(data_path("gqa/expected.json"))["infmllm-chat"];
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, llava_answers(data_path("gqa/llava_answers.jsonl")), "infmllm-chat", &records);
  EXPECT_NEAR(metrics.at("accuracy"), 100.0 * expected["accuracy"].get<double>(), 1e-6);
  for (const auto& r : records) EXPECT_EQ(r.score, expected["per_question"][r.id].get<double>()) << r.id;
}

TEST(Gqa, InfmllmMultitaskMatchesEvaluateVqa) {
  const auto t = synthetic_gqa();
  const json expected = read_json_file(data_path("gqa/expected.json"))["infmllm"];
  const std::string path = data_path("gqa/multitask_results.json");
  std::vector<ForeignPrediction> foreign;
  for (const auto& r : read_json_file(path)) foreign.push_back({json_id_to_string(r["question_id"]), r["answer"], r, path});
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, foreign, "infmllm", &records);
  EXPECT_NEAR(metrics.at("accuracy"), 100.0 * expected["accuracy"].get<double>(), 1e-6);
  for (const auto& r : records) {
    EXPECT_EQ(r.score, expected["per_question"][r.id].get<double>()) << r.id;
    EXPECT_EQ(r.parsed, expected["parsed"][r.id].get<std::string>()) << r.id;
  }
}

TEST(Gqa, BadRecordsNameFileAndLine) {
  TempDir dir("gqa-bad");
  const std::string questions = data_path("gqa/testdev_balanced_questions.json");
  const std::string dup = dir.write("a.jsonl", "{\"image\": \"n1.jpg\", \"question\": \"q\", \"question_id\": \"1\", \"answer\": \"x\"}\n"
                                               "{\"image\": \"n1.jpg\", \"question\": \"q\", \"question_id\": \"1\", \"answer\": \"x\"}\n");
  expect_input_error([&] { load_task("gqa_testdev", "", {{"answers", dup}, {"questions", questions}}); },
                     {"a.jsonl:2", "duplicate question_id 1"});
  const std::string no_answer = dir.write("b.jsonl", "{\"image\": \"n1.jpg\", \"question\": \"q\", \"question_id\": \"1\"}\n");
  expect_input_error([&] { load_task("gqa_testdev", "", {{"answers", no_answer}, {"questions", questions}}); },
                     {"b.jsonl:1", "answer", "missing"});
  const std::string one = dir.write("c.jsonl", "{\"image\": \"n1.jpg\", \"question\": \"q\", \"question_id\": \"20968379\", \"answer\": \"yes\"}\n");
  expect_input_error([&] { load_task("gqa_testdev", "", {{"answers", one}, {"questions", questions}}); },
                     {"testdev_balanced_questions.json:", "has no entry in"});
  const std::string q = dir.write("q.json", "{\n\"5\": {\"isBalanced\": \"yes\", \"answer\": \"x\"}\n}");
  expect_input_error([&] { load_task("gqa_testdev", "", {{"answers", one}, {"questions", q}}); },
                     {"q.json:2 (question 5)", "isBalanced"});
  const std::string unknown = dir.write("d.jsonl", "{\"image\": \"n1.jpg\", \"question\": \"q\", \"question_id\": \"77\", \"answer\": \"yes\"}\n");
  const std::string q2 = dir.write("q2.json", "{\n\"5\": {\"isBalanced\": false, \"answer\": \"x\"}\n}");
  expect_input_error([&] { load_task("gqa_testdev", "", {{"answers", unknown}, {"questions", q2}}); },
                     {"d.jsonl:1", "question_id 77 is not in"});
}

TEST(MiniData, GqaAndOcrVqaLoad) {
  for (const std::string task : {"gqa_testdev", "ocrvqa_test"}) {
    const auto t = load_task(task, mini_root());
    EXPECT_GE(t.samples.size(), 4u) << task;
    for (const auto& s : t.samples) EXPECT_TRUE(std::filesystem::exists(s.image_path)) << s.image_path;
  }
}

TEST(OcrVqa, ExactMatchOnMiniData) {
  const auto t = load_task("ocrvqa_test", mini_root());
  // strip().lower() equality: "  jane austen " matches "Jane Austen"; "Pride & Prejudice" does not.
  std::vector<ForeignPrediction> foreign = {{t.samples[0].id, "  jane austen ", json::object(), "p:1"},
                                            {t.samples[1].id, "Pride & Prejudice", json::object(), "p:2"}};
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, foreign, "infmllm", &records);
  EXPECT_EQ(records[0].score, 1.0);
  EXPECT_EQ(records[1].score, 0.0);
  EXPECT_NEAR(metrics.at("accuracy"), 25.0, 1e-9);
}

}  // namespace
}  // namespace infeval

// VQAv2 / OK-VQA adapters and scorers end to end (config -> adapter -> align -> score -> aggregate), the
// VQAv2 test-dev submission, and bad-record errors. Expected numbers: tests/data/vqa/README.md.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "datasets/submission.h"
#include "core/json_io.h"
#include "core/sha256.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

std::vector<ForeignPrediction> vqa_results(const std::string& path) {
  std::vector<ForeignPrediction> out;
  const json list = read_json_file(path);
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back({json_id_to_string(list[i]["question_id"]), list[i]["answer"], list[i], path + ": item " +
                   std::to_string(i + 1)});
  return out;
}

TEST(VqaV2Val, AllVariantsMatchTheScriptsThroughTheRegistry) {
  const auto t = load_task("vqav2_val", "", {{"questions", data_path("vqa/questions.json")},
                                             {"annotations", data_path("vqa/annotations.json")}});
  const json expected = read_json_file(data_path("vqa/expected.json"));
  const auto predictions = vqa_results(data_path("vqa/results.json"));
  for (const std::string variant : {"official", "official-2017", "infmllm", "llava"}) {
    std::vector<SampleRecord> records;
    const auto metrics = score_task(t, predictions, variant, &records);
    EXPECT_NEAR(metrics.at("accuracy"), expected[variant]["overall"].get<double>(), 1e-6) << variant;
    for (const auto& [type, value] : expected[variant]["perAnswerType"].items())
      EXPECT_NEAR(metrics.at("accuracy_" + type), value.get<double>(), 1e-6) << variant << " " << type;
    for (const auto& r : records)
      EXPECT_NEAR(100.0 * r.score, expected[variant]["per_question_percent"][r.id].get<double>(), 1e-9)
          << variant << " " << r.id;
  }
}

TEST(VqaV2Val, VariantsDisagreeOnTheSameAnswers) {
  const json expected = read_json_file(data_path("vqa/expected.json"));
  EXPECT_NE(expected["official"]["overall"], expected["official-2017"]["overall"]);
  EXPECT_NE(expected["official"]["overall"], expected["infmllm"]["overall"]);
}

// InfMLLM's vqa_metric.py evaluates the question ids of the results (VQAEval.params = vqaRes.getQuesIds()), so a
// file with one right answer scores round(100 * 1 / 1, 2) = 100.0 there (hand-derived from the script).
TEST(VqaV2Val, InfmllmScoresTheAnsweredQuestionsOnly) {
  const auto t = load_task("vqav2_val", mini_root());
  std::vector<ForeignPrediction> one = {{t.samples[0].id, "yes", json::object(), "test:1"}};
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, one, "infmllm", &records);
  ASSERT_EQ(records[0].score, 1.0);
  EXPECT_EQ(metrics.at("accuracy"), 100.0);
}

TEST(VqaV2Val, MissingPredictionCountsAsZero) {
  const auto t = load_task("vqav2_val", mini_root());
  std::vector<ForeignPrediction> one = {{t.samples[0].id, "yes", json::object(), "test:1"}};
  std::vector<SampleRecord> records;
  const auto metrics = score_task(t, one, "official", &records);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_TRUE(records[1].missing);
  EXPECT_EQ(records[0].score, 1.0);
  EXPECT_NEAR(metrics.at("accuracy"), 16.67, 1e-9);  // round(100 * 1 / 6, 2)
}

TEST(MiniData, VqaTasksLoad) {
  for (const std::string task : {"vqav2_val", "okvqa_val", "vqav2_testdev"}) {
    const auto t = load_task(task, mini_root());
    EXPECT_GE(t.samples.size(), 4u) << task;
    for (const auto& s : t.samples) {
      EXPECT_TRUE(std::filesystem::exists(s.image_path)) << task << ": " << s.image_path;
      EXPECT_FALSE(s.vars.at("question").empty());
    }
  }
}

TEST(VqaFormat, BadRecordsNameFileAndLine) {
  TempDir dir("vqa-bad");
  const std::string head = R"({"info": {}, "task_type": "Open-Ended", "data_subtype": "val2014", "questions": [
)";
  const std::string good_a = dir.write("a.json", R"({"annotations": [
{"question_id": 1, "image_id": 5, "answer_type": "other", "answers": [{"answer": "x", "answer_id": 1}]}
]})");
  auto load_questions = [&](const std::string& body, const std::string& annotations) {
    const std::string q = dir.write("q.json", head + body + "\n]}");
    return [=] { load_task("vqav2_val", "", {{"questions", q}, {"annotations", annotations}}); };
  };
  expect_input_error(load_questions(R"({"question_id": 1, "question": "x?"})", good_a),
                     {"q.json:2", "image_id", "missing"});
  expect_input_error(load_questions(R"({"question_id": 1, "image_id": 5, "question": 7})", good_a),
                     {"q.json:2", "question", "must be a string"});
  expect_input_error(load_questions("{\"question_id\": 1, \"image_id\": 5, \"question\": \"a\"},\n"
                                    "{\"question_id\": 1, \"image_id\": 5, \"question\": \"b\"}",
                                    good_a),
                     {"q.json:3", "duplicate question_id 1", "q.json:2"});
  const std::string unknown_a = dir.write("u.json", R"({"annotations": [
{"question_id": 1, "image_id": 5, "answers": [{"answer": "x", "answer_id": 1}]},
{"question_id": 9, "image_id": 5, "answers": [{"answer": "x", "answer_id": 1}]}
]})");
  expect_input_error(load_questions(R"({"question_id": 1, "image_id": 5, "question": "a"})", unknown_a),
                     {"u.json:3", "unknown question_id 9"});
  const std::string no_answers = dir.write("n.json", R"({"annotations": [
{"question_id": 1, "image_id": 5}
]})");
  expect_input_error(load_questions(R"({"question_id": 1, "image_id": 5, "question": "a"})", no_answers),
                     {"n.json:2", "answers"});
}

TEST(VqaPredictions, UnknownAndDuplicateIdsAreErrors) {
  const auto t = load_task("vqav2_val", mini_root());
  const Scorer& scorer = find_scorer("vqav2");
  expect_input_error([&] { scorer.align(t.samples, {{"424242", "x", json::object(), "pred.json: item 3"}}, "official"); },
                     {"pred.json: item 3", "unknown id '424242'"});
  expect_input_error(
      [&] {
        scorer.align(t.samples,
                     {{t.samples[0].id, "x", json::object(), "p:1"}, {t.samples[0].id, "y", json::object(), "p:2"}},
                     "official");
      },
      {"p:2", "duplicate"});
}

TEST(VqaV2TestDev, SubmissionIsValidatedAndHasAManifest) {
  const auto t = load_task("vqav2_testdev", mini_root());
  const Scorer& scorer = find_scorer(t.config.scorer);
  std::vector<ForeignPrediction> foreign;
  for (size_t i = 0; i + 1 < t.samples.size(); ++i)
    foreign.push_back({t.samples[i].id, i == 0 ? "Two." : "The Dog", json::object(), "p"});
  const auto aligned = scorer.align(t.samples, foreign, "llava");
  const auto records = scorer.score_samples(t.config, t.samples, aligned, "llava");
  TempDir dir("vqa-submission");
  // One id has no answer: an error without allow_missing, naming the id.
  expect_input_error([&] { scorer.write_outputs(t.config, t.samples, records, dir.path.string(), json::object()); },
                     {"vqav2_testdev", "1 of 4", t.samples.back().id, "--allow-missing"});
  scorer.write_outputs(t.config, t.samples, records, dir.path.string(), {{"allow_missing", true}});
  const std::string file = (dir.path / "vqav2_testdev_submission.json").string();
  const json submission = read_json_file(file);
  ASSERT_EQ(submission.size(), t.samples.size());
  EXPECT_TRUE(submission[0]["question_id"].is_number_integer());
  EXPECT_EQ(submission[0]["question_id"].get<long long>(), std::stoll(t.samples[0].id));
  EXPECT_EQ(submission[0]["answer"], "2");    // EvalAI processor: "Two." -> "2"
  EXPECT_EQ(submission[1]["answer"], "dog");  // article dropped, lowercased
  EXPECT_EQ(submission[3]["answer"], "");
  const json manifest = read_json_file(file + ".manifest.json");
  EXPECT_EQ(manifest["sha256"], sha256_file_hex(file));
  EXPECT_EQ(manifest["required"], 4);
  EXPECT_EQ(manifest["answered"], 3);
  EXPECT_EQ(manifest["missing"], 1);
  EXPECT_EQ(manifest["missing_ids_first"][0], t.samples.back().id);
  EXPECT_EQ(manifest["allow_missing"], true);
}

TEST(VqaV2TestDev, InfmllmVariantWritesRawText) {
  const auto t = load_task("vqav2_testdev", mini_root());
  const Scorer& scorer = find_scorer(t.config.scorer);
  std::vector<ForeignPrediction> foreign;
  for (const auto& s : t.samples) foreign.push_back({s.id, "Two.", json::object(), "p"});
  const auto records = scorer.score_samples(t.config, t.samples, scorer.align(t.samples, foreign, "infmllm"), "infmllm");
  TempDir dir("vqa-submission-raw");
  scorer.write_outputs(t.config, t.samples, records, dir.path.string(), json::object());
  const json submission = read_json_file((dir.path / "vqav2_testdev_submission.json").string());
  EXPECT_EQ(submission[0]["answer"], "Two.");
}

}  // namespace
}  // namespace infeval

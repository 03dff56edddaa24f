// POPE and MME end to end: adapters on the synthetic official-format files, scorers against the official scripts'
// numbers (tests/data/{pope,mme}/expected.json), the MME results-directory reader, and bad records.
#include <cmath>

#include <gtest/gtest.h>

#include "datasets/mme.h"
#include "core/json_io.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using namespace infeval::test;

TEST(PopeDataset, ScoresMatchEvalPope) {
  const auto t = load_task("pope", "", {{"questions", data_path("pope/questions.jsonl")},
                                        {"labels", data_path("pope/labels")}, {"images", "img"}});
  ASSERT_EQ(t.samples.size(), 30u);
  EXPECT_EQ(t.samples[0].image_path, "img/COCO_val2014_000000000001.jpg");
  const json expected = read_json_file(data_path("pope/expected.json"));
  std::vector<SampleRecord> records;
  const auto m = score_task(t, llava_answers(data_path("pope/answers.jsonl")), "llava", &records);
  for (const char* c : {"adversarial", "popular", "random"})
    for (const char* k : {"accuracy", "precision", "recall", "f1", "yes_ratio"})
      EXPECT_NEAR(m.at(std::string(c) + "/" + k), 100 * expected["categories"][c][k].get<double>(), 1e-9)
          << c << "/" << k;
  EXPECT_NEAR(m.at("f1"), 100 * expected["average_f1"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("accuracy"), 100 * expected["average_acc"].get<double>(), 1e-6);
  for (const auto& r : records) EXPECT_EQ(r.parsed, expected["per_item"][r.id]["parsed"].get<std::string>()) << r.id;
}

TEST(PopeDataset, MissingAnswerCountsAsWrong) {
  const auto t = load_task("pope", "", {{"questions", data_path("pope/questions.jsonl")},
                                        {"labels", data_path("pope/labels")}});
  auto answers = llava_answers(data_path("pope/answers.jsonl"));
  answers.erase(answers.begin());  // question 1: label yes, answer "Yes." was right
  std::vector<SampleRecord> records;
  score_task(t, answers, "llava", &records);
  EXPECT_TRUE(records[0].missing);
  EXPECT_EQ(records[0].score, 0.0);
  EXPECT_EQ(records[0].parsed, "no");
}

TEST(PopeDataset, BadRecords) {
  TempDir dir("pope-bad");
  dir.write("labels/coco_pope_random.json", "{\"label\": \"yes\"}\n{\"label\": \"no\"}\n");
  const auto load = [&](const std::string& questions) {
    return load_task("pope", "", {{"questions", dir.write("q.jsonl", questions)},
                                  {"labels", (dir.path / "labels").string()}});
  };
  expect_input_error([&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\"}\n"); },
                     {"q.jsonl:1", "category"});
  expect_input_error(
      [&] {
        load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"category\": \"random\"}\n"
             "{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"category\": \"random\"}\n");
      },
      {"q.jsonl:2", "duplicate question_id 1"});
  expect_input_error([&] { load("{\"question_id\": 1, \"image\": 5, \"text\": \"q\", \"category\": \"random\"}\n"); },
                     {"q.jsonl:1", "image"});
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"category\": \"popular\"}\n"); },
      {"q.jsonl:1", "coco_pope_popular.json"});
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"category\": \"random\"}\n"); },
      {"random", "1 questions", "2 labels"});
}

TEST(MmeDataset, ScoresMatchCalculationMme) {
  const auto t = load_task("mme", "", {{"questions", data_path("mme/questions.jsonl")}});
  ASSERT_EQ(t.samples.size(), 56u + 14u);
  const json expected = read_json_file(data_path("mme/expected.json"));
  const auto m = score_task(t, llava_answers(data_path("mme/answers.jsonl")), "official");
  for (auto it = expected["subtasks"].begin(); it != expected["subtasks"].end(); ++it)
    EXPECT_NEAR(m.at(it.key()), it.value().get<double>(), 1e-9) << it.key();
  EXPECT_NEAR(m.at("perception"), expected["totals"]["perception"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("cognition"), expected["totals"]["cognition"].get<double>(), 1e-6);
}

TEST(MmeDataset, ResultsDirectoryGivesTheSameScores) {
  const auto t = load_task("mme", "", {{"questions", data_path("mme/questions.jsonl")}});
  const json expected = read_json_file(data_path("mme/expected.json"));
  const auto foreign = read_mme_results_dir(data_path("mme/results_dir"), t.samples);
  ASSERT_EQ(foreign.size(), t.samples.size());
  const auto m = score_task(t, foreign, "official");
  EXPECT_NEAR(m.at("perception"), expected["totals"]["perception"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("cognition"), expected["totals"]["cognition"].get<double>(), 1e-6);
  // Each line went to the sample with its question: ids agree with the LLaVA answers' question_ids.
  const auto llava = llava_answers(data_path("mme/answers.jsonl"));
  std::map<std::string, std::string> text_of;
  for (const auto& p : llava) text_of[p.id] = p.text;
  for (const auto& p : foreign) EXPECT_EQ(p.text, text_of.at(p.id)) << p.where;
}

TEST(MmeDataset, TabInsidePredictionStaysInThePrediction) {
  const auto t = load_task("mme", "", {{"questions", data_path("mme/questions.jsonl")}});
  TempDir dir("mme-tab");
  // calculation.py would fail to unpack this line; here the prediction is "Yes\tbecause" -> parsed yes.
  dir.write("existence.txt",
            "existence/0000.jpg\t'Is this question 0 about image 0 of existence? Please answer yes or no.'\tYes\tYes"
            "\tbecause\r\nexistence/0000.jpg\tq\tYes\tno\n");
  const auto foreign = read_mme_results_dir(dir.path.string(), t.samples);
  ASSERT_EQ(foreign.size(), 2u);
  EXPECT_EQ(foreign[0].text, "Yes\tbecause");
  EXPECT_EQ(foreign[0].id, "1");
  EXPECT_EQ(foreign[1].id, "2");
  EXPECT_EQ(foreign[1].text, "no");
  dir.write("existence.txt", "existence/0000.jpg\tq\tYes\n");
  expect_input_error([&] { read_mme_results_dir(dir.path.string(), t.samples); }, {"existence.txt:1", "field"});
  dir.write("existence.txt", "existence/0000.jpg\tq\tmaybe\tyes\n");
  expect_input_error([&] { read_mme_results_dir(dir.path.string(), t.samples); }, {"existence.txt:1", "GT"});
  dir.write("existence.txt", "existence/9999.jpg\tq\tyes\tyes\n");
  expect_input_error([&] { read_mme_results_dir(dir.path.string(), t.samples); }, {"existence.txt:1", "9999"});
  // A GT that contradicts the question file: which one is right cannot be told, so it is refused.
  dir.write("existence.txt", "existence/0000.jpg\tq\tno\tno\n");
  expect_input_error([&] { read_mme_results_dir(dir.path.string(), t.samples); },
                     {"existence.txt:1", "GT 'no' differs from the answer 'yes'"});
}

TEST(MmeDataset, RepeatedQuestionIdsAreNumberedAndMatchedByPrompt) {
  TempDir dir("mme-dup");
  const std::string q = dir.write(
      "q.jsonl",
      "{\"question_id\": \"count/1.jpg\", \"image\": \"count/1.jpg\", \"text\": \"Two?\", \"answer\": \"Yes\", "
      "\"category\": \"count\"}\n"
      "{\"question_id\": \"count/1.jpg\", \"image\": \"count/1.jpg\", \"text\": \"Three?\", \"answer\": \"No\", "
      "\"category\": \"count\"}\n");
  const auto t = load_task("mme", "", {{"questions", q}});
  ASSERT_EQ(t.samples.size(), 2u);
  EXPECT_EQ(t.samples[0].id, "count/1.jpg#1");
  EXPECT_EQ(t.samples[1].id, "count/1.jpg#2");
  // Answers in the opposite order, matched by prompt: both right -> count = 100 + 100.
  const std::vector<ForeignPrediction> answers = {
      {"count/1.jpg", "No", json{{"prompt", "Three?"}}, "a:1"}, {"count/1.jpg", "Yes", json{{"prompt", "Two?"}}, "a:2"}};
  EXPECT_DOUBLE_EQ(score_task(t, answers, "official").at("count"), 200.0);
}

TEST(MmeDataset, BadRecords) {
  TempDir dir("mme-bad");
  const auto load = [&](const std::string& content) {
    return load_task("mme", "", {{"questions", dir.write("q.jsonl", content)}});
  };
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"answer\": \"Yes\", \"dataset\": \"cnt\"}\n"); },
      {"q.jsonl:1", "unknown MME subtask 'cnt'"});
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"answer\": \"Maybe\", \"dataset\": \"count\"}\n"); },
      {"q.jsonl:1", "Yes or No"});
  expect_input_error([&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"dataset\": \"count\"}\n"); },
                     {"q.jsonl:1", "answer"});
  expect_input_error(
      [&] {
        load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"answer\": \"Yes\", \"dataset\": \"count\"}\n"
             "{\"question_id\": 2, \"image\": \"b.jpg\", \"text\": \"q\", \"answer\": \"No\", \"dataset\": \"count\"}\n");
      },
      {"q.jsonl:2", "paired"});
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"answer\": \"Yes\", \"dataset\": \"count\"}\n"); },
      {"count", "two per image"});
}

}  // namespace
}  // namespace infeval

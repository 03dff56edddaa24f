// RefCOCO, ScienceQA and SEED end to end: adapters on synthetic official-format files, scorers against the
// reference scripts' numbers (tests/data/{refcoco,scienceqa,seed}/expected.json), bad records, submissions.
#include <cmath>

#include <gtest/gtest.h>

#include "datasets/refcoco.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using namespace infeval::test;

TEST(RefcocoDataset, ScoresMatchEvaluateGrounding) {
  const auto t = load_task("refcoco_testA", "", {{"refs", data_path("refcoco/refs.json")},
                                                 {"images", data_path("refcoco/images")}});
  ASSERT_EQ(t.samples.size(), 22u);
  EXPECT_EQ(t.samples[0].id, "1000_1");
  EXPECT_EQ(t.samples[19].image_path, data_path("refcoco/images") + "/train2014/COCO_train2014_000000000001.jpg");
  const json expected = read_json_file(data_path("refcoco/expected.json"));
  std::vector<ForeignPrediction> answers;
  for (const auto& a : read_json_file(data_path("refcoco/answers.json")))
    answers.push_back({a["box_id"], a["answer"], a, "answers.json"});
  std::vector<SampleRecord> records;
  const auto m = score_task(t, answers, "infmllm", &records);
  EXPECT_NEAR(m.at("accuracy"), 100 * expected["precision_at_1"].get<double>(), 1e-6);
  for (const auto& r : records) {
    const json& e = expected["per_item"][r.id];
    EXPECT_EQ(r.score == 1.0, e["correct"].get<bool>()) << r.id;
    if (e["iou"].is_null()) EXPECT_TRUE(r.extra["iou"].is_null()) << r.id;
    else EXPECT_NEAR(r.extra["iou"].get<double>(), e["iou"].get<double>(), 1e-9) << r.id;
  }
}

TEST(RefcocoDataset, ImageSizeFromHeaders) {
  EXPECT_EQ(read_image_size(data_path("mini/_pool/img2.jpg")), std::make_pair(80, 60));
  EXPECT_EQ(read_image_size(data_path("mini/_pool/img5.jpg")), std::make_pair(40, 72));
  TempDir dir("png");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\x2c\0\0\0\xc8\x08\x02\0\0\0", 29);
  EXPECT_EQ(read_image_size(dir.write("a.png", png)), std::make_pair(300, 200));
  expect_input_error([&] { read_image_size(dir.write("b.jpg", "not an image")); }, {"b.jpg", "image size"});
}

// Issue 14: a width >= 2^31 became a negative int and 0x0 was accepted (every box then scored 0 silently).
TEST(RefcocoDataset, ImageSizeRejectsCorruptHeaders) {
  TempDir dir("png-bad");
  // IHDR width 0x80000000 (2^31), height 200.
  const std::string huge("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\x80\0\0\0\0\0\0\xc8\x08\x02\0\0\0", 29);
  expect_input_error([&] { read_image_size(dir.write("huge.png", huge)); }, {"huge.png", "image size"});
  const std::string zero("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\0\x08\x02\0\0\0", 29);
  expect_input_error([&] { read_image_size(dir.write("zero.png", zero)); }, {"zero.png", "image size"});
  // JPEG SOF0 claiming 0x0: FFD8, FFC0 length 11, precision 8, height 0, width 0, 1 component.
  const std::string jpeg0("\xFF\xD8\xFF\xC0\x00\x0B\x08\x00\x00\x00\x00\x01\x01\x11\x00", 15);
  expect_input_error([&] { read_image_size(dir.write("zero.jpg", jpeg0)); }, {"zero.jpg", "image size"});
}

TEST(RefcocoDataset, BadRecords) {
  TempDir dir("refcoco-bad");
  const auto load = [&](const std::string& content) {
    return load_task("refcoco_val", "", {{"refs", dir.write("r.json", content)}});
  };
  expect_input_error([&] { load("[{\"bbox\": [0,0,1,1], \"segment_id\": 1, \"sentences\": [{\"sent\": \"a\", \"sent_id\": 1}]}]"); },
                     {"r.json: item 1", "img_name"});
  expect_input_error([&] { load("[{\"img_name\": \"x.jpg\", \"bbox\": [0,0,1], \"segment_id\": 1, \"sentences\": [{\"sent\": \"a\", \"sent_id\": 1}]}]"); },
                     {"r.json: item 1", "bbox"});
  expect_input_error([&] { load("[{\"img_name\": \"x.jpg\", \"bbox\": [0,0,1,\"2\"], \"segment_id\": 1, \"sentences\": [{\"sent\": \"a\", \"sent_id\": 1}]}]"); },
                     {"r.json: item 1", "4 numbers"});
  expect_input_error(
      [&] {
        load("[{\"img_name\": \"x.jpg\", \"bbox\": [0,0,1,1], \"segment_id\": 1, \"sentences\": [{\"sent\": \"a\", \"sent_id\": 1}]},"
             " {\"img_name\": \"y.jpg\", \"bbox\": [0,0,1,1], \"segment_id\": 1, \"sentences\": [{\"sent\": \"b\", \"sent_id\": 1}]}]");
      },
      {"item 2", "duplicate box id 1_1", "item 1"});
}

TEST(ScienceQaDataset, ScoresMatchEvalScienceQa) {
  const auto t = load_task("scienceqa_img", "", {{"questions", data_path("scienceqa/llava_test_CQM-A.json")},
                                                 {"problems", data_path("scienceqa/problems.json")},
                                                 {"pid_splits", data_path("scienceqa/pid_splits.json")},
                                                 {"images", "img"}});
  ASSERT_EQ(t.samples.size(), 18u);
  EXPECT_EQ(t.samples[0].vars.at("text"),
            "<image>\nContext: none.\nQuestion: Question 0?\nOptions: (A) choice 0 (B) choice 1 (C) choice 2 (D) choice "
            "3\nAnswer with the option's letter from the given choices directly.");
  EXPECT_EQ(t.samples[3].image_path, "");
  const json expected = read_json_file(data_path("scienceqa/expected.json"));
  std::vector<SampleRecord> records;
  const auto m = score_task(t, llava_answers(data_path("scienceqa/answers.jsonl")), "llava", &records);
  EXPECT_NEAR(m.at("accuracy"), expected["accuracy"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("img_accuracy"), expected["img_accuracy"].get<double>(), 1e-6);
  for (const auto& r : records) {
    EXPECT_EQ(r.parsed, expected["per_item"][r.id]["parsed"].get<std::string>()) << r.id;
    EXPECT_EQ(r.extra["multimodal"].get<bool>(), expected["per_item"][r.id]["is_multimodal"].get<bool>()) << r.id;
  }
}

TEST(ScienceQaDataset, BadRecords) {
  TempDir dir("sqa-bad");
  const std::string problems = dir.write("p.json", "{\"1\": {\"choices\": [\"a\", \"b\"], \"answer\": 0}, \"2\": {\"choices\": \"ab\", \"answer\": 0}}");
  const std::string splits = dir.write("s.json", "{\"test\": [\"1\"]}");
  const std::string with_bad_problem = dir.write("s2.json", "{\"test\": [\"1\", \"2\"]}");
  const auto load = [&](const std::string& content, const std::string& split_file = "") {
    return load_task("scienceqa_img", "", {{"questions", dir.write("q.json", content)}, {"problems", problems},
                                           {"pid_splits", split_file.empty() ? splits : split_file}});
  };
  expect_input_error([&] { load("[{\"id\": \"1\"}]"); }, {"q.json: item 1", "conversations"});
  expect_input_error([&] { load("[{\"id\": \"3\", \"conversations\": [{\"value\": \"q\"}]}]"); },
                     {"q.json: item 1", "pid_splits"});
  expect_input_error([&] { load("[{\"id\": \"1\", \"conversations\": [{\"value\": \"q\"}]}, {\"id\": \"1\", \"conversations\": [{\"value\": \"q\"}]}]"); },
                     {"q.json: item 2", "duplicate id 1"});
  // Every problem of the split is checked, with or without the question file (the split is the denominator).
  expect_input_error([&] { load("[]", with_bad_problem); }, {"problem 2", "choices"});
  expect_input_error([&] { load("[]", dir.write("s3.json", "{\"test\": [\"1\", \"7\"]}")); },
                     {"problem 7", "not in"});
}

TEST(SeedDataset, ScoresMatchConvertSeedForSubmission) {
  const auto t = load_task("seed_bench", "", {{"questions", data_path("seed/llava-seed-bench.jsonl")},
                                              {"annotations", data_path("seed/SEED-Bench.json")}});
  ASSERT_EQ(t.samples.size(), 12u);
  const json expected = read_json_file(data_path("seed/expected.json"));
  const auto m = score_task(t, llava_answers(data_path("seed/answers.jsonl")), "llava");
  EXPECT_NEAR(m.at("accuracy"), expected["accuracy"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("image_accuracy"), expected["image_accuracy"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("video_accuracy"), expected["video_accuracy"].get<double>(), 1e-6);
  ASSERT_EQ(expected["per_type"].size(), 3u);
  for (auto it = expected["per_type"].begin(); it != expected["per_type"].end(); ++it)
    EXPECT_NEAR(m.at("type/" + it.key()), it.value().get<double>(), 1e-9) << it.key();
}

TEST(SeedDataset, NoVideoQuestionsIsNaNNotACrash) {
  TempDir dir("seed-image-only");
  const std::string ann = dir.write(
      "a.json", "{\"questions\": [{\"question_id\": \"1\", \"answer\": \"A\", \"data_type\": \"image\", "
                "\"question_type_id\": 1}], \"question_type\": {\"Scene\": 1}}");
  const auto t = load_task("seed_bench", "", {{"annotations", ann},
                                              {"questions", dir.write("q.jsonl", "{\"question_id\": 1, \"image\": \"1.png\", \"text\": \"q\"}\n")}});
  const auto m = score_task(t, {{"1", "A", json::object(), "a:1"}}, "llava");
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 100.0);
  EXPECT_DOUBLE_EQ(m.at("image_accuracy"), 100.0);
  EXPECT_TRUE(std::isnan(m.at("video_accuracy")));
  const Scorer& scorer = find_scorer("seed");
  EXPECT_FALSE(scorer.notes("llava").empty());
}

TEST(SeedDataset, SubmissionIsValidatedAndWrittenWithManifest) {
  const auto t = load_task("seed_bench", "", {{"questions", data_path("seed/llava-seed-bench.jsonl")},
                                              {"annotations", data_path("seed/SEED-Bench.json")}});
  const Scorer& scorer = find_scorer("seed");
  std::vector<SampleRecord> records;
  score_task(t, llava_answers(data_path("seed/answers.jsonl")), "llava", &records);
  TempDir out("seed-sub");
  expect_input_error([&] { scorer.write_outputs(t.config, t.samples, records, out.path.string(), json::object()); },
                     {"1 of 12", "5008", "--allow-missing"});
  scorer.write_outputs(t.config, t.samples, records, out.path.string(), json{{"allow_missing", true}});
  const std::string content = read_text_file((out.path / "seed_bench_submission.jsonl").string());
  EXPECT_EQ(split(content, '\n')[0], "{\"prediction\":\"A\",\"question_id\":\"5000\"}");
  const json manifest = read_json_file((out.path / "seed_bench_submission.jsonl.manifest.json").string());
  EXPECT_EQ(manifest["required"], 12);
  EXPECT_EQ(manifest["answered"], 11);
  EXPECT_EQ(manifest["sha256"].get<std::string>().size(), 64u);
}

TEST(SeedDataset, BadRecords) {
  TempDir dir("seed-bad");
  const std::string ann = dir.write("a.json", "{\"questions\": [{\"question_id\": \"1\", \"answer\": \"A\", "
                                              "\"data_type\": \"image\", \"question_type_id\": 1}]}");
  const auto load = [&](const std::string& q) {
    return load_task("seed_bench", "", {{"annotations", ann}, {"questions", dir.write("q.jsonl", q)}});
  };
  expect_input_error([&] { load("{\"question_id\": 2, \"image\": \"x\", \"text\": \"q\"}\n"); },
                     {"q.jsonl:1", "question_id 2", "a.json"});
  expect_input_error([&] { load("{\"question_id\": 1, \"image\": \"x\"}\n"); }, {"q.jsonl:1", "text"});
  expect_input_error(
      [&] { load("{\"question_id\": 1, \"image\": \"x\", \"text\": \"q\"}\n{\"question_id\": 1, \"image\": \"x\", \"text\": \"q\"}\n"); },
      {"q.jsonl:2", "duplicate"});
  expect_input_error(
      [&] {
        load_task("seed_bench", "", {{"annotations", dir.write("b.json", "{\"questions\": [{\"question_id\": \"1\", \"question_type_id\": 1}]}")},
                                     {"questions", dir.write("q.jsonl", "")}});
      },
      {"b.json: questions item 1", "answer"});
}

}  // namespace
}  // namespace infeval

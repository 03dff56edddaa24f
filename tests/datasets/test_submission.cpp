// The generic submission writer (datasets/submission.h), OK-VQA's optional external post-processing, and the JSON
// record line finder used for error messages.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "datasets/answer_postprocess.h"
#include "datasets/json_positions.h"
#include "datasets/submission.h"
#include "core/json_io.h"
#include "core/sha256.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using json = nlohmann::json;
using namespace infeval::test;

TEST(Submission, CoverageErrorNamesMissingIdsUnlessAllowed) {
  expect_input_error([] { check_submission_coverage({"1", "2", "3"}, {true, false, false}, false, "task t"); },
                     {"task t", "2 of 3", "first: 2, 3", "--allow-missing"});
  const auto coverage = check_submission_coverage({"1", "2", "3"}, {true, false, true}, true, "task t");
  EXPECT_EQ(coverage.required, 3u);
  EXPECT_EQ(coverage.answered, 2u);
  EXPECT_EQ(coverage.missing_ids, std::vector<std::string>({"2"}));
}

TEST(Submission, WritesFileAndManifestWithHash) {
  TempDir dir("submission");
  SubmissionFile file;
  file.file_name = "x.json";
  file.content = "[{\"question_id\": 1, \"answer\": \"yes\"}]";
  file.format = "list";
  file.normalization = "none";
  file.extra["server"] = "test";
  const auto coverage = check_submission_coverage({"1"}, {true}, false, "t");
  const json manifest = write_submission("t", (dir.path / "sub").string(), file, coverage, false);
  const std::string path = (dir.path / "sub" / "x.json").string();
  EXPECT_EQ(read_text_file(path), file.content);
  EXPECT_EQ(manifest["sha256"], sha256_hex(file.content));
  EXPECT_EQ(read_json_file(path + ".manifest.json"), manifest);
  EXPECT_EQ(manifest["server"], "test");
  EXPECT_EQ(manifest["bytes"], file.content.size());
}

TEST(Submission, AllowMissingFromOptionsOrTask) {
  TaskConfig task;
  task.name = "t";
  EXPECT_FALSE(submission_allow_missing(task, json::object()));
  task.options = {{"allow_missing", true}};
  EXPECT_TRUE(submission_allow_missing(task, json::object()));
  EXPECT_FALSE(submission_allow_missing(task, {{"allow_missing", false}}));
  expect_input_error([&] { submission_allow_missing(task, {{"allow_missing", "yes"}}); }, {"allow_missing"});
  EXPECT_EQ(submission_id_json("262148000"), json(262148000));
  EXPECT_EQ(submission_id_json("0042"), json("0042"));
  EXPECT_EQ(submission_id_json("abc"), json("abc"));
}

TEST(OkVqa, ExternalPostprocessCommandIsOffByDefaultAndAppliedWhenSet) {
  auto t = load_task("okvqa_val", mini_root());
  const Scorer& scorer = find_scorer("okvqa");
  // mini sample 0: GT race x5 / racing x5. "racing" scores 1.0 (5 others agree); mapped to "race" also 1.0;
  // "races" scores 0 unless the (stand-in) lemmatizer maps it to "race".
  std::vector<ForeignPrediction> foreign = {{t.samples[0].id, "races", json::object(), "p:1"}};
  std::vector<SampleRecord> records;
  score_task(t, foreign, "infmllm", &records);
  EXPECT_EQ(records[0].score, 0.0);
  t.config.options["answer_postprocess_command"] = "sed 's/\"races\"/\"race\"/'";
  score_task(t, foreign, "infmllm", &records);
  EXPECT_EQ(records[0].score, 1.0);
  EXPECT_EQ(records[0].parsed, "race");
  bool noted = false;
  for (const auto& note : scorer.notes("infmllm")) noted = noted || note.find("spaCy") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(OkVqa, PostprocessCommandMustReturnOneLinePerAnswer) {
  EXPECT_THROW(run_answer_postprocess_command("head -n 1", {"a", "b"}, "okvqa_val"), RuntimeFailure);
  EXPECT_THROW(run_answer_postprocess_command("echo notjson", {"a"}, "okvqa_val"), InputError);
  EXPECT_EQ(run_answer_postprocess_command("cat", {"a b", "ü"}, "t"), std::vector<std::string>({"a b", "ü"}));
}

TEST(JsonPositions, ElementAndMemberLines) {
  const std::string text = "{\"info\": {\"a\": [1, 2]},\n \"questions\": [\n  {\"x\": [3]},\n  \"s\", 4,\n"
                           "  {\"y\": \"]\"}\n ],\n \"after\": {\"z\": 5}\n}";
  EXPECT_EQ(json_array_element_lines(text, "questions"), std::vector<int>({3, 4, 4, 5}));
  EXPECT_TRUE(json_array_element_lines(text, "missing").empty());
  EXPECT_EQ(json_array_element_lines("[\n{},\n{}]", ""), std::vector<int>({2, 3}));
  const auto members = json_object_member_lines("{\n\"a\": {\"b\": 1},\n\"c\": 2}");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[1], std::make_pair(std::string("c"), 3));
}

}  // namespace
}  // namespace infeval

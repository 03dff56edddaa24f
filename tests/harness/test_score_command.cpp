// `infeval score` end to end through the CLI: what it records about the predictions it read.
#include <sys/wait.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "harness_test_util.h"

using namespace infeval_test;

namespace {

struct ScoreRun {
  int exit_code = -1;
  std::string out, err;
};

ScoreRun run_infeval(const std::string& arguments) {
  const std::string io = infeval::test::fresh_test_dir("score-cli-io").string();
  const std::string command =
      fmt::format("{}/harness/infeval {} >{}/out.txt 2>{}/err.txt", INFEVAL_BINARY_DIR, arguments, io, io);
  const int status = std::system(command.c_str());
  ScoreRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(io + "/out.txt");
  r.err = read_file(io + "/err.txt");
  return r;
}

// A run directory holding infeval predictions for both toy tasks: every answer `answer`.
void write_run_directory(const std::string& dir, const std::string& answer, int count) {
  for (const char* task : {"toy_qa", "toy_qa_second"}) {
    std::string lines;
    for (int i = 0; i < count; ++i)
      lines += fmt::format(R"({{"task": "{}", "sample_id": "{}", "prediction": "{}"}})", task, 1000 + i, answer) +
               "\n";
    write_file(fmt::format("{}/predictions/{}.jsonl", dir, task), lines);
  }
}

}  // namespace

// Regression (issue 12, point 6): the digest of a predictions directory was sha256(path), so a changed directory
// had the same "model" and the results of tasks scored from its old content stayed in results.json beside new ones.
TEST(ScoreCommand, ADirectorysDigestFollowsItsContent) {
  ToyEnvironment env("score-digest", 8);
  const std::string run = env.root + "/run", out = env.root + "/scored";
  const std::string common = fmt::format("--config-dir {} --data-root {} --predictions {} --output {}",
                                         env.config_dir, env.data_root, run, out);
  write_run_directory(run, "yes", 8);
  ASSERT_EQ(run_infeval("score --task toy_qa " + common).exit_code, 0);
  const auto first = infeval::read_json_file(out + "/results.json");

  write_run_directory(run, "no", 8);  // same path, other answers
  const auto second_run = run_infeval("score --task toy_qa_second " + common);
  ASSERT_EQ(second_run.exit_code, 0) << second_run.err;
  const auto second = infeval::read_json_file(out + "/results.json");
  EXPECT_NE(first["model"]["model_digest"], second["model"]["model_digest"]);
  // toy_qa was scored from the old answers: it must not be reported beside toy_qa_second.
  EXPECT_FALSE(second["tasks"].contains("toy_qa")) << second["tasks"].dump();
  EXPECT_TRUE(second["tasks"].contains("toy_qa_second"));
}

TEST(ScoreCommand, UnchangedDirectoryKeepsItsDigest) {
  ToyEnvironment env("score-digest-same", 8);
  const std::string run = env.root + "/run", out = env.root + "/scored";
  const std::string common = fmt::format("--config-dir {} --data-root {} --predictions {} --output {}",
                                         env.config_dir, env.data_root, run, out);
  write_run_directory(run, "yes", 8);
  ASSERT_EQ(run_infeval("score --task toy_qa " + common).exit_code, 0);
  ASSERT_EQ(run_infeval("score --task toy_qa_second " + common).exit_code, 0);
  const auto results = infeval::read_json_file(out + "/results.json");
  EXPECT_TRUE(results["tasks"].contains("toy_qa"));
  EXPECT_TRUE(results["tasks"].contains("toy_qa_second"));
}

// ---- Scoring with only the files the official script reads (issue 15, point 1) ----------------------------------
// --data-root points nowhere, so every configured file is absent except those passed with --file: exactly the
// official script's inputs. Expected values: tests/data/*/README.md (produced by the scripts themselves), stored
// to full precision (issue 15, point 5).

namespace {

std::string data(const std::string& relative) { return std::string(INFEVAL_TEST_DATA) + "/" + relative; }

const char kNowhere[] = "--data-root /nonexistent-infeval-data-root";

nlohmann::json score_to_results(const std::string& arguments, const std::string& out, ScoreRun* run_out = nullptr) {
  const ScoreRun run = run_infeval(fmt::format("score {} {} --output {}", kNowhere, arguments, out));
  if (run_out) *run_out = run;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  if (run.exit_code != 0) return nlohmann::json::object();
  return infeval::read_json_file(out + "/results.json");
}

}  // namespace

TEST(ScoreOfficialInputs, TextVqaWithTheAnnotationsOnly) {
  const std::string out = infeval::test::fresh_test_dir("score-textvqa").string();
  ScoreRun run;
  const auto results =
      score_to_results(fmt::format("--task textvqa_val --predictions {} --file annotations={}",
                                   data("textvqa/llava_answers.jsonl"), data("textvqa/TextVQA_0.5.1_val.json")),
                       out, &run);
  const auto expected = infeval::read_json_file(data("textvqa/expected.json"))["llava"];
  const auto& task = results["tasks"]["textvqa_val"];
  EXPECT_EQ(task["metrics"]["accuracy"].get<double>(), 100.0 * expected["accuracy_fraction"].get<double>());
  EXPECT_NE(run.out.find("| accuracy | 83.33333333333334 | 83.33 |"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("llava/eval/eval_textvqa.py"), std::string::npos) << run.out;
  EXPECT_EQ(task["official"]["repository"], "haotian-liu/LLaVA");
}

TEST(ScoreOfficialInputs, ScienceQaWithProblemsAndSplitsOnly) {
  const std::string out = infeval::test::fresh_test_dir("score-sqa").string();
  const auto results = score_to_results(
      fmt::format("--task scienceqa_img --predictions {} --file problems={} --file pid_splits={}",
                  data("scienceqa/answers.jsonl"), data("scienceqa/problems.json"), data("scienceqa/pid_splits.json")),
      out);
  const auto expected = infeval::read_json_file(data("scienceqa/expected.json"));
  const auto& task = results["tasks"]["scienceqa_img"];
  EXPECT_EQ(task["metrics"]["accuracy"].get<double>(), expected["accuracy"].get<double>());
  EXPECT_EQ(task["metrics"]["img_accuracy"].get<double>(), expected["img_accuracy"].get<double>());
  EXPECT_EQ(task["counts"]["total"], 18);   // the test split
  EXPECT_EQ(task["counts"]["missing"], 1);  // counted as FAILED, as the script does
}

TEST(ScoreOfficialInputs, SeedWithTheAnnotationsOnly) {
  const std::string out = infeval::test::fresh_test_dir("score-seed").string();
  const auto results = score_to_results(fmt::format("--task seed_bench --predictions {} --file annotations={}",
                                                    data("seed/answers.jsonl"), data("seed/SEED-Bench.json")),
                                        out);
  const auto expected = infeval::read_json_file(data("seed/expected.json"));
  const auto& metrics = results["tasks"]["seed_bench"]["metrics"];
  for (const char* m : {"accuracy", "image_accuracy", "video_accuracy"})
    EXPECT_EQ(metrics[m].get<double>(), expected[m].get<double>()) << m;
  for (const auto& [type, value] : expected["per_type"].items())
    EXPECT_EQ(metrics["type/" + type].get<double>(), value.get<double>()) << type;
}

TEST(ScoreOfficialInputs, MmeEvalToolFolderAlone) {
  const std::string out = infeval::test::fresh_test_dir("score-mme").string();
  ScoreRun run;
  const auto results =
      score_to_results(fmt::format("--task mme --predictions {}", data("mme/results_dir")), out, &run);
  const auto expected = infeval::read_json_file(data("mme/expected.json"));
  const auto& metrics = results["tasks"]["mme"]["metrics"];
  EXPECT_EQ(metrics["perception"].get<double>(), expected["totals"]["perception"].get<double>());
  EXPECT_EQ(metrics["cognition"].get<double>(), expected["totals"]["cognition"].get<double>());
  for (const auto& [subtask, value] : expected["subtasks"].items())
    EXPECT_EQ(metrics[subtask].get<double>(), value.get<double>()) << subtask;
  EXPECT_NE(run.out.find("| cognition | 166.66666666666666 |"), std::string::npos) << run.out;
}

// LLaVA's convert_answer_to_mme.py writes "<stem>.txt" in the image column; calculation.py never reads that column,
// so the numbers are those of the folder with image names (by reading the script: it splits the line and uses the
// GT and prediction fields only).
TEST(ScoreOfficialInputs, MmeFolderWithTxtImageNames) {
  const std::string root = infeval::test::fresh_test_dir("score-mme-txt").string();
  for (const auto& entry : fs::directory_iterator(data("mme/results_dir"))) {
    std::string text = read_file(entry.path().string()), rewritten;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      const size_t tab = line.find('\t');
      const std::string image = line.substr(0, tab);
      const std::string stem = image.substr(image.rfind('/') + 1, image.rfind('.') - image.rfind('/') - 1);
      rewritten += stem + ".txt" + line.substr(tab) + "\n";
      start = end + 1;
    }
    write_file(root + "/txt_dir/" + entry.path().filename().string(), rewritten);
  }
  ASSERT_NE(read_file(root + "/txt_dir/OCR.txt").find("0000.txt\t"), std::string::npos);
  const auto expected = infeval::read_json_file(data("mme/expected.json"))["totals"];
  const auto alone = score_to_results(fmt::format("--task mme --predictions {}/txt_dir", root), root + "/a");
  EXPECT_EQ(alone["tasks"]["mme"]["metrics"]["perception"].get<double>(), expected["perception"].get<double>());
  // With the question file the lines are matched to its questions by the image's stem (issue 15, point 2).
  const auto matched = score_to_results(fmt::format("--task mme --predictions {}/txt_dir --file questions={}", root,
                                                    data("mme/questions.jsonl")),
                                        root + "/b");
  EXPECT_EQ(matched["tasks"]["mme"]["metrics"]["perception"].get<double>(), expected["perception"].get<double>());
  EXPECT_EQ(matched["tasks"]["mme"]["metrics"]["cognition"].get<double>(), expected["cognition"].get<double>());
  EXPECT_EQ(matched["tasks"]["mme"]["counts"]["missing"], 0);
}

// ---- Answers the official script skips (point 3) and its denominators (point 4) ----------------------------------

TEST(ScoreOfficialInputs, ScienceQaIgnoresAnswersOutsideTheSplitAndCountsThem) {
  const std::string root = infeval::test::fresh_test_dir("score-sqa-unknown").string();
  write_file(root + "/answers.jsonl", read_file(data("scienceqa/answers.jsonl")) +
                                          R"({"question_id": "999999", "prompt": "x", "text": "A"})" + "\n");
  const auto results = score_to_results(
      fmt::format("--task scienceqa_img --predictions {}/answers.jsonl --file problems={} --file pid_splits={}", root,
                  data("scienceqa/problems.json"), data("scienceqa/pid_splits.json")),
      root + "/out");
  const auto expected = infeval::read_json_file(data("scienceqa/expected.json"));
  EXPECT_EQ(results["tasks"]["scienceqa_img"]["metrics"]["accuracy"].get<double>(), expected["accuracy"].get<double>());
  EXPECT_EQ(results["tasks"]["scienceqa_img"]["counts"]["ignored"], 1);
}

TEST(ScoreOfficialInputs, PopeScoresTheAnswersPresent) {
  const std::string out = infeval::test::fresh_test_dir("score-pope-partial").string();
  const auto results = score_to_results(
      fmt::format("--task pope --predictions {} --file questions={} --file labels={}", data("pope/answers_partial.jsonl"),
                  data("pope/questions.jsonl"), data("pope/labels")),
      out);
  const auto expected = infeval::read_json_file(data("pope/expected_partial.json"))["categories"];
  const auto& metrics = results["tasks"]["pope"]["metrics"];
  for (const char* category : {"adversarial", "random"})
    for (const char* m : {"accuracy", "precision", "recall", "f1", "yes_ratio"})
      EXPECT_DOUBLE_EQ(metrics[std::string(category) + "/" + m].get<double>(), 100.0 * expected[category][m].get<double>())
          << category << " " << m;
  EXPECT_FALSE(metrics.contains("popular/f1"));  // no answers: left out, not a 0 in the mean
  // Hand-derived: the mean over the two categories that have answers.
  EXPECT_DOUBLE_EQ(metrics["f1"].get<double>(),
                   100.0 * (expected["adversarial"]["f1"].get<double>() + expected["random"]["f1"].get<double>()) / 2);
  EXPECT_EQ(results["tasks"]["pope"]["counts"]["missing"], 14);
  EXPECT_EQ(results["tasks"]["pope"]["official"]["absent_answers"], "not counted");
}

// ---- Formats (point 7): GQA eval.py's input, SEED's upload file -------------------------------------------------

TEST(ScoreFormats, GqaEvalPyInputScoresAsTheAnswerFile) {
  const std::string out = infeval::test::fresh_test_dir("score-gqa-input").string();
  ScoreRun run;
  const auto results = score_to_results(
      fmt::format("--task gqa_testdev --predictions {} --file answers={} --file questions={}",
                  data("gqa/testdev_balanced_predictions.json"), data("gqa/testdev_balanced.jsonl"),
                  data("gqa/testdev_balanced_questions.json")),
      out, &run);
  const auto expected = infeval::read_json_file(data("gqa/expected.json"))["official"];
  for (const char* m : {"accuracy", "binary", "open", "distribution"})
    EXPECT_DOUBLE_EQ(results["tasks"]["gqa_testdev"]["metrics"][m].get<double>(), expected[m].get<double>()) << m;
}

// infeval's own SEED submission, scored back: the same numbers as the answers it was written from.
TEST(ScoreFormats, SeedSubmissionScoresBack) {
  const std::string root = infeval::test::fresh_test_dir("score-seed-upload").string();
  score_to_results(fmt::format("--task seed_bench --predictions {} --file annotations={} --allow-missing",
                               data("seed/answers.jsonl"), data("seed/SEED-Bench.json")),
                   root + "/first");
  const std::string upload = root + "/first/seed_bench_submission.jsonl";
  ASSERT_TRUE(fs::exists(upload));
  const auto results = score_to_results(
      fmt::format("--task seed_bench --predictions {} --file annotations={}", upload, data("seed/SEED-Bench.json")),
      root + "/second");
  const auto expected = infeval::read_json_file(data("seed/expected.json"));
  EXPECT_EQ(results["tasks"]["seed_bench"]["metrics"]["accuracy"].get<double>(), expected["accuracy"].get<double>());
}

// ---- Interface (point 8) ------------------------------------------------------------------------------------------

// Several tasks in one call, a file for one task only, a variant for one task only, and no --output: print only.
TEST(ScoreInterface, TasksFilesAndVariantsPerTaskWithoutOutput) {
  ToyEnvironment env("score-interface", 8);
  const std::string run = env.root + "/run";
  write_run_directory(run, "yes", 8);
  write_file(env.root + "/other.jsonl", read_file(env.data_root + "/toy/questions.jsonl"));
  const auto r = run_infeval(fmt::format(
      "score --tasks toy_qa,toy_qa_second --config-dir {} --data-root {} --predictions {} "
      "--file toy_qa_second:questions={}/other.jsonl --variant toy_qa=infmllm",
      env.config_dir, env.data_root, run, env.root));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| toy_qa (infmllm) |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| toy_qa_second ("), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(run + "/results.json"));
  const auto typo = run_infeval(fmt::format("score --tasks toy_qa --config-dir {} --data-root {} --predictions {} "
                                            "--file toy_qb:questions=x",
                                            env.config_dir, env.data_root, run));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown task 'toy_qb'"), std::string::npos) << typo.err;
}

// A run directory without --task: every task with predictions there is rescored.
TEST(ScoreInterface, RunDirectoryRescoresEveryTask) {
  ToyEnvironment env("score-rundir", 8);
  const std::string run = env.root + "/run";
  write_run_directory(run, "yes", 8);
  const auto r = run_infeval(fmt::format("score --config-dir {} --data-root {} --predictions {} --output {}/out",
                                         env.config_dir, env.data_root, run, env.root));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = infeval::read_json_file(env.root + "/out/results.json");
  EXPECT_TRUE(results["tasks"].contains("toy_qa"));
  EXPECT_TRUE(results["tasks"].contains("toy_qa_second"));
}

// infeval's own MMBench upload table, scored back: the numbers of the answers it was written from (VLMEvalKit's
// matching, tests/data/mmbench/README.md).
TEST(ScoreFormats, MmbenchSubmissionScoresBack) {
  const std::string root = infeval::test::fresh_test_dir("score-mmbench-tsv").string();
  const std::string questions = data("mmbench/mmbench_dev_synthetic.tsv");
  score_to_results(fmt::format("--task mmbench_dev_en --predictions {} --file questions={} --allow-missing",
                               data("mmbench/answers.jsonl"), questions),
                   root + "/first");
  const std::string table = root + "/first/mmbench_dev_en_submission.tsv";
  ASSERT_TRUE(fs::exists(table));
  const auto results = score_to_results(
      fmt::format("--task mmbench_dev_en --predictions {} --file questions={}", table, questions), root + "/second");
  const auto expected = infeval::read_json_file(data("mmbench/expected.json"));
  const auto& metrics = results["tasks"]["mmbench_dev_en"]["metrics"];
  EXPECT_DOUBLE_EQ(metrics["accuracy"].get<double>(), 100.0 * expected["vanilla_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(metrics["circular_accuracy"].get<double>(), 100.0 * expected["circular_accuracy"].get<double>());
}

// MME answers whose question_id the question file does not hold never reach calculation.py (LLaVA's converter
// finds no question for them): ignored and counted, the scores those of the answers it converts.
TEST(ScoreOfficialInputs, MmeIgnoresAnswersWithoutAQuestion) {
  const std::string root = infeval::test::fresh_test_dir("score-mme-unknown").string();
  write_file(root + "/answers.jsonl", read_file(data("mme/answers.jsonl")) +
                                          R"({"question_id": "no/such.png", "prompt": "x", "text": "Yes"})" + "\n");
  const auto results = score_to_results(
      fmt::format("--task mme --predictions {}/answers.jsonl --file questions={}", root, data("mme/questions.jsonl")),
      root + "/out");
  const auto expected = infeval::read_json_file(data("mme/expected.json"))["totals"];
  EXPECT_EQ(results["tasks"]["mme"]["metrics"]["perception"].get<double>(), expected["perception"].get<double>());
  EXPECT_EQ(results["tasks"]["mme"]["metrics"]["cognition"].get<double>(), expected["cognition"].get<double>());
  EXPECT_EQ(results["tasks"]["mme"]["counts"]["ignored"], 1);
}

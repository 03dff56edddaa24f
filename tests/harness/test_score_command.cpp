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
  const std::string io = make_temp_dir("score-cli-io");
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

// The infeval CLI: exit codes, error messages with suggestions, results.json schema, report formats.
#include <cstdio>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "harness_test_util.h"

using namespace infeval_test;

TEST(Cli, EveryCommandHasHelp) {
  for (const char* command : {"run", "score", "report", "compare", "gate", "audit", "merge", "list"}) {
    const auto r = run_cli(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_NE(r.out.find("usage"), std::string::npos) << command;
  }
}

TEST(Cli, UnknownCommandSuggestsTheClosest) {
  const auto r = run_cli("scroe");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'scroe'; did you mean score?"), std::string::npos) << r.err;
}

TEST(Cli, UnknownTaskSuggestsTheClosest) {
  ToyEnvironment env("cli-task");
  const auto r = run_cli(fmt::format("run --tasks toy_qaa --config-dir {} --output {}/o --backend fixed",
                                     env.config_dir, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown task 'toy_qaa'; did you mean toy_qa"), std::string::npos) << r.err;
}

TEST(Cli, UnknownFlagSuggestsTheClosest) {
  const auto r = run_cli("score --taks x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean --tasks or --task?"), std::string::npos) << r.err;
}

TEST(Cli, ListTasksPrintsDescriptions) {
  ToyEnvironment env("cli-list");
  const auto r = run_cli("list tasks --config-dir " + env.config_dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("toy_qa "), std::string::npos);
  EXPECT_NE(r.out.find("toy questions for harness tests"), std::string::npos);
  EXPECT_NE(r.out.find("variants: infmllm"), std::string::npos);
}

TEST(Cli, RunWritesResultsWithTheDocumentedSchema) {
  ToyEnvironment env("cli-schema", 8);
  const auto r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/out "
                                     "--backend fixed --rule text:yes --no-progress",
                                     env.config_dir, env.data_root, env.root));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = infeval::read_json_file(env.root + "/out/results.json");
  EXPECT_EQ(results["schema_version"], 1);
  for (const char* key : {"command_line", "git_commit", "build_type", "start_time", "end_time", "seconds",
                          "samples_per_second", "shard", "limit", "batch_size", "protocol"})
    EXPECT_TRUE(results["run"].contains(key)) << key;
  for (const char* key : {"backend", "model_name", "model_digest", "precision", "device", "protocol"})
    EXPECT_TRUE(results["model"].contains(key)) << key;
  const auto& task = results["tasks"]["toy_qa"];
  for (const char* key : {"metrics", "variant", "scorer", "adapter", "version", "config_hash", "counts", "notes",
                          "samples_file"})
    EXPECT_TRUE(task.contains(key)) << key;
  EXPECT_EQ(task["variant"], "infmllm");
  EXPECT_DOUBLE_EQ(task["metrics"]["accuracy"].get<double>(), 25.0);  // ids 0 and 4 of 8 are "yes"
  EXPECT_EQ(results["model"]["model_digest"].get<std::string>().size(), 64u);
  // The leaderboard is printed.
  EXPECT_NE(r.out.find("| run | model |"), std::string::npos) << r.out;
}

TEST(Cli, ReportWritesMarkdownCsvAndJsonWithPaperDeltas) {
  ToyEnvironment env("cli-report", 8);
  write_file(env.config_dir + "/references/toy-paper.json",
             R"({"model": "toy", "source": "hand-made for this test", "tasks": {"toy_qa": {"accuracy": 20.0}}})");
  ASSERT_EQ(run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/a --backend fixed "
                                "--rule text:yes --no-progress", env.config_dir, env.data_root, env.root)).exit_code, 0);
  ASSERT_EQ(run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/b --backend fixed "
                                "--rule text:no --no-progress", env.config_dir, env.data_root, env.root)).exit_code, 0);
  const auto r = run_cli(fmt::format("report {0}/a {0}/b --config-dir {1} --output {0}/board", env.root, env.config_dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // a: 25.00 (+5.00 vs the paper's 20), b: 75.00 (+55.00); the paper row.
  EXPECT_NE(r.out.find("25.00 (+5.00)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("75.00 (+55.00)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("paper: toy-paper"), std::string::npos) << r.out;
  const std::string csv = read_file(env.root + "/board/leaderboard.csv");
  EXPECT_NE(csv.find("run,model,is_reference,toy_qa/accuracy,toy_qa/accuracy:delta"), std::string::npos) << csv;
  // Then the run's variant (exact_match: infmllm) and whether the delta compares like with like: the table states
  // no variant, so "unknown".
  EXPECT_NE(csv.find(",25,5,infmllm,unknown\n"), std::string::npos) << csv;
  const auto board = infeval::read_json_file(env.root + "/board/leaderboard.json");
  EXPECT_EQ(board["rows"].size(), 3u);
  EXPECT_DOUBLE_EQ(board["rows"][1]["deltas"]["toy_qa/accuracy"].get<double>(), 55.0);
}

TEST(Cli, ReportRejectsAReferenceVariantTheScorerLacks) {
  ToyEnvironment env("cli-report-variant", 8);
  ASSERT_EQ(run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/a --backend fixed "
                                "--rule text:yes --no-progress", env.config_dir, env.data_root, env.root)).exit_code, 0);
  // toy_qa is scored by exact_match, whose only variant is "infmllm".
  const std::string table = env.config_dir + "/references/toy-paper.json";
  write_file(table, R"({"model": "toy", "source": "s", "tasks": {"toy_qa": {"accuracy": 20.0, "variant": "llava"}}})");
  const auto r = run_cli(fmt::format("report {0}/a --config-dir {1} --output {0}/board", env.root, env.config_dir));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(table + ": tasks.toy_qa.variant: unknown variant 'llava'"), std::string::npos) << r.err;
}

TEST(Cli, ScoreReadsForeignFormatsAndRejectsUnknownIds) {
  ToyEnvironment env("cli-score", 8);
  // LLaVA-style answers: all "yes" except 1004 -> right on 1000 only (1004's answer is yes but we say no).
  std::string answers;
  for (int i = 0; i < 8; ++i)
    answers += fmt::format(R"({{"question_id": {}, "prompt": "p", "text": "{}"}})", 1000 + i, i == 4 ? "no" : "yes") + "\n";
  write_file(env.root + "/answers.jsonl", answers);
  auto r = run_cli(fmt::format("score --task toy_qa --config-dir {} --data-root {} --predictions {}/answers.jsonl "
                               "--output {}/scored", env.config_dir, env.data_root, env.root, env.root));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = infeval::read_json_file(env.root + "/scored/results.json");
  EXPECT_DOUBLE_EQ(results["tasks"]["toy_qa"]["metrics"]["accuracy"].get<double>(), 12.5);
  EXPECT_EQ(results["model"]["extra"]["format"], "llava");
  // An id not in the question file.
  write_file(env.root + "/bad.json", R"([{"question_id": 1000, "answer": "yes"}, {"question_id": 77, "answer": "no"}])");
  r = run_cli(fmt::format("score --task toy_qa --config-dir {} --data-root {} --predictions {}/bad.json --output {}/s2",
                          env.config_dir, env.data_root, env.root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json: item 2: prediction for unknown id '77'"), std::string::npos) << r.err;
  // A duplicate id.
  write_file(env.root + "/dup.json", R"([{"question_id": 1000, "answer": "yes"}, {"question_id": 1000, "answer": "no"}])");
  r = run_cli(fmt::format("score --task toy_qa --config-dir {} --data-root {} --predictions {}/dup.json --output {}/s3",
                          env.config_dir, env.data_root, env.root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("duplicate prediction for id '1000'"), std::string::npos) << r.err;
  // Missing predictions are counted, not dropped from the denominator.
  write_file(env.root + "/partial.json", R"([{"question_id": 1000, "answer": "yes"}])");
  r = run_cli(fmt::format("score --task toy_qa --config-dir {} --data-root {} --predictions {}/partial.json --output {}/s4",
                          env.config_dir, env.data_root, env.root, env.root));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto partial = infeval::read_json_file(env.root + "/s4/results.json");
  EXPECT_EQ(partial["tasks"]["toy_qa"]["counts"]["missing"], 7);
  EXPECT_DOUBLE_EQ(partial["tasks"]["toy_qa"]["metrics"]["accuracy"].get<double>(), 12.5);
}

TEST(Cli, BadInputFilesNameFileAndLine) {
  ToyEnvironment env("cli-bad", 4);
  // A malformed question file: line 3 is broken.
  write_file(env.data_root + "/toy/questions.jsonl",
             "{\"question_id\": 1, \"image\": \"img0.jpg\", \"question\": \"a\"}\n"
             "{\"question_id\": 2, \"image\": \"img0.jpg\", \"question\": \"b\"}\n"
             "{\"question_id\": 3, \"image\": \n");
  auto r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/o --backend fixed",
                               env.config_dir, env.data_root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("questions.jsonl:3: malformed JSON line"), std::string::npos) << r.err;
  // A duplicate id.
  write_file(env.data_root + "/toy/questions.jsonl",
             "{\"question_id\": 1, \"image\": \"img0.jpg\", \"question\": \"a\"}\n"
             "{\"question_id\": 1, \"image\": \"img0.jpg\", \"question\": \"b\"}\n");
  r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/o --backend fixed",
                          env.config_dir, env.data_root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("questions.jsonl:2: duplicate question_id 1"), std::string::npos) << r.err;
  // A missing field.
  write_file(env.data_root + "/toy/questions.jsonl", "{\"question_id\": 1, \"question\": \"a\"}\n");
  r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/o --backend fixed",
                          env.config_dir, env.data_root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("questions.jsonl:1: field 'image' is missing"), std::string::npos) << r.err;
  // A missing file.
  r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {}/nowhere --output {}/o --backend fixed",
                          env.config_dir, env.root, env.root));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nowhere/toy/questions.jsonl: cannot open file"), std::string::npos) << r.err;
}

TEST(Cli, ShardsFromTheEnvironmentAndMerge) {
  ToyEnvironment env("cli-env-shards", 10);
  for (int rank = 0; rank < 2; ++rank) {
    const auto r = run_cli(fmt::format("run --tasks toy_qa --config-dir {} --data-root {} --output {}/o --backend fixed "
                                       "--rule 'cycle:yes|no' --no-progress",
                                       env.config_dir, env.data_root, env.root),
                           fmt::format("RANK={} WORLD_SIZE=2", rank));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_TRUE(fs::exists(env.root + "/o/predictions/toy_qa.shard-0-of-2.jsonl"));
  EXPECT_TRUE(fs::exists(env.root + "/o/predictions/toy_qa.shard-1-of-2.jsonl"));
  const auto merged = run_cli(fmt::format("merge --output {}/o", env.root));
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const auto results = infeval::read_json_file(env.root + "/o/results.json");
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["total"], 10);
}

// Runner: order, batching, resume (including a SIGKILLed child process), sharding + merge, seeded limits.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "harness/backends/builtin_backends.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/records.h"
#include "harness/predictions_store.h"
#include "harness/results.h"
#include "harness/runner.h"
#include "harness_test_util.h"

using namespace infeval;
using namespace infeval_test;

namespace {

// Records every batch it receives; answers "yes".
class RecordingBackend : public Backend {
 public:
  BackendInfo info() const override {
    BackendInfo i;
    i.name = "recording";
    i.model_name = "recording";
    i.model_digest = "digest-recording";
    i.protocol = "multitask";
    return i;
  }
  std::vector<Response> generate(const std::vector<Request>& batch) override {
    std::vector<std::string> ids;
    for (const auto& r : batch) {
      ids.push_back(r.sample_id);
      prompts.push_back(r.prompt);
    }
    batches.push_back(ids);
    return std::vector<Response>(batch.size(), Response{"yes", ""});
  }
  std::vector<std::vector<std::string>> batches;
  std::vector<std::string> prompts;
};

// Proposes the reverse of the pending order and records each prefetch hint and generate call, in sequence.
class SchedulingBackend : public RecordingBackend {
 public:
  std::vector<size_t> schedule(const std::vector<Request>& pending, int batch_size) const override {
    last_schedule_batch_size = batch_size;
    std::vector<size_t> order;
    for (size_t i = pending.size(); i-- > 0;) order.push_back(i);
    if (broken) order.pop_back();
    return order;
  }
  void prefetch(const std::vector<Request>& upcoming) override {
    std::string ids;
    for (const auto& r : upcoming) ids += r.sample_id + " ";
    events.push_back("prefetch " + ids);
  }
  std::vector<Response> generate(const std::vector<Request>& batch) override {
    std::string ids;
    for (const auto& r : batch) ids += r.sample_id + " ";
    events.push_back("generate " + ids);
    return RecordingBackend::generate(batch);
  }
  bool broken = false;
  mutable int last_schedule_batch_size = 0;
  std::vector<std::string> events;
};

RunOptions toy_options(const ToyEnvironment& env, const std::string& out, int batch_size = 3) {
  RunOptions o;
  o.tasks = {"toy_qa"};
  o.config_dir = env.config_dir;
  o.data_root = env.data_root;
  o.out_dir = out;
  o.batch_size = batch_size;
  o.show_progress = false;
  return o;
}

}  // namespace

TEST(Runner, BatchesInQuestionFileOrderAndScores) {
  ToyEnvironment env("order", 10);
  RecordingBackend backend;
  const auto summary = run_evaluation(backend, toy_options(env, env.root + "/out"));
  ASSERT_EQ(backend.batches.size(), 4u);  // 10 samples in batches of 3: 3, 3, 3, 1
  EXPECT_EQ(backend.batches[0], (std::vector<std::string>{"1000", "1001", "1002"}));
  EXPECT_EQ(backend.batches[3], (std::vector<std::string>{"1009"}));
  // The multitask prompt with the lavis_question-free template, filled verbatim.
  EXPECT_EQ(backend.prompts[1], "<image><ImageHere>Question:Question 1? Short answer:");
  const auto records = read_prediction_records(env.root + "/out/predictions/toy_qa.jsonl");
  ASSERT_EQ(records.size(), 10u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].sample_id, std::to_string(1000 + i));
  const json results = read_results(env.root + "/out");
  // Answers "yes" for ids 1000, 1004, 1008: 3 of 10 right.
  EXPECT_DOUBLE_EQ(results["tasks"]["toy_qa"]["metrics"]["accuracy"].get<double>(), 30.0);
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["total"], 10);
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["scored"], 10);
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["missing"], 0);
}

TEST(Runner, RerunResumesWithoutCallingTheBackend) {
  ToyEnvironment env("resume", 12);
  RecordingBackend first;
  run_evaluation(first, toy_options(env, env.root + "/out"));
  const std::string samples_before = read_file(env.root + "/out/samples/toy_qa.jsonl");
  RecordingBackend second;
  const auto summary = run_evaluation(second, toy_options(env, env.root + "/out"));
  EXPECT_TRUE(second.batches.empty());
  EXPECT_EQ(summary.tasks[0].resumed, 12u);
  EXPECT_EQ(read_file(env.root + "/out/samples/toy_qa.jsonl"), samples_before);
  EXPECT_EQ(count_lines(env.root + "/out/predictions/toy_qa.jsonl"), 12u);
}

TEST(Runner, ChangedModelIsNotResumedFromAnotherModelsPredictions) {
  ToyEnvironment env("digest", 8);
  RecordingBackend first;
  run_evaluation(first, toy_options(env, env.root + "/out"));
  auto fixed = make_fixed_backend("text:no", "multitask");
  const auto summary = run_evaluation(*fixed, toy_options(env, env.root + "/out"));
  EXPECT_EQ(summary.tasks[0].resumed, 0u);
  EXPECT_EQ(summary.tasks[0].generated, 8u);
  // "no" is right for the 6 of 8 questions whose index is not a multiple of 4.
  EXPECT_DOUBLE_EQ(read_results(env.root + "/out")["tasks"]["toy_qa"]["metrics"]["accuracy"].get<double>(), 75.0);
}

TEST(Runner, MissingImageIsARecordedFailureNotACrash) {
  ToyEnvironment env("missing-image", 6);
  fs::remove(env.data_root + "/toy/images/img1.jpg");  // samples 1 and 4 use img1
  RecordingBackend backend;
  run_evaluation(backend, toy_options(env, env.root + "/out"));
  const json results = read_results(env.root + "/out");
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["failed"], 2);
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["total"], 6);
  // The denominator stays 6: "yes" is right for 1000 and 1004, but 1004 failed -> 1 of 6.
  EXPECT_NEAR(results["tasks"]["toy_qa"]["metrics"]["accuracy"].get<double>(), 100.0 / 6.0, 1e-12);
  const auto records = read_sample_records(env.root + "/out/samples/toy_qa.jsonl");
  EXPECT_TRUE(records[4].failed);
  EXPECT_NE(records[4].extra.value("error", "").find("image not found"), std::string::npos);
}

TEST(Runner, ShardedAndMergedEqualsUnsharded) {
  ToyEnvironment env("shards", 23);
  auto whole_backend = make_fixed_backend("cycle:yes|no|maybe", "multitask");
  auto whole = toy_options(env, env.root + "/whole", 4);
  whole.tasks = {"toy_qa", "toy_qa_second"};
  run_evaluation(*whole_backend, whole);
  for (int i = 0; i < 3; ++i) {
    auto backend = make_fixed_backend("cycle:yes|no|maybe", "multitask");
    auto o = toy_options(env, env.root + "/sharded", 4);
    o.tasks = {"toy_qa", "toy_qa_second"};
    o.shard = ShardSpec{i, 3};
    const auto summary = run_evaluation(*backend, o);
    EXPECT_TRUE(summary.results_path.empty());  // shards are not scored alone
  }
  merge_shards(env.root + "/sharded", "");
  const json a = read_results(env.root + "/whole");
  const json b = read_results(env.root + "/sharded");
  for (const char* task : {"toy_qa", "toy_qa_second"}) {
    EXPECT_EQ(a["tasks"][task]["metrics"], b["tasks"][task]["metrics"]) << task;
    EXPECT_EQ(a["tasks"][task]["counts"], b["tasks"][task]["counts"]) << task;
    EXPECT_EQ(read_file(env.root + "/whole/samples/" + task + ".jsonl"),
              read_file(env.root + "/sharded/samples/" + task + ".jsonl"));
  }
}

TEST(Runner, MergeNamesAMissingShard) {
  ToyEnvironment env("missing-shard", 9);
  auto backend = make_fixed_backend("text:yes", "multitask");
  auto o = toy_options(env, env.root + "/out");
  o.shard = ShardSpec{0, 2};
  run_evaluation(*backend, o);
  try {
    merge_shards(env.root + "/out", "");
    FAIL() << "merge of an incomplete run succeeded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("shard 1 of 2"), std::string::npos) << e.what();
  }
}

TEST(Runner, LimitIsASeededRandomSubsetInFileOrder) {
  const auto a = select_sample_indices(100, LimitSpec{10, 7}, ShardSpec{});
  const auto b = select_sample_indices(100, LimitSpec{10, 7}, ShardSpec{});
  const auto c = select_sample_indices(100, LimitSpec{10, 8}, ShardSpec{});
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  std::vector<size_t> first_ten(10);
  for (size_t i = 0; i < 10; ++i) first_ten[i] = i;
  EXPECT_NE(a, first_ten);
  // Shards of the subset partition it.
  std::vector<size_t> joined;
  for (int i = 0; i < 3; ++i) {
    const auto part = select_sample_indices(100, LimitSpec{10, 7}, ShardSpec{i, 3});
    joined.insert(joined.end(), part.begin(), part.end());
  }
  std::sort(joined.begin(), joined.end());
  EXPECT_EQ(joined, a);
}

TEST(Runner, LimitIsRecordedInResults) {
  ToyEnvironment env("limit", 20);
  RecordingBackend backend;
  auto o = toy_options(env, env.root + "/out");
  o.limit = LimitSpec{5, 99};
  run_evaluation(backend, o);
  const json results = read_results(env.root + "/out");
  EXPECT_EQ(results["run"]["limit"]["count"], 5);
  EXPECT_EQ(results["run"]["limit"]["seed"], 99);
  EXPECT_EQ(results["tasks"]["toy_qa"]["counts"]["total"], 5);
}

// Runs the real CLI in a child process, kills it with SIGKILL mid-run, reruns it, and checks that the resumed
// run's records equal an uninterrupted run's.
TEST(Runner, ResumeAfterSigkillLosesAtMostTheBatchInFlight) {
  ToyEnvironment env("sigkill", 40);
  const std::string binary = std::string(INFEVAL_BINARY_DIR) + "/harness/infeval";
  ASSERT_TRUE(fs::exists(binary)) << binary;
  auto args_for = [&](const std::string& out) {
    return std::vector<std::string>{binary, "run", "--tasks", "toy_qa", "--config-dir", env.config_dir, "--data-root",
                                    env.data_root, "--output", out, "--backend", "fixed", "--rule",
                                    "cycle:yes|no;delay_ms=60", "--batch-size", "2", "--no-progress"};
  };
  auto spawn = [](const std::vector<std::string>& args) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid;
  };
  const std::string out = env.root + "/killed";
  const std::string predictions = out + "/predictions/toy_qa.jsonl";
  const pid_t pid = spawn(args_for(out));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(predictions) || count_lines(predictions) < 6))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  const size_t lines_at_kill = count_lines(predictions);
  EXPECT_GE(lines_at_kill, 6u);
  EXPECT_LT(lines_at_kill, 40u);
  EXPECT_EQ(lines_at_kill % 2, 0u);  // whole batches only
  // Resume with the same command.
  int rc = 0;
  waitpid(spawn(args_for(out)), &rc, 0);
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
  EXPECT_EQ(count_lines(predictions), 40u);
  // An uninterrupted run for comparison.
  waitpid(spawn(args_for(env.root + "/clean")), &rc, 0);
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
  EXPECT_EQ(read_file(out + "/samples/toy_qa.jsonl"), read_file(env.root + "/clean/samples/toy_qa.jsonl"));
  EXPECT_EQ(read_results(out)["tasks"]["toy_qa"]["metrics"], read_results(env.root + "/clean")["tasks"]["toy_qa"]["metrics"]);
}

TEST(PredictionsStore, PartialLastLineFromAKillIsDroppedOnReopen) {
  const std::string dir = infeval::test::fresh_test_dir("partial").string();
  const std::string path = dir + "/predictions/t.jsonl";
  write_file(path, R"({"task":"t","sample_id":"1","prediction":"a"})" "\n" R"({"task":"t","sample_id":"2","pred)");
  EXPECT_EQ(read_prediction_records(path).size(), 1u);
  {
    PredictionWriter writer(path);
    PredictionRecord r;
    r.task = "t";
    r.sample_id = "3";
    r.prediction = "c";
    writer.append_batch({r});
  }
  const auto records = read_prediction_records(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].sample_id, "3");
}

TEST(PredictionsStore, MalformedMiddleLineNamesFileAndLine) {
  const std::string dir = infeval::test::fresh_test_dir("malformed").string();
  const std::string path = dir + "/p.jsonl";
  write_file(path, R"({"task":"t","sample_id":"1","prediction":"a"})" "\n{oops\n" R"({"task":"t","sample_id":"2","prediction":"b"})" "\n");
  try {
    read_prediction_records(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2:"), std::string::npos) << e.what();
  }
}

TEST(Runner, BackendScheduleOrdersBatchesAndPrefetchAnnouncesTheNext) {
  ToyEnvironment env("schedule", 7);
  SchedulingBackend backend;
  run_evaluation(backend, toy_options(env, env.root + "/out"));
  EXPECT_EQ(backend.last_schedule_batch_size, 3);
  // Reverse order 1006..1000 in batches of 3; each batch's successor is announced before the batch runs.
  EXPECT_EQ(backend.events, (std::vector<std::string>{"prefetch 1003 1002 1001 ", "generate 1006 1005 1004 ",
                                                      "prefetch 1000 ", "generate 1003 1002 1001 ",
                                                      "generate 1000 "}));
  const auto records = read_prediction_records(env.root + "/out/predictions/toy_qa.jsonl");
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records.front().sample_id, "1006");
  const json results = read_results(env.root + "/out");
  EXPECT_EQ(results["run"]["schedule"], "backend");

  // The same run in question-file order: identical samples file and metrics.
  SchedulingBackend file_order_backend;
  RunOptions file_order = toy_options(env, env.root + "/file-order");
  file_order.schedule = "file-order";
  run_evaluation(file_order_backend, file_order);
  EXPECT_EQ(file_order_backend.batches[0], (std::vector<std::string>{"1000", "1001", "1002"}));
  EXPECT_EQ(read_file(env.root + "/file-order/samples/toy_qa.jsonl"), read_file(env.root + "/out/samples/toy_qa.jsonl"));
  EXPECT_EQ(read_results(env.root + "/file-order")["tasks"]["toy_qa"]["metrics"], results["tasks"]["toy_qa"]["metrics"]);
}

TEST(Runner, ScheduleThatIsNotAPermutationIsAnError) {
  ToyEnvironment env("bad-schedule", 5);
  SchedulingBackend backend;
  backend.broken = true;
  try {
    run_evaluation(backend, toy_options(env, env.root + "/out"));
    FAIL() << "expected RuntimeFailure";
  } catch (const RuntimeFailure& e) {
    EXPECT_NE(std::string(e.what()).find("not return a permutation of the 5 pending"), std::string::npos) << e.what();
  }
  RunOptions bad = toy_options(env, env.root + "/out2");
  bad.schedule = "shuffle";
  EXPECT_THROW(run_evaluation(backend, bad), InputError);
}

TEST(Runner, ResultsRecordStageTimesAndPeakHostMemory) {
  ToyEnvironment env("stages", 4);
  RecordingBackend backend;
  run_evaluation(backend, toy_options(env, env.root + "/out"));
  const json run = read_results(env.root + "/out")["run"];
  for (const char* stage : {"load_tasks", "generate", "write_predictions", "score"}) {
    ASSERT_TRUE(run["stage_seconds"].contains(stage)) << stage;
    EXPECT_GE(run["stage_seconds"][stage].get<double>(), 0.0) << stage;
  }
  // This test process has at least its own code resident: well over 1 MiB.
  EXPECT_GT(run["peak_host_memory_bytes"].get<int64_t>(), int64_t{1} << 20);
}

// Response::diagnostics travel with the prediction ("diagnostics" in the JSONL, only where given) and survive a
// resume, which reuses the stored records.
class DiagnosingBackend : public RecordingBackend {
 public:
  std::vector<Response> generate(const std::vector<Request>& batch) override {
    std::vector<Response> out = RecordingBackend::generate(batch);
    for (size_t i = 0; i < batch.size(); ++i)
      if (batch[i].sample_id == "1001") out[i].diagnostics = json{{"margins", {0.5, 0.25}}};
    return out;
  }
};

TEST(Runner, DiagnosticsAreStoredWithThePredictionAndSurviveResume) {
  ToyEnvironment env("diagnostics", 3);
  DiagnosingBackend backend;
  run_evaluation(backend, toy_options(env, env.root + "/out"));
  const std::string path = env.root + "/out/predictions/toy_qa.jsonl";
  const std::string text = read_file(path);
  EXPECT_EQ(text.find("\"diagnostics\""), text.rfind("\"diagnostics\"")) << text;  // exactly one record has them
  for (int pass = 0; pass < 2; ++pass) {
    const auto records = read_prediction_records(path);
    ASSERT_EQ(records.size(), 3u);
    for (const auto& r : records) {
      if (r.sample_id == "1001") EXPECT_EQ(r.diagnostics, (json{{"margins", {0.5, 0.25}}}));
      else EXPECT_TRUE(r.diagnostics.is_null()) << r.sample_id;
    }
    DiagnosingBackend again;  // resume: nothing left to generate, the stored records stay
    run_evaluation(again, toy_options(env, env.root + "/out"));
    EXPECT_TRUE(again.batches.empty());
  }
}

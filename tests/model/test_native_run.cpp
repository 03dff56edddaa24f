// `infeval run` with the native backend on the bundled mini benchmarks: the throughput machinery (length-bucketed
// schedule, prefetch on worker threads, visual-token cache across batches) changes no answer and no metric
// compared with question-file order, one request per batch, no cache and no worker threads.
#include <filesystem>
#include <map>

#include <unistd.h>

#include <gtest/gtest.h>

#include "harness/predictions_store.h"
#include "tests/support/temp_dir.h"
#include "harness/results.h"
#include "harness/runner.h"
#include "model/native_backend.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

// Tasks whose images are shared between questions (MME: 2 per image, MMBench: rotated copies of inline images,
// POPE: several per image) plus a plain VQA task.
const std::vector<std::string> kTasks = {"vqav2_val", "pope", "mme", "mmbench_dev_en"};

struct RunOutcome {
  std::map<std::string, std::string> answers;  // task/id -> prediction (or error)
  json results;
  json stats;
};

RunOutcome run_mini(const std::string& name, int batch_size, const std::string& schedule, int cache_mb, int threads) {
  NativeBackendOptions backend_options;
  backend_options.model = testing_fixture::reference_fixture_dir();
  backend_options.feature_cache_mb = cache_mb;
  backend_options.preprocess_threads = threads;
  const std::unique_ptr<Backend> backend = make_native_backend(backend_options);
  RunOptions options;
  options.tasks = kTasks;
  options.data_root = std::string(INFEVAL_SOURCE_DIR) + "/tests/data/mini";
  // One directory per process and test (tests/support/temp_dir.h): several checkouts may run this suite at once.
  options.out_dir = test::fresh_test_dir("native-run-" + name).string();
  options.batch_size = batch_size;
  options.schedule = schedule;
  options.show_progress = false;
  run_evaluation(*backend, options);
  RunOutcome outcome;
  for (const std::string& task : kTasks) {
    for (const auto& r : read_prediction_records(options.out_dir + "/predictions/" + task + ".jsonl"))
      outcome.answers[task + "/" + r.sample_id] = r.error.empty() ? r.prediction : "error: " + r.error;
  }
  outcome.results = read_results(options.out_dir);
  outcome.stats = backend->stats();
  infeval::remove_tree(options.out_dir);
  return outcome;
}

TEST(NativeRun, ThroughputMachineryChangesNoAnswerOnTheMiniBenchmarks) {
  const RunOutcome plain = run_mini("plain", 1, "file-order", 0, 0);
  const RunOutcome fast = run_mini("fast", 3, "backend", 64, 2);  // small batches: reuse across batches too
  ASSERT_GT(plain.answers.size(), 20u);
  EXPECT_EQ(fast.answers, plain.answers);
  for (const std::string& task : kTasks)
    EXPECT_EQ(fast.results["tasks"][task]["metrics"], plain.results["tasks"][task]["metrics"]) << task;
  // One request per batch without a cache: one ViT image per request with an image. With the cache each distinct
  // image runs once, so strictly fewer here (the tasks share images), and the cache saw hits.
  EXPECT_LT(fast.stats["vit_images"].get<int64_t>(), plain.stats["vit_images"].get<int64_t>());
  EXPECT_GT(fast.stats["feature_cache"]["hits"].get<int64_t>(), 0);
  EXPECT_EQ(fast.results["run"]["schedule"], "backend");
  EXPECT_GT(fast.results["backend_stats"]["preprocess"]["images"].get<int64_t>(), 0);
}

}  // namespace
}  // namespace infeval

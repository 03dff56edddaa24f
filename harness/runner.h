// The evaluation runner: dataset-agnostic. For each task it loads the samples (adapter), renders prompts for the
// backend's protocol, skips samples already in <out>/predictions (resume), batches the rest through the backend,
// appends each finished batch to the predictions file (flushed), then scores and writes results.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/task.h"

namespace infeval {

// --limit N: a seeded random subset of N samples (kept in question-file order), never the first N.
struct LimitSpec {
  size_t count = 0;
  uint64_t seed = 1234;
};

struct ShardSpec {
  int index = 0;  // 0-based
  int count = 1;
};

struct RunOptions {
  std::vector<std::string> tasks;                                  // task names (configs/tasks/<name>.json)
  std::string config_dir;                                          // default: <source>/configs
  std::string data_root;
  std::vector<std::pair<std::string, std::string>> file_overrides; // --file [TASK:]KEY=PATH (a bare KEY: every task)
  std::string out_dir;
  int batch_size = 8;
  // "backend": the order Backend::schedule() proposes (e.g. length buckets); "file-order": question-file order.
  // Results are identical either way; only the batches' composition (and so throughput) changes.
  std::string schedule = "backend";
  std::string protocol;            // empty: the backend's protocol
  std::string variant;             // --variant values joined by ',' ("NAME" and/or "TASK=NAME"; cli_args.h
                                   // variant_for_task); empty: each task's default variant
  ShardSpec shard;
  std::optional<LimitSpec> limit;
  bool show_progress = true;
  bool score = true;               // score after generating (only when this is the whole run: shard count 1)
  std::vector<std::string> command_line;
  json output_options = json::object();  // passed to Scorer::write_outputs (e.g. {"allow_missing": true})
};

struct TaskRunSummary {
  std::string task;
  size_t total = 0;        // samples selected for this run (after limit and shard)
  size_t generated = 0;    // generated in this invocation
  size_t resumed = 0;      // skipped because already in the predictions file
  size_t failed = 0;       // backend errors (recorded, the run went on)
};

struct RunSummary {
  std::vector<TaskRunSummary> tasks;
  double seconds = 0.0;
  std::string results_path;  // empty when not scored (sharded run)
};

// Runs generation (and scoring when options.score and the run is unsharded). Throws InputError/RuntimeFailure.
RunSummary run_evaluation(Backend& backend, const RunOptions& options);

// Combines the shards of a run directory (<out>/manifests/shard-I-of-N.json + their predictions files) and scores
// the whole selection as an unsharded run would: the results are identical. `data_root` non-empty overrides the
// manifest's. Throws InputError naming the missing shard or the disagreeing manifest.
RunSummary merge_shards(const std::string& out_dir, const std::string& data_root);

// Samples a task selects under `limit` and `shard`, in question-file order (exposed for audit and tests).
std::vector<size_t> select_sample_indices(size_t sample_count, const std::optional<LimitSpec>& limit,
                                          const ShardSpec& shard);

}  // namespace infeval

// Scoring one task: predictions aligned with samples -> per-sample records (<out>/samples/<task>.jsonl), the
// scorer's extra outputs (submission files), and the task's entry in results.json.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

struct TaskResult {
  std::string task;
  std::string variant;
  std::string scorer;
  std::string adapter;
  int version = 0;
  std::string config_hash;
  std::map<std::string, double> metrics;
  size_t total = 0, scored = 0, missing = 0, failed = 0;
  size_t ignored = 0;  // answers that matched no sample and were skipped (VariantInfo::ignores_unknown_ids)
  VariantInfo official;  // what the variant reproduces (results.json "official")
  std::vector<std::string> notes;
  std::string samples_file;  // relative to the run directory
  json to_json() const;
};

// The variant to use: `requested` if non-empty (validated against the scorer), else the task's default, else the
// scorer's first.
std::string choose_variant(const TaskConfig& task, const Scorer& scorer, const std::string& requested);

// Scores and writes <out_dir>/samples/<task>.jsonl plus the scorer's outputs (nothing is written when out_dir is
// empty). Applies the task's missing policy.
TaskResult score_task(const TaskConfig& task, const std::vector<Sample>& samples,
                      const std::vector<Prediction>& predictions, const std::string& variant,
                      const std::string& out_dir, const json& output_options);

}  // namespace infeval

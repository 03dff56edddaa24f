// `infeval audit`: does batching change the answers? Runs a seeded sample of each task twice through the same
// backend, at the user's batch size B and at batch size 1 (two run directories written by run_evaluation), and
// reports the samples whose answer text differs, with both answers, and the metric deltas (batch 1 - batch B,
// with the paired test of comparison.h). Under greedy decoding a correct engine gives identical answers; padding,
// batched kernels and reduced precision are what make them differ.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/comparison.h"
#include "core/backend.h"
#include "harness/runner.h"

namespace infeval {

struct AuditOptions {
  RunOptions run;             // tasks, data, protocol, variant, batch_size (B), limit; out_dir is the audit directory
  CompareOptions compare;     // statistics for the metric deltas
  size_t max_changes = 20;    // changed answers listed per task (all are counted)
};

struct ChangedAnswer {
  std::string id;
  std::string question;
  std::string batched_answer;  // at batch size B
  std::string single_answer;   // at batch size 1
  double batched_score = 0.0;
  double single_score = 0.0;
};

struct TaskAudit {
  std::string task;
  size_t samples = 0;                 // compared samples
  size_t changed = 0;                 // answers whose text differs
  std::vector<ChangedAnswer> changes; // the first max_changes, in question order
  TaskComparison comparison;          // metrics at B (base) and 1 (other), deltas, tests
};

struct AuditResult {
  int batch_size = 1;
  std::string batched_dir;  // <out>/batch-<B>
  std::string single_dir;   // <out>/batch-1
  std::vector<TaskAudit> tasks;
  bool any_changed() const;
};

// Runs both passes (each resumes if its directory already holds predictions from the same model) and compares.
// options.run.out_dir is required; options.run.batch_size must be > 1 to audit anything (InputError otherwise).
AuditResult run_batch_audit(Backend& backend, const AuditOptions& options);

// Compares two finished run directories (batched vs single) as run_batch_audit does; exposed for tests.
AuditResult compare_batch_runs(const std::string& batched_dir, const std::string& single_dir, int batch_size,
                               const AuditOptions& options);

std::string audit_to_markdown(const AuditResult& result);
nlohmann::json audit_to_json(const AuditResult& result);

}  // namespace infeval

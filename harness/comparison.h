// The statistics of `infeval compare RUN_A RUN_B [RUN_C ...]` (runs read by run_data.h, tables written by
// comparison_render.h): each later run against the first, per task and metric, on the
// per-sample records (<run>/samples/<task>.jsonl). For each metric: both values, the delta (other - base), a paired
// test and a confidence interval for the delta:
//   - METRIC_KIND_MEAN_BINARY metrics whose value is 100 * mean(0/1 score) on these records: McNemar's exact test;
//     interval from the paired bootstrap of the per-sample differences;
//   - every other metric (soft VQA accuracy, CIDEr, MME sums, POPE F1, subset accuracies): paired bootstrap,
//     recomputing Scorer::aggregate() on each resample, p-value as documented in stats.h.
// Runs whose samples differ are compared on the ids present in both (in the base run's order), and the report
// says so with counts. With several tests, Holm-adjusted p-values are given (the multiple-comparison note).
//
// Resampling clusters. A metric that scores records jointly (MME's acc+ counts an image only when both of its
// questions are right) is not a function of independent records, so resampling records one by one breaks its
// groups. A scorer marks such groups with a string per record, extra.cluster (MME: the image pair); compare knows
// no benchmark. When some cluster of the common samples holds more than one record, the task is compared by the
// cluster bootstrap instead:
//   - clusters are the distinct extra.cluster values of the common records (the base run's, else the other run's;
//     a record without one is a cluster of its own), numbered in order of first appearance in the base run;
//   - resample r draws C = #clusters cluster numbers with replacement, exactly as paired_bootstrap(C, ...) draws
//     indices (one seed per resample, mix64(seed ^ mix64(r)), so the result does not depend on the thread count);
//     each drawn cluster contributes all of its records, in both runs (the pairing);
//   - the j-th drawn cluster's records get extra.cluster = "<j>" in the resample, so a cluster drawn twice counts
//     as two clusters; a scorer must therefore group by extra.cluster, nothing else, in aggregate();
//   - every metric, MEAN_BINARY ones included, is recomputed by aggregate() on each resample (test
//     "cluster-bootstrap"): McNemar's test assumes independent samples and is not used; TaskComparison::clusters
//     and a note give the number of clusters.
// Both runs must agree on a record's cluster where both name one (InputError naming both files otherwise). Tasks
// whose records carry no extra.cluster, or only singleton clusters, are compared exactly as without clusters.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_data.h"
#include "harness/stats.h"

namespace infeval {

struct CompareOptions {
  BootstrapOptions bootstrap;
  double alpha = 0.05;                // significance level for the "significant" marks and the Holm note
  size_t max_flips = 10;              // flipped samples listed per task (all are counted)
  std::vector<std::string> tasks;     // empty: every task present in both runs
  // Bound on samples x resamples for the aggregate() bootstrap (each resample copies the records): a task with more
  // samples gets fewer resamples (never below 500), and the report says so. VQAv2 val (214k samples) gets 1400.
  double max_bootstrap_work = 3e8;
};

struct MetricComparison {
  std::string metric;
  double base = 0.0;     // metric on the compared (common) samples
  double other = 0.0;
  double delta = 0.0;    // other - base, in the metric's units
  std::string test;      // "mcnemar", "bootstrap" or "cluster-bootstrap"
  double p_value = 1.0;
  double p_holm = 1.0;   // Holm-adjusted over every test in the report
  Interval interval;     // for the delta, at the bootstrap confidence
  size_t base_only = 0;  // McNemar: samples right in base only (b)
  size_t other_only = 0; // McNemar: right in other only (c)
  bool significant(double alpha) const { return p_value < alpha; }
};

struct FlippedSample {
  std::string id;
  std::string question;
  std::string base_answer;
  std::string other_answer;
  json references;
  double base_score = 0.0;
  double other_score = 0.0;
};

struct TaskComparison {
  std::string task;
  std::string scorer;
  std::string variant;
  size_t base_samples = 0;
  size_t other_samples = 0;
  size_t common_samples = 0;
  size_t clusters = 0;     // resampling clusters of the common samples; 0: resampled record by record
  std::vector<MetricComparison> metrics;
  size_t flips = 0;        // samples whose score changed
  size_t improved = 0;     // ... upward
  size_t regressed = 0;    // ... downward
  std::vector<FlippedSample> flipped;  // the first max_flips, in base order
  std::vector<std::string> notes;      // "compared on the 80 common samples (base 100, other 80)"
};

struct RunComparison {
  std::string base_dir, base_label;
  std::string other_dir, other_label;
  std::vector<TaskComparison> tasks;
  std::vector<std::string> notes;  // tasks present in one run only, skipped tasks
};

struct ComparisonReport {
  std::vector<RunComparison> pairs;  // pairs[i] = runs[i + 1] vs runs[0]
  CompareOptions options;
  size_t tests = 0;
  std::string multiple_comparison_note;  // empty with a single test
};

// Compares one pair of loaded runs (p_holm left equal to p_value; compare_runs adjusts over the whole report).
RunComparison compare_pair(const RunData& base, const RunData& other, const CompareOptions& options);

// Loads the runs and compares runs[1..] against runs[0]. At least two runs; InputError otherwise.
ComparisonReport compare_runs(const std::vector<std::string>& run_dirs, const CompareOptions& options);
ComparisonReport compare_loaded_runs(const std::vector<RunData>& runs, const CompareOptions& options);

}  // namespace infeval

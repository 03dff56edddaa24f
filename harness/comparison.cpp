#include "harness/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"
#include "datasets/registry.h"

namespace infeval {

namespace {

// The records of both runs that share an id, paired by position, in the base run's order.
struct CommonRecords {
  std::vector<SampleRecord> base, other;
  size_t size() const { return base.size(); }
};

CommonRecords common_records(const TaskRun& base, const TaskRun& other) {
  std::unordered_map<std::string, size_t> other_index;
  for (size_t i = 0; i < other.records.size(); ++i) other_index.emplace(other.records[i].id, i);
  CommonRecords common;
  for (const auto& r : base.records) {
    auto it = other_index.find(r.id);
    if (it == other_index.end()) continue;
    common.base.push_back(r);
    common.other.push_back(other.records[it->second]);
  }
  return common;
}

// True when every score is 0 or 1 and `value` is 100 * their mean, i.e. McNemar tests exactly this metric.
bool is_mean_of_binary_scores(const std::vector<SampleRecord>& records, double value) {
  if (records.empty()) return false;
  double sum = 0.0;
  for (const auto& r : records) {
    if (r.score != 0.0 && r.score != 1.0) return false;
    sum += r.score;
  }
  return std::fabs(100.0 * sum / static_cast<double>(records.size()) - value) < 1e-6;
}

// A record's resampling cluster (extra.cluster, comparison.h); nullopt when it names none.
std::optional<std::string> cluster_of(const SampleRecord& record, const std::string& samples_path) {
  if (!record.extra.is_object() || !record.extra.contains("cluster")) return std::nullopt;
  const json& cluster = record.extra.at("cluster");
  if (!cluster.is_string())
    throw InputError(fmt::format("{}: sample '{}': extra.cluster must be a string, got {}", samples_path, record.id,
                                 cluster.dump()));
  return cluster.get<std::string>();
}

// The clusters of the common records (indices into them), numbered by first appearance; a record without a
// cluster is one of its own. Both runs must agree where both name a cluster.
std::vector<std::vector<size_t>> common_clusters(const CommonRecords& common, const TaskRun& base,
                                                 const TaskRun& other) {
  std::vector<std::vector<size_t>> clusters;
  std::unordered_map<std::string, size_t> number;
  for (size_t i = 0; i < common.size(); ++i) {
    const std::optional<std::string> a = cluster_of(common.base[i], base.samples_path);
    const std::optional<std::string> b = cluster_of(common.other[i], other.samples_path);
    if (a && b && *a != *b)
      throw InputError(fmt::format("sample '{}' is in cluster '{}' in {} but in cluster '{}' in {}; hint: score both "
                                   "runs with the same task config and scorer version",
                                   common.base[i].id, *a, base.samples_path, *b, other.samples_path));
    const std::optional<std::string>& key = a ? a : b;
    if (!key) {
      clusters.push_back({i});
      continue;
    }
    auto [it, inserted] = number.emplace(*key, clusters.size());
    if (inserted) clusters.push_back({i});
    else clusters[it->second].push_back(i);
  }
  return clusters;
}

// The resampling clusters of the task, or none (empty) when every cluster is a single record; a note says which.
std::vector<std::vector<size_t>> resampling_clusters(const CommonRecords& common, const TaskRun& base,
                                                     const TaskRun& other, TaskComparison* result) {
  std::vector<std::vector<size_t>> clusters = common_clusters(common, base, other);
  if (clusters.size() == common.size()) return {};
  result->clusters = clusters.size();
  result->notes.push_back(fmt::format("resampled by cluster (extra.cluster): {} clusters of the {} common samples; "
                                      "McNemar not used, the samples of a cluster are not independent",
                                      clusters.size(), common.size()));
  return clusters;
}

// Metric order: the scorer's declared names first, then the rest alphabetically.
std::vector<std::string> ordered_metrics(const Scorer& scorer, const std::map<std::string, double>& base,
                                         const std::map<std::string, double>& other) {
  std::vector<std::string> out;
  std::set<std::string> added;
  for (const auto& name : scorer.metric_names())
    if (base.count(name) && other.count(name) && added.insert(name).second) out.push_back(name);
  for (const auto& [name, value] : base)
    if (other.count(name) && added.insert(name).second) out.push_back(name);
  return out;
}

// Both values and the delta of every metric finite in both runs, on the common records; the test is chosen here
// ("mcnemar" where it tests exactly the metric, else "bootstrap" or "cluster-bootstrap"), its result comes later.
std::vector<MetricComparison> metric_values(const Scorer& scorer, const CommonRecords& common, const TaskRun& base,
                                            const TaskRun& other, bool clustered) {
  const auto base_metrics = scorer.aggregate(common.base, base.variant);
  const auto other_metrics = scorer.aggregate(common.other, other.variant);
  std::vector<MetricComparison> metrics;
  for (const auto& name : ordered_metrics(scorer, base_metrics, other_metrics)) {
    MetricComparison m;
    m.metric = name;
    m.base = base_metrics.at(name);
    m.other = other_metrics.at(name);
    m.delta = m.other - m.base;
    if (!std::isfinite(m.base) || !std::isfinite(m.other)) continue;
    const bool mcnemar = !clustered && scorer.metric_kind(name) == METRIC_KIND_MEAN_BINARY &&
                         is_mean_of_binary_scores(common.base, m.base) &&
                         is_mean_of_binary_scores(common.other, m.other);
    m.test = mcnemar ? "mcnemar" : clustered ? "cluster-bootstrap" : "bootstrap";
    m.p_holm = m.p_value;
    metrics.push_back(m);
  }
  return metrics;
}

// other score - base score per common record.
std::vector<double> score_differences(const CommonRecords& common) {
  std::vector<double> differences(common.size());
  for (size_t i = 0; i < common.size(); ++i) differences[i] = common.other[i].score - common.base[i].score;
  return differences;
}

// McNemar's exact test on the discordant records for every "mcnemar" metric (they share the records, so the
// counts, the p-value and the bootstrap interval of 100 * mean difference are the same for all of them).
void test_by_mcnemar(const CommonRecords& common, const CompareOptions& options, TaskComparison* result) {
  size_t base_only = 0, other_only = 0;
  for (size_t i = 0; i < common.size(); ++i) {
    if (common.base[i].score > common.other[i].score) ++base_only;
    if (common.other[i].score > common.base[i].score) ++other_only;
  }
  bool have_interval = false;
  Interval interval;
  for (auto& m : result->metrics) {
    if (m.test != "mcnemar") continue;
    m.base_only = base_only;
    m.other_only = other_only;
    m.p_value = mcnemar_exact_p(base_only, other_only);
    m.p_holm = m.p_value;
    if (!have_interval) {
      interval = paired_bootstrap_mean(score_differences(common), 100.0, options.bootstrap).interval;
      have_interval = true;
    }
    m.interval = interval;
  }
}

// The bootstrap options for n samples: fewer resamples (never below 500) when n x resamples exceeds
// options.max_bootstrap_work; a note says so.
BootstrapOptions bounded_bootstrap(const CompareOptions& options, size_t n, const std::vector<std::string>& names,
                                   TaskComparison* result) {
  BootstrapOptions bootstrap = options.bootstrap;
  const double work = static_cast<double>(n) * static_cast<double>(bootstrap.resamples);
  if (work > options.max_bootstrap_work) {
    bootstrap.resamples = std::max<size_t>(500, static_cast<size_t>(options.max_bootstrap_work / static_cast<double>(n)));
    if (bootstrap.resamples < options.bootstrap.resamples)
      result->notes.push_back(fmt::format("bootstrap of {} with {} resamples (not {}) to bound the time for {} samples",
                                          join(names, ", "), bootstrap.resamples, options.bootstrap.resamples, n));
    else
      bootstrap.resamples = options.bootstrap.resamples;
  }
  return bootstrap;
}

// One paired bootstrap pass for every metric not tested by McNemar, recomputing aggregate() on each resample of
// records or, with clusters, of whole clusters (comparison.h).
void test_by_bootstrap(const Scorer& scorer, const CommonRecords& common,
                       const std::vector<std::vector<size_t>>& clusters, const TaskRun& base, const TaskRun& other,
                       const CompareOptions& options, TaskComparison* result) {
  std::vector<std::string> names;
  std::vector<double> observed;
  for (const auto& m : result->metrics)
    if (m.test != "mcnemar") {
      names.push_back(m.metric);
      observed.push_back(m.delta);
    }
  if (names.empty()) return;
  const size_t n = common.size();
  auto deltas_of = [&](const std::vector<SampleRecord>& base_sample, const std::vector<SampleRecord>& other_sample) {
    const auto a = scorer.aggregate(base_sample, base.variant);
    const auto b = scorer.aggregate(other_sample, other.variant);
    std::vector<double> deltas;
    for (const auto& name : names) {
      auto ia = a.find(name), ib = b.find(name);
      deltas.push_back(ia == a.end() || ib == b.end() ? std::numeric_limits<double>::quiet_NaN()
                                                      : ib->second - ia->second);
    }
    return deltas;
  };
  auto record_statistics = [&](const std::vector<size_t>& indices) {
    std::vector<SampleRecord> base_sample, other_sample;
    base_sample.reserve(indices.size());
    other_sample.reserve(indices.size());
    for (size_t i : indices) {
      base_sample.push_back(common.base[i]);
      other_sample.push_back(common.other[i]);
    }
    return deltas_of(base_sample, other_sample);
  };
  // `drawn` holds cluster numbers; the j-th draw is renamed "<j>" so that a repeated cluster counts again.
  auto cluster_statistics = [&](const std::vector<size_t>& drawn) {
    std::vector<SampleRecord> base_sample, other_sample;
    base_sample.reserve(n);
    other_sample.reserve(n);
    for (size_t j = 0; j < drawn.size(); ++j) {
      const std::string label = std::to_string(j);
      for (size_t i : clusters[drawn[j]]) {
        base_sample.push_back(common.base[i]);
        base_sample.back().extra["cluster"] = label;
        other_sample.push_back(common.other[i]);
        other_sample.back().extra["cluster"] = label;
      }
    }
    return deltas_of(base_sample, other_sample);
  };
  const BootstrapOptions bootstrap = bounded_bootstrap(options, n, names, result);
  const auto results = !clusters.empty()
                           ? paired_bootstrap(clusters.size(), observed, cluster_statistics, bootstrap)
                           : paired_bootstrap(n, observed, record_statistics, bootstrap);
  for (auto& m : result->metrics) {
    if (m.test == "mcnemar") continue;
    const size_t k = static_cast<size_t>(std::find(names.begin(), names.end(), m.metric) - names.begin());
    m.p_value = results[k].p_value;
    m.p_holm = m.p_value;
    m.interval = results[k].interval;
    if (results[k].resamples < bootstrap.resamples)
      result->notes.push_back(fmt::format("{}: {} of {} resamples had no value and were dropped", m.metric,
                                          bootstrap.resamples - results[k].resamples, bootstrap.resamples));
  }
}

// Counts the records whose score changed and keeps the first options.max_flips of them, in base order.
void list_flips(const CommonRecords& common, const CompareOptions& options, TaskComparison* result) {
  for (size_t i = 0; i < common.size(); ++i) {
    const double difference = common.other[i].score - common.base[i].score;
    if (std::fabs(difference) <= 1e-12) continue;
    ++result->flips;
    if (difference > 0) ++result->improved; else ++result->regressed;
    if (result->flipped.size() < options.max_flips) {
      FlippedSample f;
      f.id = common.base[i].id;
      f.question = common.base[i].question;
      f.base_answer = common.base[i].prediction;
      f.other_answer = common.other[i].prediction;
      f.references = common.base[i].references;
      f.base_score = common.base[i].score;
      f.other_score = common.other[i].score;
      result->flipped.push_back(std::move(f));
    }
  }
}

TaskComparison compare_task(const TaskRun& base, const TaskRun& other, const CompareOptions& options) {
  TaskComparison result;
  result.task = base.task;
  result.scorer = base.scorer;
  result.variant = base.variant;
  result.base_samples = base.records.size();
  result.other_samples = other.records.size();
  const CommonRecords common = common_records(base, other);
  const size_t n = common.size();
  result.common_samples = n;
  if (n != base.records.size() || n != other.records.size())
    result.notes.push_back(fmt::format("samples differ: compared on the {} common ids (base has {}, {} not in "
                                       "other; other has {}, {} not in base)",
                                       n, base.records.size(), base.records.size() - n, other.records.size(),
                                       other.records.size() - n));
  if (n == 0) {
    result.notes.push_back("no common samples: nothing to compare");
    return result;
  }
  const std::vector<std::vector<size_t>> clusters = resampling_clusters(common, base, other, &result);
  const Scorer& scorer = find_scorer(base.scorer);
  result.metrics = metric_values(scorer, common, base, other, !clusters.empty());
  test_by_mcnemar(common, options, &result);
  test_by_bootstrap(scorer, common, clusters, base, other, options, &result);
  list_flips(common, options, &result);
  return result;
}

// The tasks both runs have (options.tasks, or all), with notes for the tasks only one run has.
std::vector<std::string> tasks_to_compare(const RunData& base, const RunData& other, const CompareOptions& options,
                                          RunComparison* out) {
  std::vector<std::string> task_names;
  if (options.tasks.empty()) {
    for (const auto& [name, task] : base.tasks) {
      if (other.tasks.count(name)) task_names.push_back(name);
      else out->notes.push_back(fmt::format("task {} is only in {}", name, base.label));
    }
    for (const auto& [name, task] : other.tasks)
      if (!base.tasks.count(name)) out->notes.push_back(fmt::format("task {} is only in {}", name, other.label));
    return task_names;
  }
  for (const auto& name : options.tasks) {
    if (!base.tasks.count(name) && !other.tasks.count(name)) {
      std::vector<std::string> known;
      for (const auto& [k, v] : base.tasks) known.push_back(k);
      throw InputError(unknown_name_message("task", name, known, "") + fmt::format(" (in {})", base.dir));
    }
    if (!base.tasks.count(name) || !other.tasks.count(name)) {
      out->notes.push_back(fmt::format("task {} is only in {}", name, base.tasks.count(name) ? base.label : other.label));
      continue;
    }
    task_names.push_back(name);
  }
  return task_names;
}

}  // namespace

RunComparison compare_pair(const RunData& base, const RunData& other, const CompareOptions& options) {
  RunComparison out;
  out.base_dir = base.dir;
  out.base_label = base.label;
  out.other_dir = other.dir;
  out.other_label = other.label;
  for (const auto& name : tasks_to_compare(base, other, options, &out)) {
    const TaskRun& a = base.tasks.at(name);
    const TaskRun& b = other.tasks.at(name);
    if (a.scorer != b.scorer || a.variant != b.variant) {
      out.notes.push_back(fmt::format("task {} skipped: scored differently ({} variant '{}' vs {} variant '{}'); "
                                      "hint: rescore one with `infeval score --variant`",
                                      name, a.scorer, a.variant, b.scorer, b.variant));
      continue;
    }
    out.tasks.push_back(compare_task(a, b, options));
  }
  return out;
}

ComparisonReport compare_loaded_runs(const std::vector<RunData>& runs, const CompareOptions& options) {
  if (runs.size() < 2) throw InputError("compare: needs at least two runs (RUN_A RUN_B [RUN_C ...])");
  ComparisonReport report;
  report.options = options;
  for (size_t i = 1; i < runs.size(); ++i) report.pairs.push_back(compare_pair(runs[0], runs[i], options));
  std::vector<double> p_values;
  for (const auto& pair : report.pairs)
    for (const auto& task : pair.tasks)
      for (const auto& m : task.metrics) p_values.push_back(m.p_value);
  report.tests = p_values.size();
  const std::vector<double> adjusted = holm_adjust(p_values);
  size_t k = 0, raw_significant = 0, adjusted_significant = 0;
  for (auto& pair : report.pairs)
    for (auto& task : pair.tasks)
      for (auto& m : task.metrics) {
        m.p_holm = adjusted[k++];
        if (m.p_value < options.alpha) ++raw_significant;
        if (m.p_holm < options.alpha) ++adjusted_significant;
      }
  if (report.tests > 1)
    report.multiple_comparison_note = fmt::format(
        "{} paired tests in this report: at alpha {} about {:.1f} would come out significant by chance alone. "
        "{} are significant unadjusted, {} after Holm-Bonferroni adjustment over all of them (column p_holm, "
        "family-wise error rate {}).",
        report.tests, options.alpha, options.alpha * static_cast<double>(report.tests), raw_significant,
        adjusted_significant, options.alpha);
  return report;
}

ComparisonReport compare_runs(const std::vector<std::string>& run_dirs, const CompareOptions& options) {
  if (run_dirs.size() < 2) throw InputError("compare: needs at least two runs (RUN_A RUN_B [RUN_C ...])");
  std::vector<RunData> runs;
  for (const auto& dir : run_dirs) runs.push_back(load_run(dir));
  return compare_loaded_runs(runs, options);
}

}  // namespace infeval

#include "harness/compare.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/records.h"
#include "core/text_util.h"

namespace infeval {

namespace fs = std::filesystem;

static std::string label_of(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name.empty() ? dir : name;
}

RunData load_run(const std::string& path, bool require_samples) {
  const std::string dir =
      fs::is_regular_file(path) ? fs::path(path).parent_path().string() : path;
  RunData run;
  run.dir = dir;
  run.label = label_of(dir);
  const std::string results_path = (fs::path(dir) / "results.json").string();
  if (!fs::exists(results_path))
    throw InputError(fmt::format("{}: not found; hint: a run directory is the --output of `infeval run`/`score`, "
                                 "holding results.json and samples/",
                                 results_path));
  run.results = read_json_file(results_path);
  if (!run.results.is_object() || !run.results.contains("tasks") || !run.results["tasks"].is_object())
    throw InputError(fmt::format("{}: expected an object with a 'tasks' object", results_path));
  if (run.results.contains("model") && run.results["model"].is_object())
    run.model_name = run.results["model"].value("model_name", "");
  for (const auto& [task_name, entry] : run.results["tasks"].items()) {
    const std::string where = fmt::format("{}: tasks.{}", results_path, task_name);
    if (!entry.is_object()) throw InputError(where + ": expected an object");
    TaskRun task;
    task.task = task_name;
    task.scorer = require_string(entry, "scorer", where);
    task.variant = entry.value("variant", "");
    if (entry.contains("metrics") && entry["metrics"].is_object())
      for (const auto& [metric, value] : entry["metrics"].items())
        if (value.is_number()) task.metrics[metric] = value.get<double>();
    const std::string relative = entry.value("samples_file", "samples/" + task_name + ".jsonl");
    task.samples_path = (fs::path(dir) / relative).string();
    if (!fs::exists(task.samples_path)) {
      if (!require_samples) {
        run.tasks.emplace(task_name, std::move(task));
        continue;
      }
      throw InputError(fmt::format("{}: samples file {} not found; hint: compare and gate need the per-sample "
                                   "records written by `infeval run`/`score`",
                                   where, task.samples_path));
    }
    task.records = read_sample_records(task.samples_path);
    std::set<std::string> seen;
    for (size_t i = 0; i < task.records.size(); ++i)
      if (!seen.insert(task.records[i].id).second)
        throw InputError(fmt::format("{}:{}: duplicate sample id '{}'", task.samples_path, i + 1, task.records[i].id));
    run.tasks.emplace(task_name, std::move(task));
  }
  return run;
}

// True when every score is 0 or 1 and `value` is 100 * their mean, i.e. McNemar tests exactly this metric.
static bool is_mean_of_binary_scores(const std::vector<SampleRecord>& records, double value) {
  if (records.empty()) return false;
  double sum = 0.0;
  for (const auto& r : records) {
    if (r.score != 0.0 && r.score != 1.0) return false;
    sum += r.score;
  }
  return std::fabs(100.0 * sum / static_cast<double>(records.size()) - value) < 1e-6;
}

// A record's resampling cluster (extra.cluster, compare.h); nullopt when it names none.
static std::optional<std::string> cluster_of(const SampleRecord& record, const std::string& samples_path) {
  if (!record.extra.is_object() || !record.extra.contains("cluster")) return std::nullopt;
  const json& cluster = record.extra.at("cluster");
  if (!cluster.is_string())
    throw InputError(fmt::format("{}: sample '{}': extra.cluster must be a string, got {}", samples_path, record.id,
                                 cluster.dump()));
  return cluster.get<std::string>();
}

// The clusters of the common records (indices into them), numbered by first appearance; a record without a
// cluster is one of its own. Both runs must agree where both name a cluster.
static std::vector<std::vector<size_t>> common_clusters(const std::vector<SampleRecord>& base_common,
                                                        const std::vector<SampleRecord>& other_common,
                                                        const TaskRun& base, const TaskRun& other) {
  std::vector<std::vector<size_t>> clusters;
  std::unordered_map<std::string, size_t> number;
  for (size_t i = 0; i < base_common.size(); ++i) {
    const std::optional<std::string> a = cluster_of(base_common[i], base.samples_path);
    const std::optional<std::string> b = cluster_of(other_common[i], other.samples_path);
    if (a && b && *a != *b)
      throw InputError(fmt::format("sample '{}' is in cluster '{}' in {} but in cluster '{}' in {}; hint: score both "
                                   "runs with the same task config and scorer version",
                                   base_common[i].id, *a, base.samples_path, *b, other.samples_path));
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

// Metric order: the scorer's declared names first, then the rest alphabetically.
static std::vector<std::string> ordered_metrics(const Scorer& scorer, const std::map<std::string, double>& base,
                                                const std::map<std::string, double>& other) {
  std::vector<std::string> out;
  std::set<std::string> added;
  for (const auto& name : scorer.metric_names())
    if (base.count(name) && other.count(name) && added.insert(name).second) out.push_back(name);
  for (const auto& [name, value] : base)
    if (other.count(name) && added.insert(name).second) out.push_back(name);
  return out;
}

static TaskComparison compare_task(const TaskRun& base, const TaskRun& other, const CompareOptions& options) {
  TaskComparison result;
  result.task = base.task;
  result.scorer = base.scorer;
  result.variant = base.variant;
  result.base_samples = base.records.size();
  result.other_samples = other.records.size();

  std::unordered_map<std::string, size_t> other_index;
  for (size_t i = 0; i < other.records.size(); ++i) other_index.emplace(other.records[i].id, i);
  std::vector<SampleRecord> base_common, other_common;
  for (const auto& r : base.records) {
    auto it = other_index.find(r.id);
    if (it == other_index.end()) continue;
    base_common.push_back(r);
    other_common.push_back(other.records[it->second]);
  }
  const size_t n = base_common.size();
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

  // Clustered records are resampled cluster by cluster (compare.h); singletons only means no clustering.
  std::vector<std::vector<size_t>> clusters = common_clusters(base_common, other_common, base, other);
  const bool clustered = clusters.size() < n;
  if (clustered) {
    result.clusters = clusters.size();
    result.notes.push_back(fmt::format("resampled by cluster (extra.cluster): {} clusters of the {} common samples; "
                                       "McNemar not used, the samples of a cluster are not independent",
                                       clusters.size(), n));
  } else {
    clusters.clear();
  }

  const Scorer& scorer = find_scorer(base.scorer);
  const auto base_metrics = scorer.aggregate(base_common, base.variant);
  const auto other_metrics = scorer.aggregate(other_common, other.variant);
  const std::vector<std::string> names = ordered_metrics(scorer, base_metrics, other_metrics);

  // Split into McNemar metrics and bootstrap metrics; the latter share one bootstrap pass.
  std::vector<std::string> bootstrap_names;
  std::vector<double> bootstrap_observed;
  std::vector<double> score_differences(n);
  size_t base_only = 0, other_only = 0;
  for (size_t i = 0; i < n; ++i) {
    score_differences[i] = other_common[i].score - base_common[i].score;
    if (base_common[i].score > other_common[i].score) ++base_only;
    if (other_common[i].score > base_common[i].score) ++other_only;
  }
  bool have_mean_interval = false;
  Interval mean_interval;
  for (const auto& name : names) {
    MetricComparison m;
    m.metric = name;
    m.base = base_metrics.at(name);
    m.other = other_metrics.at(name);
    m.delta = m.other - m.base;
    if (!std::isfinite(m.base) || !std::isfinite(m.other)) continue;
    if (!clustered && scorer.metric_kind(name) == METRIC_KIND_MEAN_BINARY &&
        is_mean_of_binary_scores(base_common, m.base) && is_mean_of_binary_scores(other_common, m.other)) {
      m.test = "mcnemar";
      m.base_only = base_only;
      m.other_only = other_only;
      m.p_value = mcnemar_exact_p(base_only, other_only);
      if (!have_mean_interval) {
        mean_interval = paired_bootstrap_mean(score_differences, 100.0, options.bootstrap).interval;
        have_mean_interval = true;
      }
      m.interval = mean_interval;
    } else {
      m.test = clustered ? "cluster-bootstrap" : "bootstrap";
      bootstrap_names.push_back(name);
      bootstrap_observed.push_back(m.delta);
    }
    m.p_holm = m.p_value;
    result.metrics.push_back(m);
  }

  if (!bootstrap_names.empty()) {
    const std::string base_variant = base.variant, other_variant = other.variant;
    auto deltas_of = [&](const std::vector<SampleRecord>& base_sample, const std::vector<SampleRecord>& other_sample) {
      const auto a = scorer.aggregate(base_sample, base_variant);
      const auto b = scorer.aggregate(other_sample, other_variant);
      std::vector<double> deltas;
      for (const auto& name : bootstrap_names) {
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
        base_sample.push_back(base_common[i]);
        other_sample.push_back(other_common[i]);
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
          base_sample.push_back(base_common[i]);
          base_sample.back().extra["cluster"] = label;
          other_sample.push_back(other_common[i]);
          other_sample.back().extra["cluster"] = label;
        }
      }
      return deltas_of(base_sample, other_sample);
    };
    BootstrapOptions bootstrap = options.bootstrap;
    const double work = static_cast<double>(n) * static_cast<double>(bootstrap.resamples);
    if (work > options.max_bootstrap_work) {
      bootstrap.resamples = std::max<size_t>(500, static_cast<size_t>(options.max_bootstrap_work / static_cast<double>(n)));
      if (bootstrap.resamples < options.bootstrap.resamples)
        result.notes.push_back(fmt::format("bootstrap of {} with {} resamples (not {}) to bound the time for {} samples",
                                           join(bootstrap_names, ", "), bootstrap.resamples,
                                           options.bootstrap.resamples, n));
      else
        bootstrap.resamples = options.bootstrap.resamples;
    }
    const auto results =
        clustered ? paired_bootstrap(clusters.size(), bootstrap_observed, cluster_statistics, bootstrap)
                  : paired_bootstrap(n, bootstrap_observed, record_statistics, bootstrap);
    for (auto& m : result.metrics) {
      if (m.test == "mcnemar") continue;
      const size_t k = static_cast<size_t>(
          std::find(bootstrap_names.begin(), bootstrap_names.end(), m.metric) - bootstrap_names.begin());
      m.p_value = results[k].p_value;
      m.p_holm = m.p_value;
      m.interval = results[k].interval;
      if (results[k].resamples < bootstrap.resamples)
        result.notes.push_back(fmt::format("{}: {} of {} resamples had no value and were dropped", m.metric,
                                           bootstrap.resamples - results[k].resamples, bootstrap.resamples));
    }
  }

  for (size_t i = 0; i < n; ++i) {
    if (std::fabs(score_differences[i]) <= 1e-12) continue;
    ++result.flips;
    if (score_differences[i] > 0) ++result.improved; else ++result.regressed;
    if (result.flipped.size() < options.max_flips) {
      FlippedSample f;
      f.id = base_common[i].id;
      f.question = base_common[i].question;
      f.base_answer = base_common[i].prediction;
      f.other_answer = other_common[i].prediction;
      f.references = base_common[i].references;
      f.base_score = base_common[i].score;
      f.other_score = other_common[i].score;
      result.flipped.push_back(std::move(f));
    }
  }
  return result;
}

RunComparison compare_pair(const RunData& base, const RunData& other, const CompareOptions& options) {
  RunComparison out;
  out.base_dir = base.dir;
  out.base_label = base.label;
  out.other_dir = other.dir;
  out.other_label = other.label;
  std::vector<std::string> task_names;
  if (options.tasks.empty()) {
    for (const auto& [name, task] : base.tasks) {
      if (other.tasks.count(name)) task_names.push_back(name);
      else out.notes.push_back(fmt::format("task {} is only in {}", name, base.label));
    }
    for (const auto& [name, task] : other.tasks)
      if (!base.tasks.count(name)) out.notes.push_back(fmt::format("task {} is only in {}", name, other.label));
  } else {
    for (const auto& name : options.tasks) {
      if (!base.tasks.count(name) && !other.tasks.count(name)) {
        std::vector<std::string> known;
        for (const auto& [k, v] : base.tasks) known.push_back(k);
        throw InputError(unknown_name_message("task", name, known, "") + fmt::format(" (in {})", base.dir));
      }
      if (!base.tasks.count(name) || !other.tasks.count(name)) {
        out.notes.push_back(fmt::format("task {} is only in {}", name, base.tasks.count(name) ? base.label : other.label));
        continue;
      }
      task_names.push_back(name);
    }
  }
  for (const auto& name : task_names) {
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

// ---- output ----

static std::string references_text(const json& references) {
  if (references.is_string()) return references.get<std::string>();
  if (references.is_array()) {
    std::vector<std::string> parts;
    for (const auto& r : references) parts.push_back(r.is_string() ? r.get<std::string>() : r.dump());
    return join(parts, "; ");
  }
  return references.is_null() ? "" : references.dump();
}

static std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 1e-4) return fmt::format("{:.1e}", p);
  return fmt::format("{:.4f}", p);
}

std::string comparison_to_markdown(const ComparisonReport& report) {
  std::string out;
  const int percent = static_cast<int>(std::lround(report.options.bootstrap.confidence * 100.0));
  for (const auto& pair : report.pairs) {
    out += fmt::format("## {} vs {}\n\nbase: {}\nother: {}\n\n", pair.other_label, pair.base_label, pair.base_dir,
                       pair.other_dir);
    out += fmt::format("| task | metric | {} | {} | delta | {}% CI | test | p | p_holm | n |\n", pair.base_label,
                       pair.other_label, percent);
    out += "|---|---|---:|---:|---:|---|---|---:|---:|---:|\n";
    for (const auto& task : pair.tasks)
      for (const auto& m : task.metrics)
        out += fmt::format("| {} | {} | {:.2f} | {:.2f} | {:+.2f}{} | [{:+.2f}, {:+.2f}] | {} | {} | {} | {} |\n",
                           task.task, m.metric, m.base, m.other, m.delta,
                           m.p_value < report.options.alpha ? " *" : "", m.interval.low, m.interval.high, m.test,
                           format_p(m.p_value), format_p(m.p_holm), task.common_samples);
    out += fmt::format("\n`*`: p < {}. McNemar: exact two-sided test on the samples that flipped; bootstrap: "
                       "{} paired resamples (seed {}), metric recomputed on each; cluster-bootstrap: the same, "
                       "drawing whole clusters (e.g. MME's image pairs).\n",
                       report.options.alpha, report.options.bootstrap.resamples, report.options.bootstrap.seed);
    for (const auto& note : pair.notes) out += "- " + note + "\n";
    for (const auto& task : pair.tasks)
      for (const auto& note : task.notes) out += fmt::format("- {}: {}\n", task.task, note);
    for (const auto& task : pair.tasks) {
      if (task.flips == 0) continue;
      out += fmt::format("\n### {}: {} samples flipped ({} improved, {} regressed){}\n\n", task.task, task.flips,
                         task.improved, task.regressed,
                         task.flipped.size() < task.flips ? fmt::format(", first {}", task.flipped.size()) : "");
      out += fmt::format("| id | question | {} | {} | references |\n|---|---|---|---|---|\n", pair.base_label,
                         pair.other_label);
      for (const auto& f : task.flipped)
        out += fmt::format("| {} | {} | {} ({:g}) | {} ({:g}) | {} |\n", markdown_cell(f.id, 40),
                           markdown_cell(f.question, 80), markdown_cell(f.base_answer, 60), f.base_score,
                           markdown_cell(f.other_answer, 60), f.other_score,
                           markdown_cell(references_text(f.references), 60));
    }
    out += "\n";
  }
  if (!report.multiple_comparison_note.empty()) out += "Multiple comparisons: " + report.multiple_comparison_note + "\n";
  return out;
}

static json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json comparison_to_json(const ComparisonReport& report) {
  json out;
  out["options"] = {{"resamples", report.options.bootstrap.resamples},
                    {"seed", report.options.bootstrap.seed},
                    {"confidence", report.options.bootstrap.confidence},
                    {"alpha", report.options.alpha},
                    {"max_flips", report.options.max_flips}};
  out["tests"] = report.tests;
  out["multiple_comparison_note"] = report.multiple_comparison_note;
  out["comparisons"] = json::array();
  for (const auto& pair : report.pairs) {
    json p = {{"base", pair.base_dir}, {"other", pair.other_dir}, {"notes", pair.notes}, {"tasks", json::object()}};
    for (const auto& task : pair.tasks) {
      json t = {{"scorer", task.scorer},
                {"variant", task.variant},
                {"samples", {{"base", task.base_samples}, {"other", task.other_samples}, {"common", task.common_samples}}},
                {"clusters", task.clusters},
                {"flips", {{"total", task.flips}, {"improved", task.improved}, {"regressed", task.regressed}}},
                {"notes", task.notes},
                {"metrics", json::object()},
                {"flipped", json::array()}};
      for (const auto& m : task.metrics) {
        json jm = {{"base", number_or_null(m.base)},
                   {"other", number_or_null(m.other)},
                   {"delta", number_or_null(m.delta)},
                   {"test", m.test},
                   {"p_value", number_or_null(m.p_value)},
                   {"p_holm", number_or_null(m.p_holm)},
                   {"ci", {number_or_null(m.interval.low), number_or_null(m.interval.high)}}};
        if (m.test == "mcnemar") jm["discordant"] = {{"base_only", m.base_only}, {"other_only", m.other_only}};
        t["metrics"][m.metric] = jm;
      }
      for (const auto& f : task.flipped)
        t["flipped"].push_back({{"id", f.id},
                                {"question", f.question},
                                {"base_answer", f.base_answer},
                                {"other_answer", f.other_answer},
                                {"references", f.references},
                                {"base_score", f.base_score},
                                {"other_score", f.other_score}});
      p["tasks"][task.task] = t;
    }
    out["comparisons"].push_back(p);
  }
  return out;
}

}  // namespace infeval

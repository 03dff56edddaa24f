#include "harness/audit.h"

#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"

namespace infeval {

namespace fs = std::filesystem;

bool AuditResult::any_changed() const {
  for (const auto& t : tasks)
    if (t.changed > 0) return true;
  return false;
}

AuditResult compare_batch_runs(const std::string& batched_dir, const std::string& single_dir, int batch_size,
                               const AuditOptions& options) {
  AuditResult result;
  result.batch_size = batch_size;
  result.batched_dir = batched_dir;
  result.single_dir = single_dir;
  RunData batched = load_run(batched_dir);
  RunData single = load_run(single_dir);
  batched.label = fmt::format("batch {}", batch_size);
  single.label = "batch 1";
  const RunComparison comparison = compare_pair(batched, single, options.compare);
  for (const auto& tc : comparison.tasks) {
    TaskAudit audit;
    audit.task = tc.task;
    audit.comparison = tc;
    audit.samples = tc.common_samples;
    const auto& single_records = single.tasks.at(tc.task).records;
    std::unordered_map<std::string, size_t> single_index;
    for (size_t i = 0; i < single_records.size(); ++i) single_index.emplace(single_records[i].id, i);
    for (const auto& b : batched.tasks.at(tc.task).records) {
      auto it = single_index.find(b.id);
      if (it == single_index.end()) continue;
      const SampleRecord& s = single_records[it->second];
      if (b.prediction == s.prediction && b.failed == s.failed) continue;
      ++audit.changed;
      if (audit.changes.size() < options.max_changes)
        audit.changes.push_back({b.id, b.question, b.prediction, s.prediction, b.score, s.score});
    }
    result.tasks.push_back(std::move(audit));
  }
  return result;
}

AuditResult run_batch_audit(Backend& backend, const AuditOptions& options) {
  if (options.run.out_dir.empty()) throw InputError("audit: an output directory is required (--output DIR)");
  if (options.run.batch_size <= 1)
    throw InputError(fmt::format("audit: --batch-size is {}; the audit compares batch size B > 1 with batch size 1",
                                 options.run.batch_size));
  const std::string batched_dir = (fs::path(options.run.out_dir) / fmt::format("batch-{}", options.run.batch_size)).string();
  const std::string single_dir = (fs::path(options.run.out_dir) / "batch-1").string();
  RunOptions batched = options.run;
  batched.out_dir = batched_dir;
  batched.score = true;
  batched.shard = ShardSpec{};
  RunOptions single = batched;
  single.out_dir = single_dir;
  single.batch_size = 1;
  run_evaluation(backend, batched);
  run_evaluation(backend, single);
  return compare_batch_runs(batched_dir, single_dir, options.run.batch_size, options);
}

std::string audit_to_markdown(const AuditResult& result) {
  std::string out = fmt::format("## infeval audit: batch size {} vs 1\n\nbatch {}: {}\nbatch 1: {}\n\n",
                                result.batch_size, result.batch_size, result.batched_dir, result.single_dir);
  out += fmt::format("| task | samples | answers changed | metric | batch {} | batch 1 | delta | test | p |\n",
                     result.batch_size);
  out += "|---|---:|---:|---|---:|---:|---:|---|---:|\n";
  for (const auto& t : result.tasks) {
    if (t.comparison.metrics.empty())
      out += fmt::format("| {} | {} | {} | - | - | - | - | - | - |\n", t.task, t.samples, t.changed);
    for (const auto& m : t.comparison.metrics)
      out += fmt::format("| {} | {} | {} | {} | {:.2f} | {:.2f} | {:+.2f} | {} | {:.4g} |\n", t.task, t.samples,
                         t.changed, m.metric, m.base, m.other, m.delta, m.test, m.p_value);
  }
  for (const auto& t : result.tasks) {
    if (t.changed == 0) continue;
    out += fmt::format("\n### {}: {} of {} answers change with batch size{}\n\n", t.task, t.changed, t.samples,
                       t.changes.size() < t.changed ? fmt::format(" (first {})", t.changes.size()) : "");
    out += fmt::format("| id | question | batch {} | batch 1 |\n|---|---|---|---|\n", result.batch_size);
    for (const auto& c : t.changes)
      out += fmt::format("| {} | {} | {} ({:g}) | {} ({:g}) |\n", markdown_cell(c.id, 40),
                         markdown_cell(c.question, 80), markdown_cell(c.batched_answer, 60), c.batched_score,
                         markdown_cell(c.single_answer, 60), c.single_score);
  }
  out += result.any_changed() ? "\nSome answers depend on the batch size.\n"
                              : "\nNo answer changed with the batch size.\n";
  return out;
}

nlohmann::json audit_to_json(const AuditResult& result) {
  json out = {{"batch_size", result.batch_size},
              {"batched_dir", result.batched_dir},
              {"single_dir", result.single_dir},
              {"any_changed", result.any_changed()},
              {"tasks", json::object()}};
  for (const auto& t : result.tasks) {
    json jt = {{"samples", t.samples}, {"changed", t.changed}, {"changes", json::array()}, {"metrics", json::object()}};
    for (const auto& c : t.changes)
      jt["changes"].push_back({{"id", c.id},
                               {"question", c.question},
                               {"batched_answer", c.batched_answer},
                               {"single_answer", c.single_answer},
                               {"batched_score", c.batched_score},
                               {"single_score", c.single_score}});
    for (const auto& m : t.comparison.metrics)
      jt["metrics"][m.metric] = {{"batched", m.base}, {"single", m.other}, {"delta", m.delta},
                                 {"test", m.test},    {"p_value", m.p_value}};
    out["tasks"][t.task] = jt;
  }
  return out;
}

}  // namespace infeval

#include "harness/gate_inputs.h"

#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"

namespace infeval {

std::vector<std::string> GateInputs::baseline_tasks() const {
  std::vector<std::string> out;
  if (is_reference) {
    for (const auto& [task, metrics] : reference.tasks) out.push_back(task);
  } else {
    for (const auto& [task, run] : baseline_run.tasks) out.push_back(task);
  }
  return out;
}

std::vector<std::string> GateInputs::baseline_metrics(const std::string& task) const {
  std::vector<std::string> out;
  if (is_reference) {
    auto it = reference.tasks.find(task);
    if (it != reference.tasks.end())
      for (const auto& [metric, value] : it->second) out.push_back(metric);
  } else {
    auto it = baseline_run.tasks.find(task);
    if (it != baseline_run.tasks.end())
      for (const auto& [metric, value] : it->second.metrics) out.push_back(metric);
  }
  return out;
}

MetricPair GateInputs::lookup(const std::string& task, const std::string& metric) const {
  MetricPair pair;
  pair.candidate_has_task = candidate_has_task(task);
  if (is_reference) {
    pair.baseline = reference.tasks.at(task).at(metric);
    auto t = candidate.tasks.find(task);
    if (t == candidate.tasks.end()) return pair;
    auto m = t->second.metrics.find(metric);
    if (m == t->second.metrics.end()) return pair;
    pair.in_candidate = true;
    pair.candidate = m->second;
    return pair;
  }
  pair.baseline = baseline_run.tasks.at(task).metrics.at(metric);
  for (const auto& tc : comparison.tasks) {
    if (tc.task != task) continue;
    for (const auto& mc : tc.metrics)
      if (mc.metric == metric) {
        pair.in_candidate = true;
        pair.baseline = mc.base;
        pair.candidate = mc.other;
        pair.comparison = &mc;
      }
  }
  return pair;
}

namespace {

// A paper table: notes on where it came from and on tasks the candidate scored with another variant.
void load_reference_baseline(const GateOptions& options, const std::vector<GateRule>& rules, GateInputs* inputs) {
  inputs->reference = read_reference_table(inputs->baseline_path, options.config_dir);
  inputs->notes.push_back(fmt::format("baseline: paper reference table {} ({}), source: {}", inputs->baseline_path,
                                      inputs->reference.model,
                                      inputs->reference.source.is_string() ? inputs->reference.source.get<std::string>()
                                                                           : std::string()));
  for (const auto& [task, variant] : inputs->reference.variants) {
    auto t = inputs->candidate.tasks.find(task);
    if (t != inputs->candidate.tasks.end() && !t->second.variant.empty() && t->second.variant != variant)
      inputs->notes.push_back(fmt::format("{}: not comparable: the candidate was scored with variant '{}', the "
                                          "paper's numbers with '{}'; hint: `infeval score --variant {}`",
                                          task, t->second.variant, variant, variant));
  }
  for (const auto& rule : rules)
    if (rule.kind == GATE_RULE_SIG)
      throw InputError(fmt::format("gate rule '{}': a reference table has no per-sample records, so there is no "
                                   "significance test; hint: use abs:X or rel:X against a reference table",
                                   rule.text));
}

// A run: compared with the candidate on the tasks the rules name (all common tasks when one names `*`).
void load_run_baseline(const GateOptions& options, const std::vector<GateRule>& rules, GateInputs* inputs) {
  inputs->baseline_run = load_run(inputs->baseline_path);
  CompareOptions compare = options.compare;
  compare.tasks.clear();  // every common task; rules pick what they need
  bool wildcard = false;
  std::set<std::string> wanted;
  for (const auto& rule : rules) {
    if (rule.task == "*") wildcard = true;
    else wanted.insert(rule.task);
  }
  if (!wildcard)
    for (const auto& task : wanted)
      if (inputs->baseline_run.tasks.count(task) && inputs->candidate.tasks.count(task)) compare.tasks.push_back(task);
  if (!wildcard && compare.tasks.empty()) return;
  inputs->comparison = compare_pair(inputs->baseline_run, inputs->candidate, compare);
  for (const auto& note : inputs->comparison.notes) inputs->notes.push_back(note);
  for (const auto& task : inputs->comparison.tasks)
    for (const auto& note : task.notes) inputs->notes.push_back(task.task + ": " + note);
}

}  // namespace

GateInputs load_gate_inputs(const GateOptions& options, const std::vector<GateRule>& rules) {
  GateInputs inputs;
  inputs.baseline_path = resolve_reference_path(options.baseline, options.config_dir);
  inputs.is_reference = starts_with(options.baseline, "ref:") || is_reference_table_file(inputs.baseline_path);
  inputs.candidate = load_run(options.candidate);
  if (inputs.is_reference) load_reference_baseline(options, rules, &inputs);
  else load_run_baseline(options, rules, &inputs);
  return inputs;
}

}  // namespace infeval

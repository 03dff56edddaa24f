#include "harness/gate_checks.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"

namespace infeval {

bool GateResult::passed() const {
  for (const auto& c : checks)
    if (!c.passed) return false;
  return true;
}

int GateResult::exit_code() const { return passed() ? EXIT_CODE_OK : EXIT_CODE_CHECK_FAILED; }

namespace {

bool is_diagnostic_metric(const std::string& metric) { return ends_with(metric, "yes_ratio"); }

// The baseline tasks a rule applies to: the one it names (which the baseline must have), or all of them.
std::vector<std::string> rule_tasks(const GateRule& rule, const GateInputs& inputs) {
  const auto known = inputs.baseline_tasks();
  if (rule.task == "*") return known;
  if (std::find(known.begin(), known.end(), rule.task) == known.end())
    throw InputError(fmt::format("gate rule '{}': ", rule.text) + unknown_name_message("task", rule.task, known, "") +
                     fmt::format(" (not in the baseline {})", inputs.baseline_path));
  return {rule.task};
}

// Applies one rule to every task/metric it matches. A wildcard rule that matches nothing is bad input.
void apply_rule(const GateRule& rule, const GateInputs& inputs, const GateOptions& options, GateResult* result,
                std::set<std::string>* reported) {
  const bool explicit_task = rule.task != "*";
  size_t matched = 0;
  for (const auto& task : rule_tasks(rule, inputs)) {
    // Wildcard rules (and the default rule) check only tasks the candidate ran; a named task must be there.
    // Against a run baseline, a baseline task the candidate lacks, or scored with another variant, is a failed
    // check (issue 13, finding 4): a gate must not pass on evidence it does not have. A paper table lists many
    // tasks a candidate need not run, so there it stays a skip.
    if (!explicit_task && !inputs.candidate_has_task(task)) {
      if (!inputs.is_reference) {
        if (reported->insert(task).second) {
          MetricPair missing;
          result->checks.push_back(apply_gate_rule(rule, task, "*", missing, false));
        }
        ++matched;
      }
      continue;
    }
    if (!inputs.is_reference && inputs.candidate_has_task(task)) {
      const std::string& base_variant = inputs.baseline_run.tasks.at(task).variant;
      const std::string& cand_variant = inputs.candidate.tasks.at(task).variant;
      if (base_variant != cand_variant) {
        if (reported->insert(task).second) {
          GateCheck check;
          check.rule = rule.text;
          check.task = task;
          check.metric = "*";
          check.passed = false;
          check.candidate_missing = true;
          check.reason = fmt::format("not comparable: the baseline scored task {} with variant '{}', the candidate "
                                     "with variant '{}'",
                                     task, base_variant, cand_variant);
          result->checks.push_back(check);
        }
        ++matched;
        continue;
      }
    }
    const auto metrics = inputs.baseline_metrics(task);
    if (rule.metric != "*" && std::find(metrics.begin(), metrics.end(), rule.metric) == metrics.end()) {
      if (explicit_task)
        throw InputError(fmt::format("gate rule '{}': ", rule.text) +
                         unknown_name_message("metric", rule.metric, metrics, "") +
                         fmt::format(" (task {} of the baseline {})", task, inputs.baseline_path));
      continue;
    }
    for (const auto& metric : metrics) {
      if (rule.metric != "*" && metric != rule.metric) continue;
      if (rule.kind == GATE_RULE_DEFAULT && is_diagnostic_metric(metric)) continue;
      result->checks.push_back(apply_gate_rule(rule, task, metric, inputs.lookup(task, metric), inputs.is_reference));
      ++matched;
    }
  }
  if (matched == 0 && !explicit_task)
    throw InputError(fmt::format("gate rule '{}': matches no task/metric present in both the baseline {} and the "
                                 "candidate {}",
                                 rule.text, inputs.baseline_path, options.candidate));
}

}  // namespace

GateResult run_gate(const GateOptions& options) {
  if (options.baseline.empty() || options.candidate.empty())
    throw InputError("gate: --baseline RUN and --candidate RUN are both required");
  const std::vector<GateRule> rules =
      options.rules.empty() ? std::vector<GateRule>{default_gate_rule(options.default_alpha, options.default_tolerance)}
                            : options.rules;
  const GateInputs inputs = load_gate_inputs(options, rules);
  GateResult result;
  result.baseline = options.baseline;
  result.candidate = options.candidate;
  result.baseline_is_reference = inputs.is_reference;
  result.notes = inputs.notes;
  std::set<std::string> reported;  // tasks already failed as missing or not comparable
  for (const auto& rule : rules) apply_rule(rule, inputs, options, &result, &reported);
  return result;
}

}  // namespace infeval

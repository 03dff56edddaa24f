#include "harness/gate_rules.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"
#include "harness/flag_numbers.h"

namespace infeval {

GateRule parse_gate_rule(const std::string& text) {
  const std::string form = "hint: the form is TASK:METRIC=abs:X|rel:X|sig:ALPHA, e.g. pope:f1=abs:0.5, "
                           "vqav2_val:accuracy=sig:0.05, *:accuracy=rel:2";
  const size_t equals = text.find('=');
  if (equals == std::string::npos) throw InputError(fmt::format("gate rule '{}': missing '='; {}", text, form));
  const std::string target = text.substr(0, equals);
  const std::string condition = text.substr(equals + 1);
  // Task names have no ':'; metric names may ("adversarial/f1" has none, but keep the split at the first ':').
  const size_t colon = target.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size())
    throw InputError(fmt::format("gate rule '{}': expected TASK:METRIC before '='; {}", text, form));
  GateRule rule;
  rule.text = text;
  rule.task = target.substr(0, colon);
  rule.metric = target.substr(colon + 1);
  const size_t kind_colon = condition.find(':');
  if (kind_colon == std::string::npos)
    throw InputError(fmt::format("gate rule '{}': expected abs:X, rel:X or sig:ALPHA after '='; {}", text, form));
  const std::string kind = condition.substr(0, kind_colon);
  std::string value = condition.substr(kind_colon + 1);
  if (kind == "abs") {
    rule.kind = GATE_RULE_ABS;
  } else if (kind == "rel") {
    rule.kind = GATE_RULE_REL;
    if (ends_with(value, "%")) value.pop_back();
  } else if (kind == "sig") {
    rule.kind = GATE_RULE_SIG;
  } else {
    throw InputError(fmt::format("gate rule '{}': unknown kind '{}'; {}", text, kind, form));
  }
  rule.value = parse_real(value, fmt::format("gate rule '{}': value", text), 0.0);
  if (rule.kind == GATE_RULE_SIG && !(rule.value > 0.0 && rule.value < 1.0))
    throw InputError(fmt::format("gate rule '{}': alpha must be in (0, 1), e.g. sig:0.05", text));
  return rule;
}

GateRule default_gate_rule(double alpha, double tolerance) {
  GateRule rule;
  rule.task = "*";
  rule.metric = "*";
  rule.kind = GATE_RULE_DEFAULT;
  rule.value = alpha;
  rule.tolerance = tolerance;
  rule.text = "default";
  return rule;
}

static std::string rule_description(const GateRule& rule) {
  switch (rule.kind) {
    case GATE_RULE_ABS: return fmt::format("abs:{:g}", rule.value);
    case GATE_RULE_REL: return fmt::format("rel:{:g}%", rule.value);
    case GATE_RULE_SIG: return fmt::format("sig:{:g}", rule.value);
    default: return fmt::format("default (significant at {:g} and drop > {:g})", rule.value, rule.tolerance);
  }
}

GateCheck apply_gate_rule(const GateRule& rule, const std::string& task, const std::string& metric,
                          const MetricPair& pair, bool baseline_is_reference) {
  GateCheck check;
  check.rule = rule.kind == GATE_RULE_DEFAULT ? rule_description(rule) : rule.text;
  check.task = task;
  check.metric = metric;
  check.baseline = pair.baseline;
  if (!pair.in_candidate) {
    check.passed = false;
    check.candidate_missing = true;
    check.reason = pair.candidate_has_task ? fmt::format("the candidate has no metric '{}' for task {}", metric, task)
                                           : fmt::format("the candidate has no task {}", task);
    return check;
  }
  check.candidate = pair.candidate;
  check.delta = pair.candidate - pair.baseline;
  if (pair.comparison) {
    check.p_value = pair.comparison->p_value;
    check.test = pair.comparison->test;
  }
  const std::string change = fmt::format("{:.2f} -> {:.2f} ({:+.2f})", check.baseline, check.candidate, check.delta);
  const std::string test_text =
      check.p_value >= 0 ? fmt::format(", {} p = {:.4g}", check.test, check.p_value) : std::string();
  switch (rule.kind) {
    case GATE_RULE_ABS:
      check.passed = check.delta >= -rule.value;
      check.reason = check.passed ? fmt::format("{}: within {:g}", change, rule.value)
                                  : fmt::format("{}: drop larger than {:g}", change, rule.value);
      break;
    case GATE_RULE_REL: {
      const double allowed = rule.value / 100.0 * std::fabs(check.baseline);
      check.passed = check.delta >= -allowed;
      check.reason = check.passed ? fmt::format("{}: within {:g}% ({:.4g})", change, rule.value, allowed)
                                  : fmt::format("{}: drop larger than {:g}% of the baseline ({:.4g})", change,
                                                rule.value, allowed);
      break;
    }
    case GATE_RULE_SIG:
      check.passed = !(check.delta < 0 && check.p_value < rule.value);
      check.reason = fmt::format("{}{}: {}", change, test_text,
                                 check.passed ? "no significant drop" : fmt::format("significant drop at {:g}", rule.value));
      break;
    case GATE_RULE_DEFAULT:
      if (baseline_is_reference) {
        check.passed = check.delta >= -rule.tolerance;
        check.reason = fmt::format("{} vs paper: {}", change,
                                   check.passed ? fmt::format("within {:g}", rule.tolerance)
                                                : fmt::format("below the paper by more than {:g}", rule.tolerance));
      } else {
        const bool significant = check.p_value < rule.value;
        check.passed = !(check.delta < -rule.tolerance && significant);
        check.reason = fmt::format(
            "{}{}: {}", change, test_text,
            check.passed ? (check.delta < -rule.tolerance ? "drop larger than the tolerance but not significant"
                                                          : fmt::format("no drop larger than {:g}", rule.tolerance))
                         : fmt::format("significant drop larger than {:g}", rule.tolerance));
      }
      break;
  }
  return check;
}

}  // namespace infeval

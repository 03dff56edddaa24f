// `infeval gate`'s rules and what one rule decides on one task/metric. Rules, `TASK:METRIC=KIND:VALUE` (TASK and
// METRIC may be `*`):
//   abs:X    fails when candidate < baseline - X            (X in the metric's units, e.g. points of accuracy)
//   rel:X    fails when candidate < baseline * (1 - X/100)  (X in percent of the baseline value; `rel:2%` too)
//   sig:A    fails when the candidate is lower and the paired test gives p < A (McNemar or bootstrap,
//            comparison.h)
// The default rule (no --rule) fails only a drop that is both significant (p < alpha) and larger than an absolute
// tolerance; against a paper reference table, which has no samples, it is abs:tolerance.
#pragma once
#include <string>

#include "harness/comparison.h"

namespace infeval {

enum GateRuleKind { GATE_RULE_ABS, GATE_RULE_REL, GATE_RULE_SIG, GATE_RULE_DEFAULT };

struct GateRule {
  std::string task;    // "*" = every task
  std::string metric;  // "*" = every metric
  GateRuleKind kind = GATE_RULE_ABS;
  double value = 0.0;      // abs: points; rel: percent; sig: alpha; default: alpha
  double tolerance = 0.0;  // default rule only: the absolute tolerance
  std::string text;        // as written by the user, for reports
};

// Parses "TASK:METRIC=abs:X|rel:X|sig:ALPHA"; InputError with the expected form otherwise.
GateRule parse_gate_rule(const std::string& text);
// The rule used when none is given: every task and metric, significant at `alpha` and a drop > `tolerance`.
GateRule default_gate_rule(double alpha, double tolerance);

// What the gate knows about one task/metric of both sides.
struct MetricPair {
  bool candidate_has_task = false;
  bool in_candidate = false;  // the candidate has this task and metric
  double baseline = 0.0;
  double candidate = 0.0;
  const MetricComparison* comparison = nullptr;  // the paired test; run baselines only
};

// One rule applied to one task/metric.
struct GateCheck {
  std::string rule;     // the rule text ("default: significant drop > 1 point")
  std::string task;
  std::string metric;   // "*": the whole task (absent from the candidate, or not comparable)
  bool passed = true;
  bool candidate_missing = false;  // no comparable candidate value: task or metric absent, or another variant
  std::string reason;   // why it failed, or what was checked
  double baseline = 0.0;
  double candidate = 0.0;
  double delta = 0.0;
  double p_value = -1.0;  // -1: no test (reference baseline or abs/rel rule)
  std::string test;
};

// Decides `rule` on one task/metric. `baseline_is_reference`: the baseline is a paper table (no test).
GateCheck apply_gate_rule(const GateRule& rule, const std::string& task, const std::string& metric,
                          const MetricPair& pair, bool baseline_is_reference);

}  // namespace infeval

// `infeval gate`: pass/fail a candidate run against a baseline for CI. Exit code 0 when every rule holds, 1 when
// one fails, 2 on bad input (InputError). The rules are in gate_rules.h, the two sides in gate_inputs.h, the
// outputs (Markdown, JUnit XML, JSON) in gate_render.h.
// Default (no --rule): for every metric of every task in both runs, fail only a drop that is both significant
// (p < 0.05) and larger than an absolute tolerance (default 1.0 point). Metrics are treated as higher-is-better;
// the default rule skips POPE's diagnostic `yes_ratio` metrics, which are not scores.
#pragma once
#include <string>
#include <vector>

#include "harness/gate_inputs.h"
#include "harness/gate_rules.h"

namespace infeval {

struct GateResult {
  std::string baseline;
  std::string candidate;
  bool baseline_is_reference = false;
  std::vector<GateCheck> checks;
  std::vector<std::string> notes;
  bool passed() const;
  int exit_code() const;  // 0 pass, 1 fail
};

// Runs the gate. Throws InputError for unreadable runs, malformed rules, a rule naming a task or metric that the
// baseline lacks, or a sig rule against a reference table. A rule whose task/metric the candidate lacks fails.
GateResult run_gate(const GateOptions& options);

}  // namespace infeval

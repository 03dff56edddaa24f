// The two sides of `infeval gate`, read from disk: the baseline (a run directory, a paper reference table file, or
// `ref:<model>` = configs/references/<model>.json) and the candidate run, with the paired comparison
// (comparison.h) of the tasks the rules need when the baseline is a run. A reference table has no samples, so
// only abs/rel rules apply to it; a task the candidate scored with another variant than the table states gets a
// note (the delta is not comparable).
#pragma once
#include <string>
#include <vector>

#include "harness/comparison.h"
#include "harness/gate_rules.h"
#include "harness/reference_table.h"
#include "harness/run_data.h"

namespace infeval {

struct GateOptions {
  std::string baseline;    // run directory, reference table file, or ref:NAME
  std::string candidate;   // run directory
  std::vector<GateRule> rules;  // empty: the default rule
  double default_alpha = 0.05;
  double default_tolerance = 1.0;
  std::string config_dir;  // for ref:NAME; default default_config_dir()
  CompareOptions compare;
};

struct GateInputs {
  std::string baseline_path;  // the file or directory the baseline was read from
  bool is_reference = false;
  ReferenceTable reference;   // is_reference
  RunData baseline_run;       // !is_reference
  RunComparison comparison;   // !is_reference: baseline_run vs candidate on the tasks the rules need
  RunData candidate;
  std::vector<std::string> notes;  // what was read, variant mismatches, the comparison's notes

  std::vector<std::string> baseline_tasks() const;
  std::vector<std::string> baseline_metrics(const std::string& task) const;
  bool candidate_has_task(const std::string& task) const { return candidate.tasks.count(task) > 0; }
  // Both sides' values of a metric the baseline has, and the paired test where there is one.
  MetricPair lookup(const std::string& task, const std::string& metric) const;
};

// Reads both sides. InputError for unreadable runs or tables, and for a sig rule against a reference table.
GateInputs load_gate_inputs(const GateOptions& options, const std::vector<GateRule>& rules);

}  // namespace infeval

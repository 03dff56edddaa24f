// `infeval gate`: pass/fail a candidate run against a baseline for CI. Exit code 0 when every rule holds, 1 when
// one fails, 2 on bad input (InputError). Rules, `TASK:METRIC=KIND:VALUE` (TASK and METRIC may be `*`):
//   abs:X    fails when candidate < baseline - X            (X in the metric's units, e.g. points of accuracy)
//   rel:X    fails when candidate < baseline * (1 - X/100)  (X in percent of the baseline value; `rel:2%` too)
//   sig:A    fails when the candidate is lower and the paired test gives p < A (McNemar or bootstrap, compare.h)
// Default (no --rule): for every metric of every task in both runs, fail only a drop that is both significant
// (p < 0.05) and larger than an absolute tolerance (default 1.0 point). Metrics are treated as higher-is-better;
// the default rule skips POPE's diagnostic `yes_ratio` metrics, which are not scores.
// The baseline may be a paper reference table (configs/references/<model>.json, or `ref:<model>`), which has no
// samples: then only abs/rel rules apply (the default rule becomes abs:tolerance). A task the candidate scored with
// another variant than the table states gets a note (the delta is not comparable); its checks still run.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/compare.h"

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

// A paper reference table: {"model", "source", "tasks": {"<task>": {"<metric>": value, "variant": "..."}}}
// (format in report.h).
struct ReferenceTable {
  std::string path;
  std::string model;
  std::string source;
  std::map<std::string, std::map<std::string, double>> tasks;
  std::map<std::string, std::string> variants;  // task -> scoring variant of the paper's numbers, where stated
};

// Reads and checks (check_reference_table) a table; variant names are checked against <config_dir>/tasks
// (default <source>/configs).
ReferenceTable read_reference_table(const std::string& path, const std::string& config_dir = "");
// True for a JSON file holding a reference table rather than a run (has "tasks" and "source", no "schema_version").
bool is_reference_table_file(const std::string& path);
// `ref:NAME` -> <config_dir>/references/NAME.json; other strings are returned unchanged.
std::string resolve_reference_path(const std::string& baseline, const std::string& config_dir);

struct GateOptions {
  std::string baseline;    // run directory, reference table file, or ref:NAME
  std::string candidate;   // run directory
  std::vector<GateRule> rules;  // empty: the default rule
  double default_alpha = 0.05;
  double default_tolerance = 1.0;
  std::string config_dir;  // for ref:NAME; default <source>/configs
  CompareOptions compare;
};

// One rule applied to one task/metric.
struct GateCheck {
  std::string rule;     // the rule text ("default: significant drop > 1 point")
  std::string task;
  std::string metric;
  bool passed = true;
  bool candidate_missing = false;  // the candidate lacks this task or metric (a failed check)
  std::string reason;   // why it failed, or what was checked
  double baseline = 0.0;
  double candidate = 0.0;
  double delta = 0.0;
  double p_value = -1.0;  // -1: no test (reference baseline or abs/rel rule)
  std::string test;
};

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

std::string gate_to_markdown(const GateResult& result);
// JUnit XML: one <testsuite name="infeval-gate">, one <testcase classname="TASK" name="METRIC [rule]"> per check,
// <failure message="..."> on failed checks.
std::string gate_to_junit_xml(const GateResult& result);
json gate_to_json(const GateResult& result);

std::string xml_escape(const std::string& text);

}  // namespace infeval

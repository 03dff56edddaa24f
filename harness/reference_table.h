// The paper's numbers: reference tables, configs/references/<name>.json, read here for the leaderboard
// (leaderboard.h), the gate (gate_inputs.h) and `infeval list references`:
//   {"model": "infmllm-7b", "source": "...", "notes": [...],
//    "tasks": {"<task>": {"<metric>": value, ..., "variant": "<scoring variant>"}}}
// "variant" (optional) names the scoring variant of the task's scorer that produced the paper's numbers (e.g. GQA
// "infmllm-chat"); leave it out where the paper does not say. A run's delta to a number of another variant is
// marked not comparable in every format: the two evaluators score the same answers differently.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace infeval {

struct ReferenceTable {
  std::string path;
  std::string name;             // the file's stem ("infmllm-7b")
  std::string model;            // "model" as written; "" when the table has none
  nlohmann::json source;        // "source" as written; null when absent
  std::map<std::string, std::map<std::string, double>> tasks;  // task -> metric -> the paper's number
  std::map<std::string, std::string> variants;  // task -> scoring variant of the paper's numbers, where stated

  // The model the table is for: "model", else the file's stem.
  std::string model_or_name() const { return model.empty() ? name : model; }
  std::optional<double> value(const std::string& task, const std::string& metric) const;
  std::string variant(const std::string& task) const;  // "" when the table does not state one
};

// Reads and checks (check_reference_table) the table at `path`; variant names are checked against
// <config_dir>/tasks (default: default_config_dir()).
ReferenceTable read_reference_table(const std::string& path, const std::string& config_dir = "");
// A table by name (<config_dir>/references/<name>.json) or by path; InputError with suggestions when neither exists.
ReferenceTable load_reference_table(const std::string& config_dir, const std::string& name_or_path);
// `ref:NAME` -> <config_dir>/references/NAME.json (InputError when absent); other strings are returned unchanged.
std::string resolve_reference_path(const std::string& baseline, const std::string& config_dir);
// True for a JSON file holding a reference table rather than a run (has "tasks" and "source", no "schema_version").
bool is_reference_table_file(const std::string& path);
// The table names in <config_dir>/references, sorted.
std::vector<std::string> reference_table_names(const std::string& config_dir);

// Checks a reference table read from `path`: "tasks" is an object of task objects whose keys are metric names with
// numbers, plus the optional "variant", a string naming one of the variants of the task's scorer (checked against
// the scorer when <config_dir>/tasks/<task>.json exists). InputError naming the file and the task otherwise.
void check_reference_table(const nlohmann::json& table, const std::string& path, const std::string& config_dir);

}  // namespace infeval

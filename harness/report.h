// Leaderboards: rows = runs (and the paper's reference tables), columns = task/metric, with each run's delta
// to the paper. Rendered as Markdown (stdout), CSV and JSON. Reference tables: configs/references/<name>.json
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

struct LeaderboardOptions {
  std::vector<std::string> runs;        // run directories or results.json files
  std::vector<std::string> references;  // reference names or files; empty = every table in configs/references
  std::string config_dir;
  bool all_metrics = false;             // false: per task the metrics in a reference table, else its first metric
};

struct LeaderboardColumn {
  std::string task, metric;
  std::string key() const { return task + "/" + metric; }
};

struct LeaderboardRow {
  std::string label;       // run directory or "paper: <reference>"
  std::string model;       // model name
  bool is_reference = false;
  std::string reference_used;                            // which table the deltas are against
  std::map<std::string, std::optional<double>> values;   // column key -> value (nullopt = not run / undefined)
  std::map<std::string, std::optional<double>> deltas;   // column key -> value - paper
  // Scoring variants ("" = not recorded). variants: this row's, per column with a value (a run's from results.json,
  // a paper row's from its table); paper_variants: the variant of the paper number behind each delta.
  std::map<std::string, std::string> variants;
  std::map<std::string, std::string> paper_variants;
  // True when the delta at `key` compares two different (both known) variants.
  bool delta_not_comparable(const std::string& key) const;
};

struct Leaderboard {
  std::vector<LeaderboardColumn> columns;
  std::vector<LeaderboardRow> rows;
  std::vector<std::string> notes;
};

Leaderboard build_leaderboard(const LeaderboardOptions& options);
std::string render_leaderboard_markdown(const Leaderboard& board);
std::string render_leaderboard_csv(const Leaderboard& board);
nlohmann::json leaderboard_to_json(const Leaderboard& board);

// The self-contained HTML page (harness/html_report.*): leaderboard, charts, comparisons of the runs.
void write_html_report_for_runs(const LeaderboardOptions& options, const Leaderboard& board, const std::string& path);

// Loads a reference table by name (configs/references/<name>.json) or path, checked by check_reference_table.
nlohmann::json load_reference_table(const std::string& config_dir, const std::string& name_or_path);

// Checks a reference table read from `path`: "tasks" is an object of task objects whose keys are metric names with
// numbers, plus the optional "variant", a string naming one of the variants of the task's scorer (checked against
// the scorer when <config_dir>/tasks/<task>.json exists). InputError naming the file and the task otherwise.
void check_reference_table(const nlohmann::json& table, const std::string& path, const std::string& config_dir);
std::vector<std::string> reference_table_names(const std::string& config_dir);

}  // namespace infeval

// Leaderboards: rows = runs (and the paper's reference tables, reference_table.h), columns = task/metric, with
// each run's delta to the paper. Built here; rendered as Markdown, CSV and JSON by leaderboard_render.h and as a
// page by html_report.h. A run's delta to a paper number of another scoring variant is marked not comparable.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

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
  // "yes" / "no" / "unknown" (a variant not recorded on one side) for the delta at `key`, "" without one.
  std::string delta_comparable_text(const std::string& key) const;
};

struct Leaderboard {
  std::vector<LeaderboardColumn> columns;
  std::vector<LeaderboardRow> rows;
  std::vector<std::string> notes;
};

Leaderboard build_leaderboard(const LeaderboardOptions& options);

}  // namespace infeval

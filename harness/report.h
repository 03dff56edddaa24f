// Leaderboards: rows = runs (and the paper's reference tables), columns = task/metric, with each run's delta
// to the paper. Rendered as Markdown (stdout), CSV and JSON. Reference tables: configs/references/<name>.json
//   {"model": "infmllm-7b", "source": "...", "tasks": {"<task>": {"<metric>": value}}}
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

// Loads a reference table by name (configs/references/<name>.json) or path.
nlohmann::json load_reference_table(const std::string& config_dir, const std::string& name_or_path);
std::vector<std::string> reference_table_names(const std::string& config_dir);

}  // namespace infeval

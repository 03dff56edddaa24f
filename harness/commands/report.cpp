// infeval report: the leaderboard of one or more runs beside the paper's numbers (Markdown, CSV, JSON, HTML).
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/json_io.h"
#include "harness/html_report.h"
#include "harness/leaderboard.h"
#include "harness/leaderboard_render.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

int run_report_command(const std::vector<std::string>& args) {
  CliArgs cli("report", args, {"--reference", "--output", "--csv", "--json", "--html", "--config-dir"},
              {"--all-metrics"});
  if (cli.help() || cli.positionals().empty()) {
    std::printf(
        "usage: infeval report RUN_DIR [RUN_DIR...] [--reference NAME|FILE]... [--all-metrics]\n"
        "                      [--output DIR] [--csv FILE] [--json FILE] [--html FILE]\n\n"
        "Prints the leaderboard (rows = runs and the paper's tables, columns = task/metric, each run's delta to\n"
        "the paper in parentheses) as Markdown and writes leaderboard.csv and leaderboard.json to --output\n"
        "(default: the first run directory). References: configs/references (`infeval list references`).\n"
        "A delta marked \u2020 (CSV/JSON: delta_comparable) compares a run scored with another variant than the\n"
        "paper's number (a table's per-task \"variant\"): the two are not comparable.\n");
    return cli.help() ? 0 : 2;
  }
  LeaderboardOptions options;
  options.runs = cli.positionals();
  options.references = cli.values("--reference");
  options.config_dir = cli.value_or("--config-dir", default_config_dir());
  options.all_metrics = cli.has("--all-metrics");
  const Leaderboard board = build_leaderboard(options);
  const std::string first_dir = fs::is_directory(options.runs[0]) ? options.runs[0]
                                                                  : fs::path(options.runs[0]).parent_path().string();
  const std::string out_dir = cli.value_or("--output", first_dir);
  fs::create_directories(out_dir);
  const std::string markdown = render_leaderboard_markdown(board);
  write_text_file_atomic(out_dir + "/leaderboard.md", markdown);
  write_text_file_atomic(cli.value_or("--csv", out_dir + "/leaderboard.csv"), render_leaderboard_csv(board));
  write_text_file_atomic(cli.value_or("--json", out_dir + "/leaderboard.json"), leaderboard_to_json(board).dump(2) + "\n");
  if (cli.has("--html")) write_html_report_for_runs(options, board, cli.required("--html"));
  std::printf("%s", markdown.c_str());
  return 0;
}

}  // namespace infeval

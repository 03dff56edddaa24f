// infeval merge: combine the shards of a run directory and score them.
#include <cstdio>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "harness/leaderboard.h"
#include "harness/leaderboard_render.h"
#include "harness/runner.h"
#include "harness/task_registry.h"

namespace infeval {

int run_merge_command(const std::vector<std::string>& args) {
  CliArgs cli("merge", args, {"--output", "--data-root"}, {});
  if (cli.help()) {
    std::printf(
        "usage: infeval merge --output DIR [--data-root DIR]\n\n"
        "Combines the shards of the run in DIR (every `infeval run --shard I/N` writes DIR/manifests/shard-I-of-N.json\n"
        "and DIR/predictions/<task>.shard-I-of-N.jsonl), checks that all N shards ran with the same model, tasks and\n"
        "limit, scores the whole selection exactly as an unsharded run would, writes DIR/results.json and prints the\n"
        "leaderboard.\n");
    return 0;
  }
  const std::string out = cli.required("--output");
  const RunSummary summary = merge_shards(out, cli.value_or("--data-root", ""));
  std::fprintf(stderr, "results: %s\n", summary.results_path.c_str());
  LeaderboardOptions report;
  report.runs = {out};
  report.config_dir = default_config_dir();
  std::printf("%s", render_leaderboard_markdown(build_leaderboard(report)).c_str());
  return 0;
}

}  // namespace infeval

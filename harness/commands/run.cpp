// infeval run: generate answers for tasks with a backend, then score (see --help).
#include <cstdio>

#include <fmt/format.h>

#include "harness/backend_factory.h"
#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/error.h"
#include "harness/leaderboard.h"
#include "harness/leaderboard_render.h"
#include "harness/runner.h"
#include "harness/shard.h"
#include "harness/task_registry.h"

namespace infeval {

static const char* kRunHelp =
    "usage: infeval run --tasks T[,T...] --output DIR [--data-root DIR] [backend flags] [options]\n"
    "\n"
    "Generates an answer for every sample of each task, appending them to DIR/predictions/<task>.jsonl\n"
    "(flushed per batch), then scores and writes DIR/results.json, DIR/samples/<task>.jsonl and prints the\n"
    "leaderboard. Rerunning the same command resumes: finished samples are skipped.\n"
    "\n"
    "Options:\n"
    "  --tasks LIST          task names, globs (pope_*) or 'all'; repeatable\n"
    "  --output DIR          run directory\n"
    "  --data-root DIR       root the task configs' file paths are relative to (default: .)\n"
    "  --file [TASK:]KEY=PATH  override one of a task's files (see `infeval list tasks`); TASK: limits it to one\n"
    "                        task; repeatable\n"
    "  --batch-size N        requests per backend call (default 8)\n"
    "  --schedule S          backend (default): the backend's order, e.g. similar prompt lengths batched\n"
    "                        together; file-order: question-file order. Results are the same either way\n"
    "  --variant [TASK=]NAME scoring variant, for one task or all (default: the task's own); repeatable\n"
    "  --limit N [--seed S]  a seeded random subset of N samples per task (default seed 1234)\n"
    "  --shard I/N           run shard I of N (also from RANK/WORLD_SIZE, SLURM_PROCID/SLURM_NTASKS,\n"
    "                        SLURM_ARRAY_TASK_ID/COUNT, OMPI_COMM_WORLD_RANK/SIZE); combine with `infeval merge`\n"
    "  --allow-missing       write submission files even when ids are missing\n"
    "  --no-progress         no progress output on stderr\n"
    "  --no-score            generate only\n";

int run_run_command(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  bool wants_help = false;
  for (const auto& a : args) wants_help |= (a == "--help" || a == "-h");
  if (wants_help) {
    std::printf("%s\n%s", kRunHelp, backend_flags_help().c_str());
    return 0;
  }
  // Parse our own flags first so that typos fail before a model is loaded.
  const std::vector<std::string> own = strip_backend_flags(args);
  CliArgs cli("run", own,
              {"--tasks", "--output", "--data-root", "--file", "--batch-size", "--variant", "--limit", "--seed",
               "--shard", "--config-dir", "--schedule"},
              {"--allow-missing", "--no-progress", "--no-score"});
  RunOptions options;
  options.config_dir = cli.value_or("--config-dir", default_config_dir());
  options.tasks = expand_task_list(options.config_dir, cli.values("--tasks"));
  options.out_dir = cli.required("--output");
  options.data_root = cli.value_or("--data-root", ".");
  options.file_overrides = parse_file_overrides(cli.values("--file"), options.tasks);
  options.batch_size = cli.int_value("--batch-size", 8);
  options.schedule = cli.value_or("--schedule", "backend");
  options.variant = parse_variant_flags(cli.values("--variant"), options.tasks);
  if (cli.has("--limit")) {
    const int n = cli.int_value("--limit", 0);
    if (n < 1) throw InputError("--limit must be >= 1");
    options.limit = LimitSpec{static_cast<size_t>(n), static_cast<uint64_t>(cli.int_value("--seed", 1234))};
  }
  options.shard = cli.has("--shard") ? parse_shard(cli.required("--shard")) : shard_from_environment();
  options.show_progress = !cli.has("--no-progress");
  options.score = !cli.has("--no-score");
  options.output_options = {{"allow_missing", cli.has("--allow-missing")}};
  options.command_line = {"infeval", "run"};
  options.command_line.insert(options.command_line.end(), args.begin(), args.end());
  if (options.tasks.empty()) throw InputError("infeval run: --tasks is required (see `infeval list tasks`)");

  auto backend = make_backend_from_flags(args, &rest);
  const RunSummary summary = run_evaluation(*backend, options);
  for (const auto& t : summary.tasks)
    std::fprintf(stderr, "%s: %zu samples (%zu generated, %zu resumed, %zu failed)\n", t.task.c_str(), t.total,
                 t.generated, t.resumed, t.failed);
  if (summary.results_path.empty()) {
    std::fprintf(stderr, "shard %d/%d done; combine the shards with `infeval merge --output %s`\n",
                 options.shard.index, options.shard.count, options.out_dir.c_str());
    return 0;
  }
  std::fprintf(stderr, "results: %s\n", summary.results_path.c_str());
  LeaderboardOptions report;
  report.runs = {options.out_dir};
  report.config_dir = options.config_dir;
  std::printf("%s", render_leaderboard_markdown(build_leaderboard(report)).c_str());
  return 0;
}

}  // namespace infeval

// infeval audit: rerun a seeded sample of tasks at batch size 1 and report answers that change with batch size.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "harness/audit.h"
#include "harness/backend_factory.h"
#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/error.h"
#include "core/json_io.h"
#include "harness/task_registry.h"

namespace infeval {

static const char* kAuditHelp =
    "usage: infeval audit --task T[,T...] [backend flags] [--batch-size B] [--limit N] [--seed S] [options]\n"
    "\n"
    "Runs a seeded random sample of each task twice with the same backend, at batch size B and at batch size 1,\n"
    "and reports the samples whose answer changes with the batch size (id, both answers) and the metric deltas\n"
    "(batch 1 - batch B, with McNemar / paired bootstrap p-values). Under greedy decoding the answers should not\n"
    "depend on batching; when they do, scores depend on --batch-size.\n"
    "\n"
    "Options:\n"
    "  --task LIST           task names (also --tasks), globs or 'all'; repeatable\n"
    "  --batch-size B        the batch size to audit (default 8; must be > 1)\n"
    "  --limit N [--seed S]  samples per task, a seeded random subset (default 100, seed 1234)\n"
    "  --output DIR          where both runs are written (DIR/batch-B, DIR/batch-1; rerunning resumes);\n"
    "                        default: a new directory under the system temp directory\n"
    "  --data-root DIR       root of the task files (default: .)\n"
    "  --file [TASK:]KEY=PATH  override one of a task's files (TASK: for one task only)\n"
    "  --variant [TASK=]NAME scoring variant, for one task or all; repeatable\n"
    "  --config-dir DIR      task configs (default: the source tree's configs/)\n"
    "  --changes N           changed answers listed per task (default 20)\n"
    "  --resamples N         bootstrap resamples for soft metrics (default 10000)\n"
    "  --json FILE           also write the audit as JSON\n"
    "  --fail-on-change      exit 1 when any answer changes (for CI)\n";

int run_audit_command(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::printf("%s\n%s", kAuditHelp, backend_flags_help().c_str());
      return 0;
    }
  // Our flags first (typos fail before a model is loaded); backend flags are left to the factory.
  const std::vector<std::string> own = strip_backend_flags(args);
  CliArgs cli("audit", own,
              {"--task", "--tasks", "--batch-size", "--limit", "--seed", "--output", "--data-root", "--file",
               "--variant", "--config-dir", "--changes", "--resamples", "--json"},
              {"--fail-on-change"});
  AuditOptions options;
  RunOptions& run = options.run;
  run.config_dir = cli.value_or("--config-dir", default_config_dir());
  std::vector<std::string> requested = cli.values("--task");
  for (const auto& t : cli.values("--tasks")) requested.push_back(t);
  run.tasks = expand_task_list(run.config_dir, requested);
  if (run.tasks.empty()) throw InputError("infeval audit: --task is required (see `infeval list tasks`)");
  run.data_root = cli.value_or("--data-root", ".");
  run.file_overrides = parse_file_overrides(cli.values("--file"), run.tasks);
  run.batch_size = cli.int_value("--batch-size", 8);
  run.variant = parse_variant_flags(cli.values("--variant"), run.tasks);
  const int limit = cli.int_value("--limit", 100);
  if (limit < 1) throw InputError("--limit must be >= 1");
  run.limit = LimitSpec{static_cast<size_t>(limit), static_cast<uint64_t>(cli.int_value("--seed", 1234))};
  run.show_progress = true;
  run.command_line = {"infeval", "audit"};
  run.command_line.insert(run.command_line.end(), args.begin(), args.end());
  if (cli.has("--output")) {
    run.out_dir = cli.required("--output");
  } else {
    const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
    run.out_dir = (std::filesystem::temp_directory_path() / fmt::format("infeval-audit-{}", stamp)).string();
  }
  options.max_changes = static_cast<size_t>(cli.unsigned_value("--changes", options.max_changes));
  options.compare.bootstrap.resamples =
      static_cast<size_t>(cli.unsigned_value("--resamples", options.compare.bootstrap.resamples));
  if (options.compare.bootstrap.resamples == 0) throw InputError("--resamples: must be at least 1");
  if (run.batch_size <= 1) throw InputError("--batch-size must be > 1: the audit compares batch size B with 1");

  std::vector<std::string> rest;
  auto backend = make_backend_from_flags(args, &rest);
  const AuditResult result = run_batch_audit(*backend, options);
  std::printf("%s", audit_to_markdown(result).c_str());
  if (cli.has("--json"))
    write_text_file_atomic(cli.required("--json"),
                           audit_to_json(result).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  return cli.has("--fail-on-change") && result.any_changed() ? EXIT_CODE_CHECK_FAILED : EXIT_CODE_OK;
}

}  // namespace infeval

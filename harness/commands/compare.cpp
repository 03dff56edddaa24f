// infeval compare RUN_A RUN_B [RUN_C ...]: paired per-sample comparison of runs against the first (harness/comparison.h).
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "harness/commands/statistics_flags.h"
#include "harness/comparison.h"
#include "harness/comparison_render.h"
#include "core/error.h"
#include "core/json_io.h"

namespace infeval {

int run_compare_command(const std::vector<std::string>& args) {
  CliArgs cli("compare", args,
              {"--task", "--resamples", "--seed", "--confidence", "--alpha", "--flips", "--threads", "--json",
               "--markdown"},
              {});
  if (cli.help()) {
    std::printf(
        "usage: infeval compare RUN_A RUN_B [RUN_C ...] [--task T]... [--json FILE] [--markdown FILE]\n\n"
        "Compares each later run with RUN_A on the per-sample records (RUN/samples/<task>.jsonl), per task and\n"
        "metric: both values, the delta, a paired test and a confidence interval for the delta.\n"
        "  - metrics that are a mean of right/wrong per sample: McNemar's exact test on the samples that flipped;\n"
        "  - other metrics (VQA soft accuracy, CIDEr, MME sums, POPE F1, ...): paired bootstrap, the metric\n"
        "    recomputed on each resample; two-sided p = min(1, 2 min(1 + #{d<=0}, 1 + #{d>=0}) / (R + 1)).\n"
        "With several tests, Holm-Bonferroni adjusted p-values are given (p_holm). Runs with different samples are\n"
        "compared on the common ids, and the report says so. The samples that flipped are listed (first N).\n\n"
        "  --task T            compare only this task (repeatable; default: every task in both runs)\n"
        "%s"
        "  --json FILE         also write the comparison as JSON\n"
        "  --markdown FILE     also write the Markdown to FILE (it is always printed on stdout)\n",
        kStatisticsFlagsHelp);
    return 0;
  }
  if (cli.positionals().size() < 2)
    throw InputError("compare: needs at least two run directories; usage: infeval compare RUN_A RUN_B [RUN_C ...]");
  CompareOptions options;
  options.tasks = cli.values("--task");
  read_compare_flags(cli, &options);
  const ComparisonReport report = compare_runs(cli.positionals(), options);
  const std::string markdown = comparison_to_markdown(report);
  std::printf("%s", markdown.c_str());
  if (cli.has("--markdown")) write_text_file_atomic(cli.required("--markdown"), markdown);
  if (cli.has("--json"))
    write_text_file_atomic(cli.required("--json"),
                           comparison_to_json(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  return 0;
}

}  // namespace infeval

// infeval compare RUN_A RUN_B [RUN_C ...]: paired per-sample comparison of runs against the first (harness/compare.h).
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "harness/compare.h"
#include "core/error.h"
#include "core/json_io.h"

namespace infeval {

// Shared by compare and gate: a non-negative number flag ("--alpha 0.05").
double parse_double_flag(const CliArgs& cli, const std::string& flag, double fallback) {
  const auto text = cli.value(flag);
  if (!text) return fallback;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !(value >= 0.0))
    throw InputError(fmt::format("{}: '{}' is not a non-negative number", flag, *text));
  return value;
}

uint64_t parse_u64_flag(const CliArgs& cli, const std::string& flag, uint64_t fallback) {
  const auto text = cli.value(flag);
  if (!text) return fallback;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || (*text)[0] == '-')
    throw InputError(fmt::format("{}: '{}' is not a non-negative integer", flag, *text));
  return static_cast<uint64_t>(value);
}

// Reads the statistics flags shared by compare and gate into `options`.
void read_compare_flags(const CliArgs& cli, CompareOptions* options) {
  options->bootstrap.resamples = static_cast<size_t>(parse_u64_flag(cli, "--resamples", options->bootstrap.resamples));
  options->bootstrap.seed = parse_u64_flag(cli, "--seed", options->bootstrap.seed);
  options->bootstrap.confidence = parse_double_flag(cli, "--confidence", options->bootstrap.confidence);
  options->bootstrap.threads = static_cast<int>(parse_u64_flag(cli, "--threads", 0));
  options->alpha = parse_double_flag(cli, "--alpha", options->alpha);
  options->max_flips = static_cast<size_t>(parse_u64_flag(cli, "--flips", options->max_flips));
  if (options->bootstrap.resamples == 0) throw InputError("--resamples: must be at least 1");
  if (!(options->bootstrap.confidence > 0.0 && options->bootstrap.confidence < 1.0))
    throw InputError("--confidence: must be in (0, 1), e.g. 0.95");
  if (!(options->alpha > 0.0 && options->alpha < 1.0)) throw InputError("--alpha: must be in (0, 1), e.g. 0.05");
}

const char* kStatisticsFlagsHelp =
    "  --resamples N       paired bootstrap resamples (default 10000)\n"
    "  --seed S            bootstrap seed (default 20240611); the same seed gives the same intervals and p-values\n"
    "                      on any machine and with any --threads\n"
    "  --confidence C      confidence of the intervals (default 0.95)\n"
    "  --alpha A           significance level (default 0.05)\n"
    "  --flips N           flipped samples listed per task (default 10)\n"
    "  --threads N         bootstrap threads (default: up to 8)\n";

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

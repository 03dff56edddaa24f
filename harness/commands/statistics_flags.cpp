#include "harness/commands/statistics_flags.h"

#include <limits>

#include "core/error.h"
#include "harness/flag_numbers.h"

namespace infeval {

void read_compare_flags(const CliArgs& cli, CompareOptions* options) {
  options->bootstrap.resamples = static_cast<size_t>(cli.unsigned_value("--resamples", options->bootstrap.resamples));
  options->bootstrap.seed = cli.unsigned_value("--seed", options->bootstrap.seed);
  options->bootstrap.confidence = cli.real_value("--confidence", options->bootstrap.confidence, 0.0,
                                                 std::numeric_limits<double>::max());
  if (auto threads = cli.value("--threads"))
    options->bootstrap.threads = static_cast<int>(parse_integer(*threads, "--threads", 0, 65536));
  options->alpha = cli.real_value("--alpha", options->alpha, 0.0, std::numeric_limits<double>::max());
  options->max_flips = static_cast<size_t>(cli.unsigned_value("--flips", options->max_flips));
  if (options->bootstrap.resamples == 0) throw InputError("--resamples: must be at least 1");
  if (!(options->bootstrap.confidence > 0.0 && options->bootstrap.confidence < 1.0))
    throw InputError("--confidence: must be in (0, 1), e.g. 0.95");
  if (!(options->alpha > 0.0 && options->alpha < 1.0)) throw InputError("--alpha: must be in (0, 1), e.g. 0.05");
}

const char* const kStatisticsFlagsHelp =
    "  --resamples N       paired bootstrap resamples (default 10000)\n"
    "  --seed S            bootstrap seed (default 20240611); the same seed gives the same intervals and p-values\n"
    "                      on any machine and with any --threads\n"
    "  --confidence C      confidence of the intervals (default 0.95)\n"
    "  --alpha A           significance level (default 0.05)\n"
    "  --flips N           flipped samples listed per task (default 10)\n"
    "  --threads N         bootstrap threads (default: up to 8)\n";

}  // namespace infeval

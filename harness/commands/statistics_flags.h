// The statistics flags that compare and gate share (--resamples, --seed, --confidence, --alpha, --flips, --threads)
// and their --help text.
#pragma once
#include "harness/cli_args.h"
#include "harness/comparison.h"

namespace infeval {

// Reads the flags into `options` (defaults where absent); InputError for a bad value.
void read_compare_flags(const CliArgs& cli, CompareOptions* options);
// The flags' lines for a command's --help.
extern const char* const kStatisticsFlagsHelp;

}  // namespace infeval

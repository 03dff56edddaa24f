// infeval: evaluation harness and inference engine for InfMLLM-class vision-language models.
// Dispatches to one subcommand (harness/commands/); turns exceptions into a message and an exit code.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "harness/commands/commands.h"
#include "harness/crash_report.h"
#include "core/error.h"
#include "core/text_util.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Command kCommands[] = {
    {"run", infeval::run_run_command, "generate answers for tasks with a backend, then score (resumable, shardable)"},
    {"score", infeval::run_score_command, "score an existing predictions file with a task's official metric"},
    {"report", infeval::run_report_command, "leaderboard of runs beside the paper's numbers (Markdown/CSV/JSON/HTML)"},
    {"compare", infeval::run_compare_command, "per-sample paired comparison of runs (McNemar, paired bootstrap)"},
    {"gate", infeval::run_gate_command, "CI gate: exit 1 when a candidate regresses against a baseline"},
    {"audit", infeval::run_audit_command, "rerun a seeded sample at batch size 1; report batch-dependent answers"},
    {"merge", infeval::run_merge_command, "combine the shards of a run and score them"},
    {"list", infeval::run_list_command, "list tasks, models, metrics, adapters, backends, references"},
    {"bench", infeval::run_bench_command, "synthetic throughput benchmark at InfMLLM-7B shapes (GPU)"},
};

void print_usage() {
  std::printf("usage: infeval COMMAND [options]   (infeval COMMAND --help for details)\n\ncommands:\n");
  for (const auto& c : kCommands) std::printf("  %-8s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  infeval::install_crash_report();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage();
    return args.empty() ? infeval::EXIT_CODE_BAD_INPUT : infeval::EXIT_CODE_OK;
  }
  const std::string name = args[0];
  args.erase(args.begin());
  try {
    std::vector<std::string> names;
    for (const auto& c : kCommands) {
      if (name == c.name) return c.run(args);
      names.push_back(c.name);
    }
    throw infeval::InputError(infeval::unknown_name_message("command", name, names, "infeval --help"));
  } catch (const infeval::InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return infeval::EXIT_CODE_BAD_INPUT;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return infeval::EXIT_CODE_RUNTIME;
  }
}

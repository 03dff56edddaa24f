// infeval: evaluation harness and inference engine for InfMLLM-class vision-language models.
// Dispatches to one subcommand (harness/commands/); turns exceptions into a message and an exit code.
// Built twice: `infeval` without LibTorch, which hands the commands that run a model to `infeval-native` (this
// file with INFEVAL_HAVE_NATIVE, linked with model/), see harness/native_exec.h.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "harness/backend_factory.h"
#include "harness/commands/commands.h"
#include "harness/crash_report.h"
#include "harness/native_exec.h"
#include "core/error.h"
#include "core/text_util.h"

namespace {

bool asks_for_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

// When a command runs a model (infeval hands it to infeval-native then).
bool runs_model_with_native_backend(const std::vector<std::string>& args) {
  return !asks_for_help(args) && infeval::backend_flags_select_native(args);
}
bool always_runs_model(const std::vector<std::string>& args) { return !asks_for_help(args); }

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
  bool (*runs_model)(const std::vector<std::string>&);  // nullptr: never
};

const Command kCommands[] = {
    {"run", infeval::run_run_command, "generate answers for tasks with a backend, then score (resumable, shardable)",
     runs_model_with_native_backend},
    {"score", infeval::run_score_command, "score an existing predictions file with a task's official metric", nullptr},
    {"report", infeval::run_report_command, "leaderboard of runs beside the paper's numbers (Markdown/CSV/JSON/HTML)",
     nullptr},
    {"compare", infeval::run_compare_command, "per-sample paired comparison of runs (McNemar, paired bootstrap)",
     nullptr},
    {"gate", infeval::run_gate_command, "CI gate: exit 1 when a candidate regresses against a baseline", nullptr},
    {"audit", infeval::run_audit_command, "rerun a seeded sample at batch size 1; report batch-dependent answers",
     runs_model_with_native_backend},
    {"merge", infeval::run_merge_command, "combine the shards of a run and score them", nullptr},
    {"list", infeval::run_list_command, "list tasks, models, metrics, adapters, backends, references", nullptr},
    {"bench", infeval::run_bench_command, "synthetic throughput benchmark at InfMLLM-7B shapes (GPU)",
     always_runs_model},
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
      if (name == c.name) {
#ifndef INFEVAL_HAVE_NATIVE
        if (c.runs_model && c.runs_model(args)) infeval::exec_native_binary(name, argv);
#endif
        return c.run(args);
      }
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

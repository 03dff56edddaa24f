// One function per `infeval` subcommand: parses its own flags (with --help) and returns the exit code.
// Errors are thrown (InputError -> exit 2, others -> 3) and reported by main().
#pragma once
#include <string>
#include <vector>

namespace infeval {

int run_run_command(const std::vector<std::string>& args);
int run_score_command(const std::vector<std::string>& args);
int run_report_command(const std::vector<std::string>& args);
int run_compare_command(const std::vector<std::string>& args);
int run_gate_command(const std::vector<std::string>& args);
int run_audit_command(const std::vector<std::string>& args);
int run_merge_command(const std::vector<std::string>& args);
int run_list_command(const std::vector<std::string>& args);
int run_bench_command(const std::vector<std::string>& args);

}  // namespace infeval

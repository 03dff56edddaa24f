// A small flag parser for the subcommands: "--name VALUE", "--name=VALUE", repeated flags, boolean flags and
// positionals. Unknown flags are errors that suggest the closest known flag.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace infeval {

class CliArgs {
 public:
  // `value_flags` take a value; `bool_flags` do not. "--help"/"-h" is always known.
  CliArgs(const std::string& command, const std::vector<std::string>& args,
          const std::vector<std::string>& value_flags, const std::vector<std::string>& bool_flags);
  bool help() const { return help_; }
  bool has(const std::string& flag) const;
  std::optional<std::string> value(const std::string& flag) const;  // last occurrence
  std::string value_or(const std::string& flag, const std::string& fallback) const;
  std::string required(const std::string& flag) const;                // InputError if absent
  std::vector<std::string> values(const std::string& flag) const;     // all occurrences, in order
  // Numbers, parsed by flag_numbers.h (InputError naming the flag); `fallback` when the flag is absent.
  int int_value(const std::string& flag, int fallback) const;
  uint64_t unsigned_value(const std::string& flag, uint64_t fallback) const;
  double real_value(const std::string& flag, double fallback, double min, double max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::string command_;
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Splits "KEY=VALUE"; InputError naming `flag` if there is no '='.
std::pair<std::string, std::string> split_key_value(const std::string& text, const std::string& flag);

// --file [TASK:]KEY=PATH, each value: (KEY or "TASK:KEY", PATH) as resolve_task_files takes them. A TASK: prefix
// that names none of `tasks` is an InputError (a typo would otherwise be silently ignored).
std::vector<std::pair<std::string, std::string>> parse_file_overrides(const std::vector<std::string>& values,
                                                                      const std::vector<std::string>& tasks);

// --variant [TASK=]NAME, repeatable: checks every TASK against `tasks` and a bare NAME given at most once, and
// returns the values joined with ',' (RunOptions::variant keeps them in that form).
std::string parse_variant_flags(const std::vector<std::string>& values, const std::vector<std::string>& tasks);

// The variant asked for `task` in a parse_variant_flags() string: its TASK=NAME entry, else the bare NAME, else "".
std::string variant_for_task(const std::string& variants, const std::string& task);

}  // namespace infeval

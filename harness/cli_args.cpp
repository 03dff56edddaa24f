#include "harness/cli_args.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"
#include "harness/flag_numbers.h"

namespace infeval {

CliArgs::CliArgs(const std::string& command, const std::vector<std::string>& args,
                 const std::vector<std::string>& value_flags, const std::vector<std::string>& bool_flags)
    : command_(command) {
  auto is_in = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (!starts_with(arg, "--")) {
      positionals_.push_back(arg);
      continue;
    }
    std::string inline_value;
    bool has_inline = false;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    if (is_in(value_flags, arg)) {
      if (has_inline) {
        values_[arg].push_back(inline_value);
      } else {
        if (i + 1 >= args.size()) throw InputError(fmt::format("infeval {}: {} needs a value", command, arg));
        values_[arg].push_back(args[++i]);
      }
    } else if (is_in(bool_flags, arg)) {
      values_[arg].push_back("1");
    } else {
      std::vector<std::string> all = value_flags;
      all.insert(all.end(), bool_flags.begin(), bool_flags.end());
      throw InputError(fmt::format("infeval {}: {}", command,
                                   unknown_name_message("flag", arg, all, "infeval " + command + " --help")));
    }
  }
}

bool CliArgs::has(const std::string& flag) const { return values_.count(flag) > 0; }

std::optional<std::string> CliArgs::value(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::string CliArgs::value_or(const std::string& flag, const std::string& fallback) const {
  auto v = value(flag);
  return v ? *v : fallback;
}

std::string CliArgs::required(const std::string& flag) const {
  auto v = value(flag);
  if (!v) throw InputError(fmt::format("infeval {}: {} is required (see `infeval {} --help`)", command_, flag, command_));
  return *v;
}

std::vector<std::string> CliArgs::values(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int CliArgs::int_value(const std::string& flag, int fallback) const {
  auto v = value(flag);
  if (!v) return fallback;
  return static_cast<int>(
      parse_integer(*v, flag, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

uint64_t CliArgs::unsigned_value(const std::string& flag, uint64_t fallback) const {
  auto v = value(flag);
  return v ? parse_unsigned(*v, flag) : fallback;
}

double CliArgs::real_value(const std::string& flag, double fallback, double min, double max) const {
  auto v = value(flag);
  return v ? parse_real(*v, flag, min, max) : fallback;
}

std::pair<std::string, std::string> split_key_value(const std::string& text, const std::string& flag) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(fmt::format("{} '{}': expected KEY=VALUE", flag, text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<std::pair<std::string, std::string>> parse_file_overrides(const std::vector<std::string>& values,
                                                                      const std::vector<std::string>& tasks) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& value : values) {
    auto [key, path] = split_key_value(value, "--file");
    const size_t colon = key.find(':');
    if (colon != std::string::npos) {
      const std::string task = key.substr(0, colon);
      if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
        throw InputError(fmt::format("--file {}: {} (the tasks of this command: {})", value,
                                     unknown_name_message("task", task, tasks, ""), join(tasks, ", ")));
    }
    out.emplace_back(key, path);
  }
  return out;
}

std::string parse_variant_flags(const std::vector<std::string>& values, const std::vector<std::string>& tasks) {
  std::vector<std::string> kept;
  bool bare = false;
  for (const auto& value : values) {
    if (value.empty() || value.find(',') != std::string::npos)
      throw InputError(fmt::format("--variant '{}': expected NAME or TASK=NAME (repeat the flag for more tasks)", value));
    const size_t eq = value.find('=');
    if (eq == std::string::npos) {
      if (bare) throw InputError(fmt::format("--variant {}: a variant for every task was already given", value));
      bare = true;
    } else {
      const std::string task = value.substr(0, eq);
      if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
        throw InputError(fmt::format("--variant {}: {} (the tasks of this command: {})", value,
                                     unknown_name_message("task", task, tasks, ""), join(tasks, ", ")));
      if (eq + 1 == value.size()) throw InputError(fmt::format("--variant {}: no variant name after '='", value));
    }
    kept.push_back(value);
  }
  return join(kept, ",");
}

std::string variant_for_task(const std::string& variants, const std::string& task) {
  std::string fallback;
  for (const auto& entry : split(variants, ',')) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      fallback = entry;
    } else if (entry.substr(0, eq) == task) {
      return entry.substr(eq + 1);
    }
  }
  return fallback;
}

}  // namespace infeval

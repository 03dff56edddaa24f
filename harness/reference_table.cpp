#include "harness/reference_table.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/task_config.h"
#include "core/text_util.h"
#include "datasets/registry.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

using json = nlohmann::json;

std::optional<double> ReferenceTable::value(const std::string& task, const std::string& metric) const {
  auto t = tasks.find(task);
  if (t == tasks.end()) return std::nullopt;
  auto m = t->second.find(metric);
  if (m == t->second.end()) return std::nullopt;
  return m->second;
}

std::string ReferenceTable::variant(const std::string& task) const {
  auto v = variants.find(task);
  return v == variants.end() ? "" : v->second;
}

void check_reference_table(const json& table, const std::string& path, const std::string& config_dir) {
  if (!table.is_object() || !table.contains("tasks") || !table["tasks"].is_object())
    throw InputError(fmt::format("{}: a reference table needs a 'tasks' object", path));
  for (const auto& [task, entry] : table["tasks"].items()) {
    if (!entry.is_object())
      throw InputError(fmt::format("{}: tasks.{}: expected an object {{\"<metric>\": number, \"variant\": \"<name>\"}}",
                                   path, task));
    for (const auto& [key, value] : entry.items()) {
      if (key == "variant") continue;
      if (!value.is_number()) {
        // A non-number here is a metric written as text or a misspelt "variant".
        const bool misspelt = !closest_names(key, {"variant"}).empty();
        throw InputError(fmt::format("{}: tasks.{}: {} holds {}, expected a number (a task's keys are metric names "
                                     "with numbers and the optional \"variant\"){}",
                                     path, task, key, value.dump(), misspelt ? "; did you mean variant?" : ""));
      }
    }
    if (!entry.contains("variant")) continue;
    const json& variant = entry["variant"];
    if (!variant.is_string() || variant.get<std::string>().empty())
      throw InputError(fmt::format("{}: tasks.{}.variant: expected the name of the scoring variant behind the paper's "
                                   "numbers (a non-empty string, e.g. \"llava\"), got {}",
                                   path, task, variant.dump()));
    // The name must be one the task's scorer knows, or no run could ever match it.
    const std::string task_path = config_dir + "/tasks/" + task + ".json";
    if (config_dir.empty() || !fs::exists(task_path)) continue;
    const TaskConfig config = load_task_config(task_path);
    const std::vector<std::string> variants = find_scorer(config.scorer).variants();
    if (std::find(variants.begin(), variants.end(), variant.get<std::string>()) == variants.end())
      throw InputError(fmt::format("{}: tasks.{}.variant: {} (scorer {} has: {})", path, task,
                                   unknown_name_message("variant", variant.get<std::string>(), variants, ""),
                                   config.scorer, join(variants, ", ")));
  }
}

ReferenceTable read_reference_table(const std::string& path, const std::string& config_dir) {
  const json j = read_json_file(path);
  check_reference_table(j, path, config_dir.empty() ? default_config_dir() : config_dir);
  ReferenceTable table;
  table.path = path;
  table.name = fs::path(path).stem().string();
  if (j.contains("model")) {
    if (!j["model"].is_string())
      throw InputError(fmt::format("{}: model: expected the model's name (a string), got {}", path, j["model"].dump()));
    table.model = j["model"].get<std::string>();
  }
  if (j.contains("source")) table.source = j["source"];
  for (const auto& [task, entry] : j["tasks"].items()) {
    for (const auto& [key, value] : entry.items()) {
      if (key == "variant") table.variants[task] = value.get<std::string>();
      else table.tasks[task][key] = value.get<double>();
    }
  }
  return table;
}

std::vector<std::string> reference_table_names(const std::string& config_dir) {
  std::vector<std::string> names;
  const std::string dir = config_dir + "/references";
  if (!fs::is_directory(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

ReferenceTable load_reference_table(const std::string& config_dir, const std::string& name_or_path) {
  std::string path = name_or_path;
  if (!fs::exists(path)) {
    path = config_dir + "/references/" + name_or_path + ".json";
    if (!fs::exists(path))
      throw InputError(unknown_name_message("reference table", name_or_path, reference_table_names(config_dir), ""));
  }
  return read_reference_table(path, config_dir);
}

bool is_reference_table_file(const std::string& path) {
  if (!fs::is_regular_file(path)) return false;
  const json j = read_json_file(path);
  return j.is_object() && j.contains("tasks") && j.contains("source") && !j.contains("schema_version");
}

std::string resolve_reference_path(const std::string& baseline, const std::string& config_dir) {
  if (!starts_with(baseline, "ref:")) return baseline;
  const std::string dir = config_dir.empty() ? default_config_dir() : config_dir;
  const std::string name = baseline.substr(4);
  const std::string path = (fs::path(dir) / "references" / (name + ".json")).string();
  if (!fs::exists(path))
    throw InputError(unknown_name_message("reference table", name, reference_table_names(dir), "") +
                     fmt::format(" ({} not found)", path));
  return path;
}

}  // namespace infeval

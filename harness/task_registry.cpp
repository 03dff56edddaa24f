#include "harness/task_registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/task_config.h"
#include "core/text_util.h"

namespace fs = std::filesystem;

namespace infeval {

std::string default_config_dir() {
  if (const char* dir = std::getenv("INFEVAL_CONFIG_DIR")) return dir;
  return std::string(INFEVAL_SOURCE_DIR) + "/configs";
}

static std::vector<std::string> json_stems(const std::string& dir) {
  std::vector<std::string> names;
  if (!fs::is_directory(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> task_names(const std::string& config_dir) { return json_stems(config_dir + "/tasks"); }

TaskConfig load_task(const std::string& config_dir, const std::string& name) {
  const std::string path = config_dir + "/tasks/" + name + ".json";
  if (!fs::exists(path)) throw InputError(unknown_name_message("task", name, task_names(config_dir), "infeval list tasks"));
  TaskConfig task = load_task_config(path);
  if (task.name != name)
    throw InputError(fmt::format("{}: the config's name '{}' differs from its file name '{}'", path, task.name, name));
  return task;
}

// Shell-style match with '*' only.
static bool glob_match(const std::string& pattern, const std::string& text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i)
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    return false;
  }
  return !text.empty() && pattern[0] == text[0] && glob_match(pattern.substr(1), text.substr(1));
}

std::vector<std::string> expand_task_list(const std::string& config_dir, const std::vector<std::string>& requested) {
  const std::vector<std::string> all = task_names(config_dir);
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  for (const auto& item : requested) {
    for (const auto& name : split(item, ',')) {
      if (name.empty()) continue;
      if (name == "all") {
        for (const auto& n : all) add(n);
      } else if (name.find('*') != std::string::npos) {
        bool any = false;
        for (const auto& n : all)
          if (glob_match(name, n)) { add(n); any = true; }
        if (!any) throw InputError(fmt::format("no task matches '{}' (see `infeval list tasks`)", name));
      } else {
        if (std::find(all.begin(), all.end(), name) == all.end())
          throw InputError(unknown_name_message("task", name, all, "infeval list tasks"));
        add(name);
      }
    }
  }
  return out;
}

std::vector<ModelEntry> model_entries(const std::string& config_dir) {
  std::vector<ModelEntry> out;
  for (const auto& stem : json_stems(config_dir + "/models")) {
    ModelEntry e;
    e.name = stem;
    e.path = config_dir + "/models/" + stem + ".json";
    try {
      const json j = read_json_file(e.path);
      e.description = j.value("description", "");
    } catch (const InputError&) {
      e.description = "(unreadable config)";
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace infeval

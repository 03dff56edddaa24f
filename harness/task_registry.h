// Task and model configs on disk: configs/tasks/<name>.json and configs/models/<name>.json.
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

std::string default_config_dir();  // INFEVAL_CONFIG_DIR, else <source dir>/configs

std::vector<std::string> task_names(const std::string& config_dir);
// Loads configs/tasks/<name>.json; an unknown name suggests the closest ("did you mean vqav2_val?").
TaskConfig load_task(const std::string& config_dir, const std::string& name);
// Expands a comma list with globs ("pope_*", "all") into task names, keeping order.
std::vector<std::string> expand_task_list(const std::string& config_dir, const std::vector<std::string>& requested);

struct ModelEntry {
  std::string name;
  std::string description;
  std::string path;  // the config file
};
std::vector<ModelEntry> model_entries(const std::string& config_dir);

}  // namespace infeval

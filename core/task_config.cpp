#include "core/task_config.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/prompt.h"
#include "core/sha256.h"
#include "core/text_util.h"

namespace infeval {

json GenerationSettings::to_json() const {
  return json{{"max_new_tokens", max_new_tokens},
              {"num_beams", num_beams},
              {"min_length", min_length},
              {"length_penalty", length_penalty}};
}

GenerationSettings GenerationSettings::from_json(const json& j, const std::string& where) {
  static const std::vector<std::string> known = {"max_new_tokens", "num_beams", "min_length", "length_penalty"};
  if (!j.is_object()) throw InputError(where + ": 'generation' must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      throw InputError(where + ": " + unknown_name_message("generation setting", it.key(), known, ""));
  GenerationSettings g;
  // Range-checked (get<int>() of 1e300 would be undefined behaviour).
  if (j.contains("max_new_tokens")) g.max_new_tokens = require_int(j, "max_new_tokens", where, 1, 1 << 20);
  if (j.contains("num_beams")) g.num_beams = require_int(j, "num_beams", where, 1, 1024);
  if (j.contains("min_length")) g.min_length = require_int(j, "min_length", where, 0, 1 << 20);
  g.length_penalty = j.value("length_penalty", g.length_penalty);
  if (g.max_new_tokens < 1) throw InputError(where + ": max_new_tokens must be >= 1");
  if (g.num_beams < 1) throw InputError(where + ": num_beams must be >= 1");
  if (g.min_length < 0) throw InputError(where + ": min_length must be >= 0");
  return g;
}

std::string GenerationSettings::hash() const { return short_hash(to_json().dump()); }

static TaskConfig load_task_config_json(const std::string& path);

TaskConfig load_task_config(const std::string& path) {
  try {
    return load_task_config_json(path);
  } catch (const json::exception& e) {
    // A field of the wrong type ("default_variant": 3, a transform that is not a string): type_error.302 etc.
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
}

static TaskConfig load_task_config_json(const std::string& path) {
  const json j = read_json_file(path);
  if (!j.is_object()) throw InputError(path + ": a task config must be a JSON object");
  static const std::vector<std::string> known = {"name",  "description", "version",        "adapter", "scorer",
                                                 "files", "protocols",   "default_variant", "missing_policy",
                                                 "options"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      throw InputError(path + ": " + unknown_name_message("key", it.key(), known, ""));
  TaskConfig task;
  task.config_path = path;
  task.config_hash = short_hash(read_text_file(path));
  task.name = require_string(j, "name", path);
  task.description = require_string(j, "description", path);
  task.version = require_int(j, "version", path, 0, INT_MAX);
  task.adapter = require_string(j, "adapter", path);
  task.scorer = require_string(j, "scorer", path);
  task.default_variant = j.value("default_variant", "");
  task.missing_policy = j.value("missing_policy", "count");
  if (task.missing_policy != "count" && task.missing_policy != "error")
    throw InputError(path + ": missing_policy must be \"count\" or \"error\"");
  const json& files = require_field(j, "files", path);
  if (!files.is_object()) throw InputError(path + ": 'files' must be an object of key -> relative path");
  for (auto it = files.begin(); it != files.end(); ++it) {
    if (!it.value().is_string()) throw InputError(fmt::format("{}: files.{} must be a string", path, it.key()));
    task.files[it.key()] = it.value().get<std::string>();
  }
  const json& protocols = require_field(j, "protocols", path);
  if (!protocols.is_object() || protocols.empty())
    throw InputError(path + ": 'protocols' must be a non-empty object (multitask and/or chat)");
  for (auto it = protocols.begin(); it != protocols.end(); ++it) {
    const std::string where = fmt::format("{}: protocols.{}", path, it.key());
    if (it.key() != "multitask" && it.key() != "chat")
      throw InputError(where + ": unknown protocol (expected multitask or chat)");
    ProtocolSpec spec;
    spec.prompt_template = require_string(it.value(), "prompt", where);
    spec.expand_to_square = it.value().value("expand_to_square", false);
    if (it.value().contains("generation"))
      spec.generation = GenerationSettings::from_json(it.value()["generation"], where + ".generation");
    if (it.value().contains("transforms")) {
      for (auto t = it.value()["transforms"].begin(); t != it.value()["transforms"].end(); ++t) {
        const std::string name = t.value().get<std::string>();
        const auto names = text_transform_names();
        if (std::find(names.begin(), names.end(), name) == names.end())
          throw InputError(where + ": " + unknown_name_message("transform", name, names, ""));
        spec.transforms[t.key()] = name;
      }
    }
    task.protocols[it.key()] = spec;
  }
  if (j.contains("options")) task.options = j["options"];
  return task;
}

ResolvedFiles resolve_task_files(const TaskConfig& task, const std::string& data_root,
                                 const std::vector<std::pair<std::string, std::string>>& overrides) {
  ResolvedFiles files;
  for (const auto& [key, relative] : task.files) {
    if (!relative.empty() && relative[0] == '/') files[key] = relative;
    else files[key] = data_root.empty() ? relative : data_root + "/" + relative;
  }
  for (const auto& [scoped_key, path] : overrides) {
    // "TASK:KEY" applies to that task only; a bare KEY to every task.
    const size_t colon = scoped_key.find(':');
    if (colon != std::string::npos && scoped_key.substr(0, colon) != task.name) continue;
    const std::string key = colon == std::string::npos ? scoped_key : scoped_key.substr(colon + 1);
    if (!task.files.count(key)) {
      std::vector<std::string> keys;
      for (const auto& entry : task.files) keys.push_back(entry.first);
      throw InputError(fmt::format("task {}: {} (its keys: {})", task.name,
                                   unknown_name_message("--file key", key, keys, ""), join(keys, ", ")));
    }
    files[key] = path;
  }
  return files;
}

const ProtocolSpec& protocol_spec(const TaskConfig& task, const std::string& protocol) {
  auto it = task.protocols.find(protocol);
  if (it == task.protocols.end()) {
    std::vector<std::string> names;
    for (const auto& entry : task.protocols) names.push_back(entry.first);
    throw InputError(fmt::format("task {} has no prompt for protocol '{}' (it has: {})", task.name, protocol,
                                 join(names, ", ")));
  }
  return it->second;
}

}  // namespace infeval

#include "harness/results.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"

namespace fs = std::filesystem;

namespace infeval {

using json = nlohmann::json;

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

json backend_info_to_json(const BackendInfo& info) {
  return json{{"backend", info.name},         {"model_name", info.model_name}, {"model_digest", info.model_digest},
              {"precision", info.precision},  {"device", info.device},         {"protocol", info.protocol},
              {"extra", info.extra.is_null() ? json::object() : info.extra}};
}

std::string results_path(const std::string& path_or_dir) {
  return fs::is_directory(path_or_dir) ? path_or_dir + "/results.json" : path_or_dir;
}

json read_results(const std::string& path_or_dir) {
  const std::string path = results_path(path_or_dir);
  if (!fs::exists(path)) throw InputError(fmt::format("{}: no results.json (was the run scored? hint: `infeval merge` "
                                                      "or `infeval score` writes it)", path));
  json j = read_json_file(path);
  if (!j.is_object() || !j.contains("tasks") || !j["tasks"].is_object())
    throw InputError(fmt::format("{}: not an infeval results.json (no 'tasks' object)", path));
  const int version = j.value("schema_version", 0);
  if (version != kResultsSchemaVersion)
    throw InputError(fmt::format("{}: results schema_version {} is not supported (expected {})", path, version,
                                 kResultsSchemaVersion));
  return j;
}

std::string write_results(const std::string& out_dir, const json& run, const BackendInfo& model,
                          const json& backend_stats, const std::vector<TaskResult>& tasks) {
  fs::create_directories(out_dir);
  const std::string path = out_dir + "/results.json";
  json tasks_json = json::object();
  const json model_json = backend_info_to_json(model);
  if (fs::exists(path)) {
    try {
      json previous = read_results(path);
      if (previous.value("model", json::object()).value("model_digest", "") == model.model_digest)
        tasks_json = previous["tasks"];
      else
        std::fprintf(stderr, "warning: %s held results of another model; replacing them\n", path.c_str());
    } catch (const InputError& e) {
      std::fprintf(stderr, "warning: replacing unreadable %s (%s)\n", path.c_str(), e.what());
    }
  }
  for (const auto& t : tasks) tasks_json[t.task] = t.to_json();
  json results = {{"schema_version", kResultsSchemaVersion},
                  {"infeval_version", kInfevalVersion},
                  {"run", run},
                  {"model", model_json},
                  {"backend_stats", backend_stats},
                  {"tasks", tasks_json}};
  write_text_file_atomic(path, results.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  return path;
}

}  // namespace infeval

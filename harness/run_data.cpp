#include "harness/run_data.h"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/records.h"

namespace infeval {

namespace fs = std::filesystem;

static std::string label_of(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name.empty() ? dir : name;
}

// Reads one task's samples file; a repeated sample id is an error (the pairing of compare is by id).
static std::vector<SampleRecord> read_task_records(const std::string& samples_path) {
  std::vector<SampleRecord> records = read_sample_records(samples_path);
  std::set<std::string> seen;
  for (size_t i = 0; i < records.size(); ++i)
    if (!seen.insert(records[i].id).second)
      throw InputError(fmt::format("{}:{}: duplicate sample id '{}'", samples_path, i + 1, records[i].id));
  return records;
}

RunData load_run(const std::string& path, bool require_samples) {
  const std::string dir =
      fs::is_regular_file(path) ? fs::path(path).parent_path().string() : path;
  RunData run;
  run.dir = dir;
  run.label = label_of(dir);
  const std::string results_path = (fs::path(dir) / "results.json").string();
  if (!fs::exists(results_path))
    throw InputError(fmt::format("{}: not found; hint: a run directory is the --output of `infeval run`/`score`, "
                                 "holding results.json and samples/",
                                 results_path));
  run.results = read_json_file(results_path);
  if (!run.results.is_object() || !run.results.contains("tasks") || !run.results["tasks"].is_object())
    throw InputError(fmt::format("{}: expected an object with a 'tasks' object", results_path));
  if (run.results.contains("model") && run.results["model"].is_object())
    run.model_name = run.results["model"].value("model_name", "");
  for (const auto& [task_name, entry] : run.results["tasks"].items()) {
    const std::string where = fmt::format("{}: tasks.{}", results_path, task_name);
    if (!entry.is_object()) throw InputError(where + ": expected an object");
    TaskRun task;
    task.task = task_name;
    task.scorer = require_string(entry, "scorer", where);
    task.variant = entry.value("variant", "");
    if (entry.contains("metrics") && entry["metrics"].is_object())
      for (const auto& [metric, value] : entry["metrics"].items())
        if (value.is_number()) task.metrics[metric] = value.get<double>();
    const std::string relative = entry.value("samples_file", "samples/" + task_name + ".jsonl");
    task.samples_path = (fs::path(dir) / relative).string();
    if (fs::exists(task.samples_path)) {
      task.records = read_task_records(task.samples_path);
    } else if (require_samples) {
      throw InputError(fmt::format("{}: samples file {} not found; hint: compare and gate need the per-sample "
                                   "records written by `infeval run`/`score`",
                                   where, task.samples_path));
    }
    run.tasks.emplace(task_name, std::move(task));
  }
  return run;
}

}  // namespace infeval

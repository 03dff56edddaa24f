// A finished run as read from disk: <dir>/results.json and the per-sample records of each task
// (<dir>/samples/<task>.jsonl, as written by `infeval run`/`score`). compare, gate, audit and the HTML report read
// runs through load_run.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/task.h"

namespace infeval {

// One task of a run as read from disk.
struct TaskRun {
  std::string task;
  std::string scorer;
  std::string variant;
  std::map<std::string, double> metrics;  // as recorded in results.json
  std::vector<SampleRecord> records;      // samples/<task>.jsonl, question-file order
  std::string samples_path;
};

// A finished run directory: <dir>/results.json and its samples files.
struct RunData {
  std::string dir;
  std::string label;      // short name for tables: the directory's last component
  json results;           // results.json as read
  std::string model_name; // results.model.model_name ("" if absent)
  std::map<std::string, TaskRun> tasks;
};

// Reads results.json (`path` is a run directory or its results.json) and every task's samples file. InputError
// naming the file when either is missing or bad, or a samples file repeats a sample id; with
// require_samples = false a missing samples file leaves that task's records empty (leaderboard-only use).
RunData load_run(const std::string& path, bool require_samples = true);

}  // namespace infeval

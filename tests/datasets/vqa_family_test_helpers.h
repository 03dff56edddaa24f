// Helpers for the dataset tests: load a task config with its mini data, read LLaVA answer files, score predictions
// through the registry; TempDir (tests/support/temp_dir.h) for throwaway files.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/task_config.h"
#include "tests/support/temp_dir.h"

namespace infeval {
namespace test {

inline std::string config_path(const std::string& task) {
  return std::string(INFEVAL_TEST_DATA) + "/../../configs/tasks/" + task + ".json";
}
inline std::string mini_root() { return std::string(INFEVAL_TEST_DATA) + "/mini"; }
inline std::string data_path(const std::string& relative) { return std::string(INFEVAL_TEST_DATA) + "/" + relative; }

struct LoadedTask {
  TaskConfig config;
  std::vector<Sample> samples;
};

inline LoadedTask load_task(const std::string& task, const std::string& root,
                            const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  LoadedTask t;
  t.config = load_task_config(config_path(task));
  const ResolvedFiles files = resolve_task_files(t.config, root, overrides);
  t.samples = find_adapter(t.config.adapter).load(t.config, files);
  return t;
}

// A LLaVA answer file (JSONL {question_id, text, ...}) as foreign predictions: id = question_id, where = "path:line".
inline std::vector<ForeignPrediction> llava_answers(const std::string& path) {
  std::vector<ForeignPrediction> out;
  read_jsonl_file(path, [&](const json& a, int line) {
    out.push_back({json_id_to_string(a["question_id"]), a["text"].get<std::string>(), a,
                   path + ":" + std::to_string(line)});
  });
  return out;
}

// Scores foreign predictions (id, text, raw) for `variant` through the task's scorer (align + score + aggregate).
inline std::map<std::string, double> score_task(const LoadedTask& t, const std::vector<ForeignPrediction>& foreign,
                                                const std::string& variant,
                                                std::vector<SampleRecord>* records_out = nullptr) {
  const Scorer& scorer = find_scorer(t.config.scorer);
  const std::vector<Prediction> aligned = scorer.align(t.samples, foreign, variant);
  std::vector<SampleRecord> records = scorer.score_samples(t.config, t.samples, aligned, variant);
  auto metrics = scorer.aggregate(records, variant);
  if (records_out) *records_out = std::move(records);
  return metrics;
}

// Expects an InputError whose message contains every fragment.
template <typename F>
void expect_input_error(F&& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    for (const auto& fragment : fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << "message: " << message << "\nmissing: " << fragment;
  }
}

}  // namespace test
}  // namespace infeval

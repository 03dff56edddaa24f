// Test helper: writes a run directory as the runner does (results.json + samples/<task>.jsonl), scored with the
// "exact_match" scorer, so compare, gate and the HTML report can be tested on runs with known differences.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "core/records.h"
#include "tests/support/temp_dir.h"

namespace infeval {
namespace testing_runs {

// How often `needle` occurs in `text` (overlapping occurrences count).
inline size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// Writes <dir>/results.json and <dir>/samples/<task>.jsonl. scores[i] is the score of sample "s<i>" (-1: absent).
inline void write_run(const std::filesystem::path& dir, const std::map<std::string, std::vector<double>>& task_scores,
                      const std::string& model = "test-model",
                      const std::map<int, std::string>& questions = {}) {
  std::filesystem::create_directories(dir / "samples");
  json results = {{"schema_version", 1},
                  {"run", json::object()},
                  {"model", {{"backend", "fixed"}, {"model_name", model}, {"model_digest", "0"}}},
                  {"tasks", json::object()}};
  for (const auto& [task, scores] : task_scores) {
    std::vector<SampleRecord> records;
    double sum = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      if (scores[i] < 0) continue;
      SampleRecord r;
      r.id = "s" + std::to_string(i);
      auto q = questions.find(static_cast<int>(i));
      r.question = q != questions.end() ? q->second : "what is written in picture " + std::to_string(i) + "?";
      r.references = json::array({"ans" + std::to_string(i)});
      r.score = scores[i];
      r.prediction = scores[i] == 1.0 ? "ans" + std::to_string(i) : "wrong" + std::to_string(i);
      r.parsed = r.prediction;
      sum += r.score;
      records.push_back(r);
    }
    write_sample_records((dir / "samples" / (task + ".jsonl")).string(), records);
    const size_t n = records.size();
    results["tasks"][task] = {{"metrics", {{"accuracy", 100.0 * sum / static_cast<double>(n)}}},
                              {"variant", "infmllm"},
                              {"scorer", "exact_match"},
                              {"counts", {{"total", n}, {"scored", n}, {"missing", 0}, {"failed", 0}}},
                              {"version", 1},
                              {"config_hash", "abc"},
                              {"samples_file", "samples/" + task + ".jsonl"}};
  }
  write_text_file_atomic((dir / "results.json").string(), results.dump(1));
}

}  // namespace testing_runs
}  // namespace infeval

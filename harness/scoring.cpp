#include "harness/scoring.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/records.h"
#include "core/text_util.h"

namespace fs = std::filesystem;

namespace infeval {

// The variant's official script and how it counts, as results.json records it (empty when the scorer declares
// none).
static json official_json(const VariantInfo& info) {
  if (info.script.empty()) return json::object();
  return json{{"script", info.script},
              {"repository", info.repository},
              {"commit", info.commit},
              {"python", info.python},
              {"reads", info.reads},
              {"absent_answers", info.scores_answered_only ? "not counted" : "counted as wrong"},
              {"unknown_ids", info.ignores_unknown_ids ? "ignored" : "error"}};
}

json TaskResult::to_json() const {
  json metrics_json = json::object();
  for (const auto& [name, value] : metrics) {
    if (std::isfinite(value)) metrics_json[name] = value;
    else metrics_json[name] = nullptr;  // undefined (e.g. no video questions): JSON has no NaN
  }
  return json{{"metrics", metrics_json},
              {"variant", variant},
              {"scorer", scorer},
              {"adapter", adapter},
              {"version", version},
              {"config_hash", config_hash},
              {"counts", {{"total", total}, {"scored", scored}, {"missing", missing}, {"failed", failed},
                          {"ignored", ignored}}},
              {"official", official_json(official)},
              {"notes", notes},
              {"samples_file", samples_file}};
}

std::string choose_variant(const TaskConfig& task, const Scorer& scorer, const std::string& requested) {
  const auto variants = scorer.variants();
  const std::string chosen = !requested.empty() ? requested
                             : !task.default_variant.empty() ? task.default_variant
                                                             : variants.at(0);
  if (std::find(variants.begin(), variants.end(), chosen) == variants.end())
    throw InputError(fmt::format("task {}: {} (its variants: {})", task.name,
                                 unknown_name_message("variant", chosen, variants, ""), join(variants, ", ")));
  return chosen;
}

TaskResult score_task(const TaskConfig& task, const std::vector<Sample>& samples,
                      const std::vector<Prediction>& predictions, const std::string& variant,
                      const std::string& out_dir, const json& output_options) {
  if (predictions.size() != samples.size())
    throw RuntimeFailure(fmt::format("task {}: {} predictions for {} samples", task.name, predictions.size(), samples.size()));
  const Scorer& scorer = find_scorer(task.scorer);
  TaskResult result;
  result.task = task.name;
  result.variant = variant;
  result.scorer = scorer.name();
  result.adapter = task.adapter;
  result.version = task.version;
  result.config_hash = task.config_hash;
  result.total = samples.size();
  std::vector<std::string> missing_ids;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!predictions[i].present) {
      ++result.missing;
      if (missing_ids.size() < 5) missing_ids.push_back(samples[i].id);
    } else if (!predictions[i].error.empty()) {
      ++result.failed;
    }
  }
  result.scored = result.total - result.missing - result.failed;
  if (result.missing && task.missing_policy == "error")
    throw InputError(fmt::format("task {}: {} of {} samples have no prediction (first: {}); this task's policy "
                                 "requires all", task.name, result.missing, result.total, join(missing_ids, ", ")));
  std::vector<SampleRecord> records = scorer.score_samples(task, samples, predictions, variant);
  for (size_t i = 0; i < records.size() && i < predictions.size(); ++i) {
    records[i].missing = !predictions[i].present;
    records[i].failed = predictions[i].present && !predictions[i].error.empty();
    if (records[i].failed) records[i].extra["error"] = predictions[i].error;
  }
  result.metrics = scorer.aggregate(records, variant);
  result.official = scorer.variant_info(variant);
  result.notes = scorer.notes(variant);
  if (result.missing)
    result.notes.push_back(fmt::format("{} samples had no prediction and {} (first: {})", result.missing,
                                       result.official.scores_answered_only
                                           ? "are not counted: the official script scores the answers present"
                                           : "count as wrong",
                                       join(missing_ids, ", ")));
  if (result.failed) result.notes.push_back(fmt::format("{} samples failed in the backend and count as wrong", result.failed));
  if (out_dir.empty()) return result;  // `infeval score` without --output: print only
  fs::create_directories(out_dir + "/samples");
  result.samples_file = "samples/" + task.name + ".jsonl";
  write_sample_records(out_dir + "/" + result.samples_file, records);
  // A submission file must cover every question id (unless --allow-missing). For a task scored only by a server
  // that is an error; where local metrics exist (SEED, MMBench) they are kept and the file is skipped with a note.
  try {
    scorer.write_outputs(task, samples, records, out_dir, output_options);
  } catch (const InputError& e) {
    if (task.options.value("submission_only", false)) throw;
    std::fprintf(stderr, "warning: %s: submission file not written: %s\n", task.name.c_str(), e.what());
    result.notes.push_back(std::string("submission file not written: ") + e.what());
  }
  return result;
}

}  // namespace infeval

// infeval score: score an existing predictions file (any supported format) with a task's official metric.
#include <cstdio>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/error.h"
#include "core/task_config.h"
#include "harness/prediction_formats.h"
#include "harness/results.h"
#include "harness/scoring.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

static const char* kScoreHelp =
    "usage: infeval score --task TASK --predictions PATH --output DIR [--variant NAME] [--data-root DIR]\n"
    "                     [--file KEY=PATH]... [--predictions-format FORMAT] [--allow-missing]\n"
    "\n"
    "Scores predictions with the task's official metric and writes DIR/results.json (tasks.TASK.metrics.NAME\n"
    "and the variant used) and DIR/samples/TASK.jsonl, then prints the table.\n"
    "Formats (detected from the content; --predictions-format forces one): harness (infeval predictions JSONL\n"
    "or a run directory, shards combined), llava (question_id/text JSONL), vqa-results ([{question_id, answer}]),\n"
    "grounding ({box_id, answer}), coco-captions ([{image_id, caption}]), mme-dir (MME eval-tool results dir).\n";

int run_score_command(const std::vector<std::string>& args) {
  CliArgs cli("score", args,
              {"--task", "--predictions", "--output", "--variant", "--data-root", "--file", "--predictions-format",
               "--config-dir"},
              {"--allow-missing"});
  if (cli.help()) {
    std::printf("%s", kScoreHelp);
    return 0;
  }
  const std::string config_dir = cli.value_or("--config-dir", default_config_dir());
  const TaskConfig task = load_task(config_dir, cli.required("--task"));
  const std::string predictions_path = cli.required("--predictions");
  const std::string out_dir = cli.required("--output");
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& f : cli.values("--file")) overrides.push_back(split_key_value(f, "--file"));
  const ResolvedFiles files = resolve_task_files(task, cli.value_or("--data-root", "."), overrides);
  const Scorer& scorer = find_scorer(task.scorer);
  const std::string variant = choose_variant(task, scorer, cli.value_or("--variant", ""));
  const std::vector<Sample> samples = find_adapter(task.adapter).load(task, files);
  if (!fs::exists(predictions_path)) throw InputError(fmt::format("--predictions {}: no such file or directory", predictions_path));
  const std::string format = cli.value_or("--predictions-format", detect_prediction_format(predictions_path));
  const auto foreign = read_predictions(predictions_path, format, task.name, samples);
  std::vector<Prediction> predictions = scorer.align(samples, foreign, variant);
  // Backend failures recorded in harness predictions stay failures.
  std::map<std::string, std::string> errors;
  for (const auto& p : foreign)
    if (p.raw.is_object() && p.raw.contains("error") && p.raw["error"].is_string() && !p.raw["error"].get<std::string>().empty())
      errors[p.id] = p.raw["error"].get<std::string>();
  for (size_t i = 0; i < samples.size(); ++i) {
    auto it = errors.find(samples[i].id);
    if (it != errors.end()) predictions[i].error = it->second;
  }
  const json output_options = {{"allow_missing", cli.has("--allow-missing")}};
  const TaskResult result = score_task(task, samples, predictions, variant, out_dir, output_options);

  BackendInfo info;
  info.name = "score";
  info.model_name = fs::path(predictions_path).filename().string();
  info.model_digest = predictions_digest(predictions_path);
  info.precision = "n/a";
  info.device = "n/a";
  info.extra = {{"predictions", predictions_path}, {"format", format}};
  std::vector<std::string> command_line = {"infeval", "score"};
  command_line.insert(command_line.end(), args.begin(), args.end());
  const json run = {{"command_line", command_line}, {"git_commit", INFEVAL_GIT_COMMIT},
                    {"build_type", INFEVAL_BUILD_TYPE}, {"start_time", utc_now_iso8601()},
                    {"end_time", utc_now_iso8601()}};
  const std::string path = write_results(out_dir, run, info, json::object(), {result});

  std::printf("| %s (%s) | value |\n|---|---:|\n", task.name.c_str(), variant.c_str());
  for (const auto& [name, value] : result.metrics) std::printf("| %s | %.4f |\n", name.c_str(), value);
  std::printf("\nsamples: %zu total, %zu scored, %zu missing, %zu failed\n", result.total, result.scored,
              result.missing, result.failed);
  for (const auto& note : result.notes) std::printf("note: %s\n", note.c_str());
  std::fprintf(stderr, "results: %s\n", path.c_str());
  return 0;
}

}  // namespace infeval

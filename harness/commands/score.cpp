// infeval score: score existing predictions (any supported format) with each task's official metric.
#include <cstdio>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/task_config.h"
#include "core/text_util.h"
#include "datasets/registry.h"
#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "harness/prediction_formats.h"
#include "harness/results.h"
#include "harness/scoring.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

static const char* kScoreHelp =
    "usage: infeval score --predictions PATH [--task TASK | --tasks LIST] [--output DIR] [--variant [TASK=]NAME]...\n"
    "                     [--data-root DIR] [--file [TASK:]KEY=PATH]... [--predictions-format FORMAT]\n"
    "                     [--allow-missing]\n"
    "\n"
    "Scores predictions with each task's official metric and prints, per task, every metric at full precision\n"
    "beside the value as the variant's official script prints it. With --output DIR it also writes\n"
    "DIR/results.json (tasks.TASK.metrics.NAME, the variant, its official script, the counts of absent and\n"
    "ignored answers) and DIR/samples/TASK.jsonl.\n"
    "\n"
    "  --task/--tasks        the tasks (names, globs, 'all'); without them PATH must be an infeval run directory,\n"
    "                        and every task with predictions there is scored (to rescore it, e.g. with another\n"
    "                        variant)\n"
    "  --variant [TASK=]NAME the scoring variant, for one task or all (default: the task's own); repeatable\n"
    "  --data-root DIR       root of the tasks' files (default: the run directory's, else .)\n"
    "  --file [TASK:]KEY=PATH  one of a task's files; repeatable. Only the files the variant's official script\n"
    "                        reads are required (`infeval list tasks`); a configured file that does not exist is\n"
    "                        left out (given, it enriches the per-sample records)\n"
    "\n"
    "Formats (detected from the content; --predictions-format forces one): harness (infeval predictions JSONL\n"
    "or a run directory, shards combined), llava (question_id/text JSONL), vqa-results ([{question_id, answer}]),\n"
    "grounding ({box_id, answer}), coco-captions ([{image_id, caption}]), gqa-predictions (GQA eval.py's\n"
    "[{questionId, prediction}]), seed-upload (SEED-Bench upload JSONL {question_id, prediction}), mmbench-tsv\n"
    "(a .tsv with index and prediction columns: MMBench's upload table), mme-dir (the MME eval-tool results\n"
    "folder, which holds its ground truth: no question file needed).\n";

namespace {

// The run directory `path` names (itself, or the parent of its predictions/ folder), or "" when it is none.
std::string run_directory_of(const std::string& path) {
  if (!fs::is_directory(path)) return "";
  if (fs::is_directory(path + "/predictions")) return path;
  if (fs::path(path).filename() == "predictions") return fs::path(path).parent_path().string();
  return "";
}

// The tasks a run directory has predictions for ("<task>.jsonl", "<task>.shard-I-of-N.jsonl"), sorted.
std::vector<std::string> tasks_with_predictions(const std::string& run_dir, const std::string& config_dir) {
  std::vector<std::string> tasks;
  const std::vector<std::string> known = task_names(config_dir);
  for (const auto& entry : fs::directory_iterator(run_dir + "/predictions")) {
    std::string name = entry.path().filename().string();
    if (!ends_with(name, ".jsonl")) continue;
    name = name.substr(0, name.size() - 6);
    const size_t shard = name.find(".shard-");
    if (shard != std::string::npos) name = name.substr(0, shard);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::fprintf(stderr, "warning: %s/predictions holds answers of %s, which has no task config; skipped\n",
                   run_dir.c_str(), name.c_str());
      continue;
    }
    if (std::find(tasks.begin(), tasks.end(), name) == tasks.end()) tasks.push_back(name);
  }
  std::sort(tasks.begin(), tasks.end());
  return tasks;
}

bool overridden(const std::vector<std::pair<std::string, std::string>>& overrides, const std::string& task,
                const std::string& key) {
  for (const auto& [scoped, path] : overrides)
    if (scoped == key || scoped == task + ":" + key) return true;
  return false;
}

struct ScoreInputs {
  std::string config_dir, data_root, predictions, format, variants, out_dir;
  std::vector<std::pair<std::string, std::string>> overrides;
  json output_options;
};

TaskResult score_one_task(const std::string& name, const ScoreInputs& in) {
  const TaskConfig task = load_task(in.config_dir, name);
  const Scorer& scorer = find_scorer(task.scorer);
  const std::string variant = choose_variant(task, scorer, variant_for_task(in.variants, name));
  const VariantInfo official = scorer.variant_info(variant);
  ResolvedFiles files = resolve_task_files(task, in.data_root, in.overrides);
  // The official script's inputs must be there; another configured file may be absent (it only enriches).
  std::vector<std::string> left_out;
  for (auto it = files.begin(); it != files.end();) {
    const auto& [key, path] = *it;
    if (fs::exists(path)) {
      ++it;
      continue;
    }
    if (overridden(in.overrides, name, key))
      throw InputError(fmt::format("task {}: --file {}={}: no such file or directory", name, key, path));
    const bool read = std::find(official.reads.begin(), official.reads.end(), key) != official.reads.end();
    if (read)
      throw InputError(fmt::format("task {}: file '{}' ({}) does not exist; the {} variant's official script ({}) "
                                   "reads it (hint: --data-root DIR or --file {}:{}=PATH)",
                                   name, key, path, variant, official.script, name, key));
    left_out.push_back(fmt::format("{} ({})", key, path));
    it = files.erase(it);
  }
  files["predictions"] = in.predictions;
  const std::vector<Sample> samples = find_adapter(task.adapter).load(task, files);
  const auto foreign = read_predictions(in.predictions, in.format, task.name, samples);
  std::vector<Prediction> predictions = scorer.align(samples, foreign, variant);
  // Backend failures recorded in harness predictions stay failures.
  std::map<std::string, std::string> errors;
  for (const auto& p : foreign)
    if (p.raw.is_object() && p.raw.contains("error") && p.raw["error"].is_string() &&
        !p.raw["error"].get<std::string>().empty())
      errors[p.id] = p.raw["error"].get<std::string>();
  size_t present = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    auto it = errors.find(samples[i].id);
    if (it != errors.end()) predictions[i].error = it->second;
    if (predictions[i].present) ++present;
  }
  TaskResult result = score_task(task, samples, predictions, variant, in.out_dir, in.output_options);
  result.ignored = foreign.size() > present ? foreign.size() - present : 0;
  if (result.ignored)
    result.notes.push_back(fmt::format("{} answers match no question of the task and were ignored, as {} does",
                                       result.ignored, official.script.empty() ? "the scorer" : official.script));
  if (!left_out.empty())
    result.notes.push_back(fmt::format("not found, and not read by the official script, so left out: {}",
                                       join(left_out, ", ")));
  return result;
}

// The value as the official script prints it: "{:.Nf}" (printf rounds the exact binary value as Python's format
// does), or the value itself.
std::string as_printed(double value, const VariantInfo& official) {
  if (official.printed_decimals < 0) return fmt::format("{}", value);
  return fmt::format("{:.{}f}", value, official.printed_decimals);
}

void print_task(const TaskResult& result) {
  const VariantInfo& official = result.official;
  std::printf("| %s (%s) | value | as printed |\n|---|---:|---:|\n", result.task.c_str(), result.variant.c_str());
  for (const auto& [name, value] : result.metrics)
    std::printf("| %s | %s | %s |\n", name.c_str(), fmt::format("{}", value).c_str(),
                as_printed(value, official).c_str());
  if (!official.script.empty())
    std::printf("\nofficial script: %s (%s@%s, Python %s), which prints %s\n", official.script.c_str(),
                official.repository.c_str(), official.commit.c_str(), official.python.c_str(),
                official.printed_decimals < 0 ? "the values as they are"
                                              : fmt::format("'{{:.{}f}}'", official.printed_decimals).c_str());
  std::printf("samples: %zu total, %zu scored, %zu missing (%s), %zu failed, %zu answers ignored\n", result.total,
              result.scored, result.missing, official.scores_answered_only ? "not counted" : "counted as wrong",
              result.failed, result.ignored);
  for (const auto& note : result.notes) std::printf("note: %s\n", note.c_str());
  std::printf("\n");
}

}  // namespace

int run_score_command(const std::vector<std::string>& args) {
  CliArgs cli("score", args,
              {"--task", "--tasks", "--predictions", "--output", "--variant", "--data-root", "--file",
               "--predictions-format", "--config-dir"},
              {"--allow-missing"});
  if (cli.help()) {
    std::printf("%s", kScoreHelp);
    return 0;
  }
  ScoreInputs in;
  in.config_dir = cli.value_or("--config-dir", default_config_dir());
  in.predictions = cli.required("--predictions");
  if (!fs::exists(in.predictions))
    throw InputError(fmt::format("--predictions {}: no such file or directory", in.predictions));
  const std::string run_dir = run_directory_of(in.predictions);
  std::vector<std::string> requested = cli.values("--task");
  for (const auto& t : cli.values("--tasks")) requested.push_back(t);
  std::vector<std::string> tasks;
  if (!requested.empty()) {
    tasks = expand_task_list(in.config_dir, requested);
  } else if (!run_dir.empty()) {
    tasks = tasks_with_predictions(run_dir, in.config_dir);
    if (tasks.empty()) throw InputError(fmt::format("{}: no predictions of a known task", in.predictions));
  } else {
    throw InputError("infeval score: --task or --tasks is required unless --predictions is an infeval run "
                     "directory (see `infeval score --help`)");
  }
  in.data_root = cli.value_or("--data-root", "");
  if (in.data_root.empty() && !run_dir.empty() && fs::exists(run_dir + "/results.json"))
    in.data_root = read_results(run_dir).value("run", json::object()).value("data_root", "");
  if (in.data_root.empty()) in.data_root = ".";
  in.overrides = parse_file_overrides(cli.values("--file"), tasks);
  in.variants = parse_variant_flags(cli.values("--variant"), tasks);
  in.format = cli.value_or("--predictions-format", detect_prediction_format(in.predictions));
  in.out_dir = cli.value_or("--output", "");
  in.output_options = {{"allow_missing", cli.has("--allow-missing")}};

  std::vector<TaskResult> results;
  for (const auto& name : tasks) results.push_back(score_one_task(name, in));
  for (const auto& result : results) print_task(result);
  if (in.out_dir.empty()) return 0;

  BackendInfo info;
  info.name = "score";
  info.model_name = fs::path(in.predictions).filename().string();
  info.model_digest = predictions_digest(in.predictions);
  info.precision = "n/a";
  info.device = "n/a";
  info.extra = {{"predictions", in.predictions}, {"format", in.format}};
  std::vector<std::string> command_line = {"infeval", "score"};
  command_line.insert(command_line.end(), args.begin(), args.end());
  const json run = {{"command_line", command_line}, {"git_commit", INFEVAL_GIT_COMMIT},
                    {"build_type", INFEVAL_BUILD_TYPE}, {"start_time", utc_now_iso8601()},
                    {"end_time", utc_now_iso8601()}, {"data_root", in.data_root}};
  const std::string path = write_results(in.out_dir, run, info, json::object(), results);
  std::fprintf(stderr, "results: %s\n", path.c_str());
  return 0;
}

}  // namespace infeval

#include "harness/runner.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "harness/core/prompt.h"
#include "harness/core/sha256.h"
#include "harness/core/task_config.h"
#include "harness/predictions_store.h"
#include "harness/progress.h"
#include "harness/results.h"
#include "harness/scoring.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

namespace {

// splitmix64: a fixed generator so a seeded --limit selects the same samples on every platform.
uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Everything the runner prepared for one task.
struct PreparedTask {
  TaskConfig config;
  std::vector<Sample> samples;          // all samples, question-file order
  std::vector<size_t> selected;         // indices this run covers (limit and shard applied)
  std::vector<Request> requests;        // one per selected index
  std::vector<std::string> prompt_hashes;
  std::string variant;
};

std::string request_prompt_hash(const Request& r) {
  return short_hash(r.protocol + '\x1f' + r.prompt + '\x1f' + (r.expand_to_square ? "square" : "plain"));
}

PreparedTask prepare_task(const std::string& name, const RunOptions& options, const std::string& protocol,
                          const std::optional<LimitSpec>& limit, const ShardSpec& shard) {
  PreparedTask t;
  const std::string config_dir = options.config_dir.empty() ? default_config_dir() : options.config_dir;
  t.config = load_task(config_dir, name);
  const DatasetAdapter& adapter = find_adapter(t.config.adapter);
  const Scorer& scorer = find_scorer(t.config.scorer);
  t.variant = choose_variant(t.config, scorer, options.variant);
  const ProtocolSpec& spec = protocol_spec(t.config, protocol);
  const ResolvedFiles files = resolve_task_files(t.config, options.data_root, options.file_overrides);
  t.samples = adapter.load(t.config, files);
  t.selected = select_sample_indices(t.samples.size(), limit, shard);
  for (size_t index : t.selected) {
    const Sample& s = t.samples[index];
    Request r;
    r.task = t.config.name;
    r.sample_id = s.id;
    r.image_path = s.image_path;
    r.image_bytes = s.image_bytes;
    r.expand_to_square = spec.expand_to_square;
    r.prompt = render_prompt(t.config.name, spec, s);
    r.protocol = protocol;
    r.generation = spec.generation;
    t.prompt_hashes.push_back(request_prompt_hash(r));
    t.requests.push_back(std::move(r));
  }
  return t;
}

PredictionRecord make_record(const Request& r, const std::string& prompt_hash, const std::string& digest) {
  PredictionRecord p;
  p.task = r.task;
  p.sample_id = r.sample_id;
  p.prompt_hash = prompt_hash;
  p.generation_hash = r.generation.hash();
  p.model_digest = digest;
  return p;
}

// Keys of every finished prediction of `task` in the run directory (all shard files: resume does not depend on
// the shard layout), mapped to the record.
std::map<std::string, PredictionRecord> finished_predictions(const std::string& out_dir, const std::string& task) {
  std::map<std::string, PredictionRecord> done;
  for (const auto& file : prediction_files_for_task(out_dir, task))
    for (auto& r : read_prediction_records(file)) done[r.key()] = r;
  return done;
}

json run_json(const RunOptions& options, const std::string& protocol, const std::string& start_time, double seconds,
              size_t generated) {
  return json{{"command_line", options.command_line},
              {"git_commit", INFEVAL_GIT_COMMIT},
              {"build_type", INFEVAL_BUILD_TYPE},
              {"start_time", start_time},
              {"end_time", utc_now_iso8601()},
              {"seconds", seconds},
              {"samples_generated", generated},
              {"samples_per_second", seconds > 0 ? static_cast<double>(generated) / seconds : 0.0},
              {"shard", {{"index", options.shard.index}, {"count", options.shard.count}}},
              {"limit", options.limit ? json{{"count", options.limit->count}, {"seed", options.limit->seed}} : json()},
              {"batch_size", options.batch_size},
              {"protocol", protocol},
              {"data_root", options.data_root}};
}

// Scores every task from the predictions in the run directory that match the current keys.
std::string score_prepared(const std::vector<PreparedTask>& tasks, const std::string& out_dir, const BackendInfo& info,
                           const json& backend_stats, const json& run, const json& output_options) {
  std::vector<TaskResult> results;
  for (const auto& t : tasks) {
    const auto done = finished_predictions(out_dir, t.config.name);
    std::vector<Sample> selected_samples;
    std::vector<Prediction> predictions;
    for (size_t k = 0; k < t.selected.size(); ++k) {
      selected_samples.push_back(t.samples[t.selected[k]]);
      Prediction p;
      auto it = done.find(make_record(t.requests[k], t.prompt_hashes[k], info.model_digest).key());
      if (it != done.end()) {
        p.present = true;
        p.text = it->second.prediction;
        p.error = it->second.error;
      }
      predictions.push_back(p);
    }
    results.push_back(score_task(t.config, selected_samples, predictions, t.variant, out_dir, output_options));
  }
  return write_results(out_dir, run, info, backend_stats, results);
}

std::string manifest_path(const std::string& out_dir, const ShardSpec& shard) {
  return fmt::format("{}/manifests/shard-{}-of-{}.json", out_dir, shard.index, shard.count);
}

// What a shard ran with, so `merge` can rebuild the unsharded selection and the results' provenance.
void write_manifest(const RunOptions& options, const BackendInfo& info, const std::string& protocol,
                    const std::string& start_time) {
  json files = json::array();
  for (const auto& [key, path] : options.file_overrides) files.push_back({key, path});
  json manifest = {{"tasks", options.tasks},
                   {"config_dir", options.config_dir},
                   {"data_root", options.data_root},
                   {"file_overrides", files},
                   {"protocol", protocol},
                   {"variant", options.variant},
                   {"batch_size", options.batch_size},
                   {"shard", {{"index", options.shard.index}, {"count", options.shard.count}}},
                   {"limit", options.limit ? json{{"count", options.limit->count}, {"seed", options.limit->seed}} : json()},
                   {"model", backend_info_to_json(info)},
                   {"command_line", options.command_line},
                   {"start_time", start_time},
                   {"output_options", options.output_options}};
  fs::create_directories(options.out_dir + "/manifests");
  write_text_file_atomic(manifest_path(options.out_dir, options.shard), manifest.dump(2) + "\n");
}

}  // namespace

std::vector<size_t> select_sample_indices(size_t sample_count, const std::optional<LimitSpec>& limit,
                                          const ShardSpec& shard) {
  std::vector<size_t> chosen;
  if (limit && limit->count < sample_count) {
    // Partial Fisher-Yates with splitmix64, then back to question-file order.
    std::vector<size_t> all(sample_count);
    for (size_t i = 0; i < sample_count; ++i) all[i] = i;
    uint64_t state = limit->seed;
    for (size_t i = 0; i < limit->count; ++i) {
      const size_t j = i + static_cast<size_t>(splitmix64(&state) % (sample_count - i));
      std::swap(all[i], all[j]);
    }
    chosen.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(limit->count));
    std::sort(chosen.begin(), chosen.end());
  } else {
    for (size_t i = 0; i < sample_count; ++i) chosen.push_back(i);
  }
  std::vector<size_t> mine;
  for (size_t k = 0; k < chosen.size(); ++k)
    if (static_cast<int>(k % static_cast<size_t>(shard.count)) == shard.index) mine.push_back(chosen[k]);
  return mine;
}

RunSummary run_evaluation(Backend& backend, const RunOptions& options) {
  if (options.tasks.empty()) throw InputError("no tasks given (--tasks NAME[,NAME...]; see `infeval list tasks`)");
  if (options.out_dir.empty()) throw InputError("no output directory given (--output DIR)");
  if (options.batch_size < 1) throw InputError("--batch-size must be >= 1");
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = utc_now_iso8601();
  const BackendInfo info = backend.info();
  const std::string protocol = !options.protocol.empty() ? options.protocol
                               : !info.protocol.empty() ? info.protocol
                                                        : "multitask";
  // Load and validate every task before generating anything: a typo in the last task should not cost a long run.
  std::vector<PreparedTask> tasks;
  for (const auto& name : options.tasks) tasks.push_back(prepare_task(name, options, protocol, options.limit, options.shard));

  write_manifest(options, info, protocol, start_time);

  RunSummary summary;
  size_t generated_total = 0;
  for (auto& t : tasks) {
    TaskRunSummary ts;
    ts.task = t.config.name;
    ts.total = t.requests.size();
    const auto done = finished_predictions(options.out_dir, t.config.name);
    std::vector<size_t> pending;  // positions in t.requests
    for (size_t k = 0; k < t.requests.size(); ++k) {
      const auto key = make_record(t.requests[k], t.prompt_hashes[k], info.model_digest).key();
      if (done.count(key)) ++ts.resumed;
      else pending.push_back(k);
    }
    PredictionWriter writer(options.out_dir + "/predictions/" +
                            predictions_file_name(t.config.name, options.shard.index, options.shard.count));
    Progress progress(t.config.name, ts.total, options.show_progress);
    progress.advance(ts.resumed);
    for (size_t begin = 0; begin < pending.size(); begin += static_cast<size_t>(options.batch_size)) {
      const size_t end = std::min(pending.size(), begin + static_cast<size_t>(options.batch_size));
      std::vector<PredictionRecord> records(end - begin);
      std::vector<Request> batch;
      std::vector<size_t> batch_slot;  // records index of each request sent to the backend
      for (size_t i = begin; i < end; ++i) {
        const Request& r = t.requests[pending[i]];
        records[i - begin] = make_record(r, t.prompt_hashes[pending[i]], info.model_digest);
        if (!r.image_path.empty() && !fs::exists(r.image_path)) {
          records[i - begin].error = "image not found: " + r.image_path;
          continue;
        }
        batch.push_back(r);
        batch_slot.push_back(i - begin);
      }
      if (!batch.empty()) {
        const std::vector<Response> responses = backend.generate(batch);
        if (responses.size() != batch.size())
          throw RuntimeFailure(fmt::format("backend {} returned {} answers for {} requests", info.name,
                                           responses.size(), batch.size()));
        for (size_t j = 0; j < batch.size(); ++j) {
          records[batch_slot[j]].prediction = responses[j].text;
          records[batch_slot[j]].error = responses[j].error;
        }
      }
      for (const auto& r : records)
        if (!r.error.empty()) ++ts.failed;
      writer.append_batch(records);
      ts.generated += records.size();
      progress.advance(records.size());
    }
    progress.finish();
    generated_total += ts.generated;
    summary.tasks.push_back(ts);
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.seconds = seconds;
  if (!options.score || options.shard.count > 1) return summary;
  json run = run_json(options, protocol, start_time, seconds, generated_total);
  summary.results_path = score_prepared(tasks, options.out_dir, info, backend.stats(), run, options.output_options);
  return summary;
}

RunSummary merge_shards(const std::string& out_dir, const std::string& data_root) {
  const std::string dir = out_dir + "/manifests";
  if (!fs::is_directory(dir))
    throw InputError(fmt::format("{}: no manifests/ folder (not an infeval run directory?)", out_dir));
  std::vector<json> manifests;
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) manifests.push_back(read_json_file(p));
  if (manifests.empty()) throw InputError(fmt::format("{}: no shard manifests", dir));
  const json& first = manifests[0];
  const int count = first["shard"]["count"].get<int>();
  std::set<int> seen;
  for (size_t i = 0; i < manifests.size(); ++i) {
    const json& m = manifests[i];
    if (m["shard"]["count"].get<int>() != count) continue;  // a run of another shard layout: its predictions still count
    for (const char* key : {"tasks", "protocol", "limit", "variant"})
      if (m[key] != first[key])
        throw InputError(fmt::format("{}: '{}' differs from {} ({} vs {})", paths[i], key, paths[0], m[key].dump(),
                                     first[key].dump()));
    if (m["model"]["model_digest"] != first["model"]["model_digest"])
      throw InputError(fmt::format("{}: shards were run with different models", paths[i]));
    seen.insert(m["shard"]["index"].get<int>());
  }
  for (int i = 0; i < count; ++i)
    if (!seen.count(i))
      throw InputError(fmt::format("{}: shard {} of {} has no manifest (did it run? rerun it with --shard {}/{})", dir, i,
                                   count, i, count));
  RunOptions options;
  options.tasks = first["tasks"].get<std::vector<std::string>>();
  options.config_dir = first.value("config_dir", "");
  options.data_root = data_root.empty() ? first.value("data_root", "") : data_root;
  for (const auto& pair : first["file_overrides"]) options.file_overrides.emplace_back(pair[0], pair[1]);
  options.variant = first.value("variant", "");
  options.batch_size = first.value("batch_size", 8);
  options.out_dir = out_dir;
  options.output_options = first.value("output_options", json::object());
  if (!first["limit"].is_null()) options.limit = LimitSpec{first["limit"]["count"].get<size_t>(), first["limit"]["seed"].get<uint64_t>()};
  const std::string protocol = first["protocol"].get<std::string>();
  BackendInfo info;
  const json& model = first["model"];
  info.name = model.value("backend", "");
  info.model_name = model.value("model_name", "");
  info.model_digest = model.value("model_digest", "");
  info.precision = model.value("precision", "");
  info.device = model.value("device", "");
  info.protocol = model.value("protocol", "");
  info.extra = model.value("extra", json::object());
  std::vector<PreparedTask> tasks;
  for (const auto& name : options.tasks) tasks.push_back(prepare_task(name, options, protocol, options.limit, ShardSpec{}));
  for (const auto& m : manifests) options.command_line.push_back(m["command_line"].dump());
  json run = run_json(options, protocol, first.value("start_time", ""), 0.0, 0);
  run["merged_shards"] = count;
  RunSummary summary;
  summary.results_path = score_prepared(tasks, out_dir, info, json::object(), run, options.output_options);
  return summary;
}

}  // namespace infeval

#include "harness/runner.h"

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/prompt.h"
#include "core/random.h"
#include "core/sha256.h"
#include "core/task_config.h"
#include "harness/cli_args.h"
#include "harness/predictions_store.h"
#include "harness/progress.h"
#include "harness/results.h"
#include "harness/scoring.h"
#include "harness/task_registry.h"

namespace fs = std::filesystem;

namespace infeval {

namespace {

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
  t.variant = choose_variant(t.config, scorer, variant_for_task(options.variant, name));
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
    r.prompt = s.askable ? render_prompt(t.config.name, spec, s) : "";  // never sent (see run_evaluation)
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

// Peak resident memory of this process so far (Linux reports ru_maxrss in KiB).
int64_t peak_host_memory_bytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

// Wall-clock seconds of the runner's own stages (the backend reports its model stages in backend_stats).
struct RunnerStageTimes {
  double load_tasks = 0.0;  // adapters: reading questions and annotations, rendering prompts
  double generate = 0.0;    // inside Backend::generate
  double write = 0.0;       // appending and syncing predictions
  double score = 0.0;       // scoring every task (set by score_prepared just before results.json is written)
  json to_json() const {
    return json{{"load_tasks", load_tasks}, {"generate", generate}, {"write_predictions", write}, {"score", score}};
  }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A permutation of 0..n-1 from Backend::schedule(), checked: a bad one would silently drop or repeat samples.
std::vector<size_t> checked_schedule(const Backend& backend, const std::vector<Request>& pending, int batch_size,
                                     const std::string& backend_name) {
  std::vector<size_t> order = backend.schedule(pending, batch_size);
  std::vector<bool> seen(pending.size(), false);
  bool valid = order.size() == pending.size();
  for (size_t i = 0; valid && i < order.size(); ++i) {
    valid = order[i] < pending.size() && !seen[order[i]];
    if (valid) seen[order[i]] = true;
  }
  if (!valid)
    throw RuntimeFailure(fmt::format("backend {}: schedule() did not return a permutation of the {} pending requests",
                                     backend_name, pending.size()));
  return order;
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
              {"schedule", options.schedule},
              {"protocol", protocol},
              {"data_root", options.data_root},
              {"peak_host_memory_bytes", peak_host_memory_bytes()}};
}

// Scores every task from the predictions in the run directory that match the current keys.
std::string score_prepared(const std::vector<PreparedTask>& tasks, const std::string& out_dir, const BackendInfo& info,
                           const json& backend_stats, json run, const json& output_options) {
  const auto start = std::chrono::steady_clock::now();
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
  if (run.contains("stage_seconds")) run["stage_seconds"]["score"] = seconds_since(start);
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
    // Partial Fisher-Yates with SplitMix64 (the same subset on every platform), then back to question-file order.
    std::vector<size_t> all(sample_count);
    for (size_t i = 0; i < sample_count; ++i) all[i] = i;
    SplitMix64 rng(limit->seed);
    for (size_t i = 0; i < limit->count; ++i) {
      const size_t j = i + static_cast<size_t>(rng.next() % (sample_count - i));
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
  if (options.schedule != "backend" && options.schedule != "file-order")
    throw InputError("--schedule must be 'backend' or 'file-order' (got '" + options.schedule + "')");
  const auto start = std::chrono::steady_clock::now();
  RunnerStageTimes stage_times;
  const std::string start_time = utc_now_iso8601();
  const BackendInfo info = backend.info();
  const std::string protocol = !options.protocol.empty() ? options.protocol
                               : !info.protocol.empty() ? info.protocol
                                                        : "multitask";
  // Load and validate every task before generating anything: a typo in the last task should not cost a long run.
  std::vector<PreparedTask> tasks;
  for (const auto& name : options.tasks) tasks.push_back(prepare_task(name, options, protocol, options.limit, options.shard));
  stage_times.load_tasks = seconds_since(start);

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
      // A sample the official scorer counts but no question file asks (Sample::askable) is not generated: it
      // scores as a missing answer.
      if (!t.samples[t.selected[k]].askable) continue;
      const auto key = make_record(t.requests[k], t.prompt_hashes[k], info.model_digest).key();
      if (done.count(key)) ++ts.resumed;
      else pending.push_back(k);
    }
    if (options.schedule == "backend") {
      std::vector<Request> pending_requests;
      for (size_t k : pending) pending_requests.push_back(t.requests[k]);
      const std::vector<size_t> order = checked_schedule(backend, pending_requests, options.batch_size, info.name);
      std::vector<size_t> scheduled;
      for (size_t i : order) scheduled.push_back(pending[i]);
      pending.swap(scheduled);
    }
    PredictionWriter writer(options.out_dir + "/predictions/" +
                            predictions_file_name(t.config.name, options.shard.index, options.shard.count));
    Progress progress(t.config.name, ts.total, options.show_progress);
    progress.advance(ts.resumed);
    const size_t batch_size = static_cast<size_t>(options.batch_size);
    // The requests of pending[begin, end) that go to the backend (a missing image is recorded without it).
    auto backend_requests = [&](size_t begin, size_t end, std::vector<size_t>* slots) {
      std::vector<Request> batch;
      for (size_t i = begin; i < end; ++i) {
        const Request& r = t.requests[pending[i]];
        if (!r.image_path.empty() && !fs::exists(r.image_path)) continue;
        batch.push_back(r);
        if (slots) slots->push_back(i - begin);
      }
      return batch;
    };
    for (size_t begin = 0; begin < pending.size(); begin += batch_size) {
      const size_t end = std::min(pending.size(), begin + batch_size);
      std::vector<PredictionRecord> records(end - begin);
      for (size_t i = begin; i < end; ++i) {
        const Request& r = t.requests[pending[i]];
        records[i - begin] = make_record(r, t.prompt_hashes[pending[i]], info.model_digest);
        if (!r.image_path.empty() && !fs::exists(r.image_path)) records[i - begin].error = "image not found: " + r.image_path;
      }
      std::vector<size_t> batch_slot;  // records index of each request sent to the backend
      const std::vector<Request> batch = backend_requests(begin, end, &batch_slot);
      if (end < pending.size()) backend.prefetch(backend_requests(end, std::min(pending.size(), end + batch_size), nullptr));
      if (!batch.empty()) {
        const auto generate_start = std::chrono::steady_clock::now();
        const std::vector<Response> responses = backend.generate(batch);
        stage_times.generate += seconds_since(generate_start);
        if (responses.size() != batch.size())
          throw RuntimeFailure(fmt::format("backend {} returned {} answers for {} requests", info.name,
                                           responses.size(), batch.size()));
        for (size_t j = 0; j < batch.size(); ++j) {
          records[batch_slot[j]].prediction = responses[j].text;
          records[batch_slot[j]].error = responses[j].error;
          records[batch_slot[j]].diagnostics = responses[j].diagnostics;
        }
      }
      for (const auto& r : records)
        if (!r.error.empty()) ++ts.failed;
      const auto write_start = std::chrono::steady_clock::now();
      writer.append_batch(records);
      stage_times.write += seconds_since(write_start);
      ts.generated += records.size();
      progress.advance(records.size());
    }
    progress.finish();
    generated_total += ts.generated;
    summary.tasks.push_back(ts);
  }

  const double seconds = seconds_since(start);
  summary.seconds = seconds;
  if (!options.score || options.shard.count > 1) return summary;
  json run = run_json(options, protocol, start_time, seconds, generated_total);
  run["stage_seconds"] = stage_times.to_json();
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

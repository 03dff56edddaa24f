// The predictions file of a task: <out>/predictions/<task>.jsonl (or <task>.shard-I-of-N.jsonl), one line per
// finished sample, appended and flushed per batch so a killed run loses at most the batch in flight:
//   {"task": "vqav2_val", "sample_id": "262148000", "prompt_hash": "...", "generation_hash": "...",
//    "model_digest": "...", "prediction": "yes", "error": "", "diagnostics": {...}}
// ("error" only when the sample failed; "diagnostics" only when the backend gave some: see Response::diagnostics.)
// A record is reused on resume only if every key field matches the current run (task, sample id, prompt hash,
// generation-settings hash, model digest).
#pragma once
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace infeval {

struct PredictionRecord {
  std::string task;
  std::string sample_id;
  std::string prompt_hash;
  std::string generation_hash;
  std::string model_digest;
  std::string prediction;
  std::string error;
  nlohmann::json diagnostics;  // null unless the backend reported some; not part of the key
  std::string key() const;  // all key fields joined
};

std::string predictions_file_name(const std::string& task, int shard_index, int shard_count);

// Reads a predictions file. A malformed LAST line without a trailing newline (a write cut by SIGKILL) is dropped
// with a warning on stderr; any other malformed line is an InputError naming file and line.
std::vector<PredictionRecord> read_prediction_records(const std::string& path);

// Every predictions file of `task` in <out>/predictions (unsharded and all shards).
std::vector<std::string> prediction_files_for_task(const std::string& out_dir, const std::string& task);

// Appends records; each append_batch() writes whole lines, flushes and fsyncs.
class PredictionWriter {
 public:
  explicit PredictionWriter(const std::string& path);
  ~PredictionWriter();
  PredictionWriter(const PredictionWriter&) = delete;
  PredictionWriter& operator=(const PredictionWriter&) = delete;
  void append_batch(const std::vector<PredictionRecord>& records);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace infeval

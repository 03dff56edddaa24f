#include "harness/predictions_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"

namespace fs = std::filesystem;

namespace infeval {

std::string PredictionRecord::key() const {
  return task + '\x1f' + sample_id + '\x1f' + prompt_hash + '\x1f' + generation_hash + '\x1f' + model_digest;
}

std::string predictions_file_name(const std::string& task, int shard_index, int shard_count) {
  if (shard_count <= 1) return task + ".jsonl";
  return fmt::format("{}.shard-{}-of-{}.jsonl", task, shard_index, shard_count);
}

std::vector<PredictionRecord> read_prediction_records(const std::string& path) {
  const std::string text = read_text_file(path);
  std::vector<PredictionRecord> out;
  size_t begin = 0;
  int line_number = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    const bool last_without_newline = end == std::string::npos;
    if (last_without_newline) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    ++line_number;
    begin = end + 1;
    if (trim(line).empty()) continue;
    json j;
    try {
      j = parse_json_line(line, fmt::format("{}:{}", path, line_number));
    } catch (const InputError&) {
      if (last_without_newline && !json::accept(line)) {  // a truncated write; a complete bad line still fails
        std::fprintf(stderr, "warning: %s:%d: ignoring a partial last line (an interrupted write)\n", path.c_str(),
                     line_number);
        break;
      }
      throw;
    }
    const std::string where = fmt::format("{}:{}", path, line_number);
    PredictionRecord r;
    try {
      r.task = require_string(j, "task", where);
      r.sample_id = require_id(j, "sample_id", where);
      r.prompt_hash = j.value("prompt_hash", "");
      r.generation_hash = j.value("generation_hash", "");
      r.model_digest = j.value("model_digest", "");
      r.prediction = require_string(j, "prediction", where);
      r.error = j.value("error", "");
      if (j.contains("diagnostics")) r.diagnostics = j["diagnostics"];
    } catch (const json::exception& e) {
      throw InputError(fmt::format("{}: {}", where, e.what()));  // e.g. "prompt_hash": 3 (type_error.302)
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> prediction_files_for_task(const std::string& out_dir, const std::string& task) {
  std::vector<std::string> files;
  const std::string dir = out_dir + "/predictions";
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == task + ".jsonl" || (starts_with(name, task + ".shard-") && ends_with(name, ".jsonl")))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

PredictionWriter::PredictionWriter(const std::string& path) : path_(path) {
  fs::create_directories(fs::path(path).parent_path());
  // A record cut mid-line by a kill is incomplete: drop it so the file stays valid JSON Lines.
  if (fs::exists(path)) {
    const std::string text = read_text_file(path);
    if (!text.empty() && text.back() != '\n') {
      const size_t last_newline = text.rfind('\n');
      const size_t keep = last_newline == std::string::npos ? 0 : last_newline + 1;
      std::fprintf(stderr, "warning: %s: dropping a partial last record (an interrupted write)\n", path.c_str());
      fs::resize_file(path, keep);
    }
  }
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_) throw RuntimeFailure(fmt::format("{}: cannot open predictions file for appending", path));
}

PredictionWriter::~PredictionWriter() {
  if (file_) std::fclose(file_);
}

void PredictionWriter::append_batch(const std::vector<PredictionRecord>& records) {
  std::string chunk;
  for (const auto& r : records) {
    json j = {{"task", r.task},
              {"sample_id", r.sample_id},
              {"prompt_hash", r.prompt_hash},
              {"generation_hash", r.generation_hash},
              {"model_digest", r.model_digest},
              {"prediction", r.prediction}};
    if (!r.error.empty()) j["error"] = r.error;
    if (!r.diagnostics.is_null()) j["diagnostics"] = r.diagnostics;
    chunk += j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size() || std::fflush(file_) != 0)
    throw RuntimeFailure(fmt::format("{}: write failed (disk full?)", path_));
  fsync(fileno(file_));
}

}  // namespace infeval

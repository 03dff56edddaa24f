#include "harness/prediction_formats.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/sha256.h"
#include "core/text_util.h"
#include "datasets/mme.h"
#include "datasets/tsv_table.h"
#include "harness/predictions_store.h"

namespace fs = std::filesystem;

namespace infeval {

std::vector<std::string> prediction_format_names() {
  return {"harness",         "llava",       "vqa-results", "grounding", "coco-captions",
          "gqa-predictions", "seed-upload", "mmbench-tsv", "mme-dir"};
}

static std::string format_of_record(const json& r) {
  if (!r.is_object()) return "";
  if (r.contains("sample_id") && r.contains("prediction")) return "harness";
  if (r.contains("box_id") && r.contains("answer")) return "grounding";
  if (r.contains("image_id") && r.contains("caption")) return "coco-captions";
  if (r.contains("questionId") && r.contains("prediction")) return "gqa-predictions";
  if (r.contains("question_id") && r.contains("prediction")) return "seed-upload";
  if (r.contains("question_id") && r.contains("text")) return "llava";
  if (r.contains("question_id") && r.contains("answer")) return "vqa-results";
  return "";
}

std::string detect_prediction_format(const std::string& path) {
  if (fs::is_directory(path)) {
    bool has_jsonl = false, has_txt = false;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".jsonl") has_jsonl = true;
      if (entry.path().extension() == ".txt") has_txt = true;
    }
    if (fs::is_directory(path + "/predictions") || has_jsonl) return "harness";
    if (has_txt) return "mme-dir";
    throw InputError(fmt::format("{}: directory holds neither predictions JSONL files nor MME <subtask>.txt files", path));
  }
  if (ends_with(path, ".tsv")) return "mmbench-tsv";
  const JsonRecords records = read_json_records(path);
  if (records.records.empty()) throw InputError(fmt::format("{}: no predictions in the file", path));
  const std::string format = format_of_record(records.records[0]);
  if (format.empty())
    throw InputError(fmt::format("{}: cannot tell the predictions format from its first record (keys: {}); "
                                 "hint: pass --predictions-format ({})",
                                 path, records.records[0].is_object() ? records.records[0].dump().substr(0, 120) : "not an object",
                                 join(prediction_format_names(), ", ")));
  return format;
}

static std::vector<ForeignPrediction> read_harness(const std::string& path, const std::string& task) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    const std::string run_dir = fs::is_directory(path + "/predictions") ? path : fs::path(path).parent_path().string();
    files = prediction_files_for_task(run_dir, task);
    if (files.empty()) throw InputError(fmt::format("{}: no predictions file for task {}", path, task));
  } else {
    files = {path};
  }
  std::map<std::string, size_t> position;  // sample id -> index in out
  std::map<std::string, std::string> key_of;
  std::vector<ForeignPrediction> out;
  size_t superseded = 0;
  for (const auto& file : files) {
    int index = 0;
    for (const auto& r : read_prediction_records(file)) {
      ++index;
      if (r.task != task) continue;
      ForeignPrediction p;
      p.id = r.sample_id;
      p.text = r.prediction;
      p.raw = json{{"error", r.error}};
      p.where = fmt::format("{}: record {}", file, index);
      auto it = position.find(p.id);
      if (it == position.end()) {
        position[p.id] = out.size();
        key_of[p.id] = r.key();
        out.push_back(p);
      } else {
        if (key_of[p.id] != r.key()) ++superseded;
        out[it->second] = p;
      }
    }
  }
  if (superseded)
    std::fprintf(stderr, "warning: %zu samples of %s have predictions under different keys (model, prompt or settings); "
                 "the last one of each is used\n", superseded, task.c_str());
  return out;
}

// A table with "index" and "prediction" columns (MMBench's upload table): one prediction per row.
static std::vector<ForeignPrediction> read_prediction_table(const std::string& path) {
  const TsvTable table = read_tsv(path);
  const size_t index = table.column("index", path), prediction = table.column("prediction", path);
  std::vector<ForeignPrediction> out;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const auto& row = table.rows[i];
    ForeignPrediction p;
    p.where = fmt::format("{}:{}", path, table.lines[i]);
    if (row.size() <= std::max(index, prediction))
      throw InputError(fmt::format("{}: {} fields, the header has {}", p.where, row.size(), table.header.size()));
    p.id = row[index];
    p.text = row[prediction];
    p.raw = json{{"index", row[index]}, {"prediction", row[prediction]}};
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<ForeignPrediction> read_predictions(const std::string& path, const std::string& format_in,
                                                const std::string& task, const std::vector<Sample>& samples) {
  const std::string format = format_in.empty() ? detect_prediction_format(path) : format_in;
  const auto names = prediction_format_names();
  if (std::find(names.begin(), names.end(), format) == names.end())
    throw InputError(unknown_name_message("predictions format", format, names, ""));
  if (format == "harness") return read_harness(path, task);
  if (format == "mme-dir") return read_mme_results_dir(path, samples);
  if (format == "mmbench-tsv") return read_prediction_table(path);
  const JsonRecords records = read_json_records(path);
  std::vector<ForeignPrediction> out;
  for (size_t i = 0; i < records.records.size(); ++i) {
    const json& r = records.records[i];
    const std::string where = records.where(i, path);
    ForeignPrediction p;
    p.raw = r;
    p.where = where;
    if (format == "llava") {
      p.id = require_id(r, "question_id", where);
      p.text = require_string(r, "text", where);
    } else if (format == "vqa-results") {
      p.id = require_id(r, "question_id", where);
      p.text = require_string(r, "answer", where);
    } else if (format == "grounding") {
      p.id = require_id(r, "box_id", where);
      p.text = require_string(r, "answer", where);
    } else if (format == "coco-captions") {
      p.id = require_id(r, "image_id", where);
      p.text = require_string(r, "caption", where);
    } else if (format == "gqa-predictions") {
      p.id = require_id(r, "questionId", where);
      p.text = require_string(r, "prediction", where);
    } else if (format == "seed-upload") {
      p.id = require_id(r, "question_id", where);
      p.text = require_string(r, "prediction", where);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string predictions_digest(const std::string& path) {
  if (!fs::is_directory(path)) return sha256_file_hex(path);
  const bool run_directory = fs::is_directory(path + "/predictions");
  const std::string dir = run_directory ? path + "/predictions" : path;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file() && (extension == ".jsonl" || (!run_directory && extension == ".txt")))
      names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  Sha256 digest;
  for (const auto& name : names) {
    // name and content digest, each ended by a newline: no two listings hash alike.
    digest.update(name + "\n" + sha256_file_hex(dir + "/" + name) + "\n");
  }
  return digest.hex_digest();
}

}  // namespace infeval

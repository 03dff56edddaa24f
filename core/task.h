// What a task is: one benchmark split. A TaskConfig (configs/tasks/<name>.json) names a DatasetAdapter (reads the
// official files into Samples) and a Scorer (the official metric, with named variants). The runner knows no
// benchmark by name: it only moves Samples, Requests, Predictions and SampleRecords between these interfaces.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/backend.h"
#include "core/variant_info.h"

namespace infeval {

using json = nlohmann::json;

// Prompt and decoding for one protocol ("multitask" = InfMLLM-7B, "chat" = InfMLLM-7B-Chat).
struct ProtocolSpec {
  std::string prompt_template;   // "{name}" placeholders filled from Sample::vars
  std::map<std::string, std::string> transforms;  // var -> named text transform applied first ("lavis_question")
  bool expand_to_square = false;
  GenerationSettings generation;
};

struct TaskConfig {
  std::string name;
  std::string description;
  int version = 1;
  std::string adapter;                         // DatasetAdapter name in datasets/registry.cpp
  std::map<std::string, std::string> files;    // key -> path relative to --data-root (overridable: --file KEY=PATH)
  std::map<std::string, ProtocolSpec> protocols;
  std::string scorer;                          // Scorer name in datasets/registry.cpp
  std::string default_variant;                 // empty = the scorer's first variant
  std::string missing_policy = "count";        // "count": missing/failed predictions score 0 and are reported;
                                               // "error": any missing prediction fails scoring
  json options = json::object();               // adapter/scorer-specific settings
  std::string config_path;
  std::string config_hash;                     // sha256 of the config file's bytes (first 16 hex digits)
};

// One question of a task, in question-file order.
struct Sample {
  std::string id;            // unique within the task
  std::string image_path;    // resolved path; empty if inline or text-only
  std::string image_bytes;   // inline encoded image (MMBench base64-decoded)
  std::map<std::string, std::string> vars;  // prompt template variables ("question", "sentence", "text", ...)
  json meta = json::object();               // what the scorer needs: references, category, box, ...
  // false: a question the official scorer counts but infeval cannot ask (it is not in the question file that
  // holds the prompts, e.g. a SEED-Bench.json question without a frame in LLaVA's file); `run` skips it and it
  // scores as a missing answer.
  bool askable = true;
};

// Files of a task after applying --data-root and --file overrides: key -> path. `infeval score` leaves out a
// configured file that does not exist unless the variant reads it (VariantInfo::reads), and adds the key
// "predictions": the file or folder being scored (an MME eval-tool folder holds the ground truth itself).
using ResolvedFiles = std::map<std::string, std::string>;

class DatasetAdapter {
 public:
  virtual ~DatasetAdapter() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // Reads the official files. Bad records are InputErrors naming file and line; duplicate ids are errors.
  virtual std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const = 0;
};

// A model answer for one sample, aligned with the task's samples. present=false: no prediction at all.
struct Prediction {
  bool present = false;
  std::string text;
  std::string error;  // non-empty: the backend failed on this sample (counted as failed)
  json source;        // the foreign record it came from (ForeignPrediction::raw), for scorers whose official
                      // script reads more of it (eval_science_qa.py: '<image>' in the answer's prompt)
};

// A prediction as read from a foreign file (LLaVA answers, VQA results list, ...), before alignment.
struct ForeignPrediction {
  std::string id;      // the id field as found (question_id, box_id, image_id, ...)
  std::string text;
  json raw;            // the whole record, for scorers that match by other fields
  std::string where;   // "file:line" for error messages
};

// Per-sample outcome, written to <out>/samples/<task>.jsonl and used by compare/gate/audit.
struct SampleRecord {
  std::string id;
  std::string question;     // for flip lists (from vars "question"/"text"/"sentence")
  std::string prediction;   // raw model text
  std::string parsed;       // what the scorer made of it (normalized answer, parsed letter, box, ...)
  json references;          // ground truth as the scorer used it
  double score = 0.0;       // per-sample score (1/0 for exact metrics, soft for VQA accuracy)
  json extra = json::object();  // whatever aggregate() needs (category, pair id, tp/fp flags, ...)
  bool missing = false;
  bool failed = false;
};

enum MetricKind {
  METRIC_KIND_MEAN_BINARY,  // 100 * mean of 0/1 per-sample scores: McNemar applies
  METRIC_KIND_OTHER,        // soft mean or corpus-level: paired bootstrap over aggregate()
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual std::vector<std::string> variants() const = 0;  // first = default
  // What `variant` reproduces (core/variant_info.h). Default: only the name.
  virtual VariantInfo variant_info(const std::string& variant) const {
    VariantInfo info;
    info.name = variant;
    return info;
  }
  virtual std::vector<std::string> metric_names() const = 0;
  // Scores each sample. predictions[i] belongs to samples[i] (question-file order).
  virtual std::vector<SampleRecord> score_samples(const TaskConfig& task, const std::vector<Sample>& samples,
                                                  const std::vector<Prediction>& predictions,
                                                  const std::string& variant) const = 0;
  // Task metrics from per-sample records (papers' units: percent, MME summed). Must work on any subset or
  // resample of the records (compare's bootstrap calls it), recomputing corpus statistics from them.
  virtual std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                                  const std::string& variant) const = 0;
  virtual MetricKind metric_kind(const std::string& metric) const { (void)metric; return METRIC_KIND_OTHER; }
  // Matches foreign predictions to samples. Default: by id; a duplicate id is an error, an unknown id too unless
  // variant_info(variant).ignores_unknown_ids (then it is skipped: the caller counts what was not aligned).
  virtual std::vector<Prediction> align(const std::vector<Sample>& samples,
                                        const std::vector<ForeignPrediction>& predictions,
                                        const std::string& variant) const;
  // Extra outputs (submission files + manifest). Default: none.
  virtual void write_outputs(const TaskConfig& task, const std::vector<Sample>& samples,
                             const std::vector<SampleRecord>& records, const std::string& out_dir,
                             const json& options) const {
    (void)task; (void)samples; (void)records; (void)out_dir; (void)options;
  }
  // Notes recorded in results.json (e.g. "METEOR and SPICE unavailable", "spaCy lemmatization off").
  virtual std::vector<std::string> notes(const std::string& variant) const { (void)variant; return {}; }
};

}  // namespace infeval

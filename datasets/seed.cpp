// SEED-Bench (LLaVA-1.5 protocol). Files:
//   questions:   llava-seed-bench.jsonl {"question_id", "image", "text"} (video questions use a middle frame)
//   annotations: SEED-Bench.json {"questions": [{"question_id", "answer", "data_type", "question_type_id"}],
//                "question_type": {name: id}}
//   images:      image root
// Scorer "seed", variant "llava" (convert_seed_for_submission.py): right iff the answer text == the letter exactly.
// write_outputs: the upload file (JSON lines {"question_id", "prediction"}) with a manifest.
#include <cmath>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/question_jsonl.h"
#include "datasets/score_each_sample.h"
#include "datasets/submission.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"

namespace infeval {

namespace {

class SeedAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "seed"; }
  std::string description() const override {
    return "SEED-Bench: llava-seed-bench.jsonl questions + SEED-Bench.json answers and data types";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& annotations_path = files.at("annotations");
    const json annotations = read_json_file(annotations_path);
    if (!annotations.is_object() || !annotations.contains("questions") || !annotations["questions"].is_array())
      throw InputError(annotations_path + ": expected an object with a list \"questions\"");
    std::map<std::string, std::string> type_name;  // question_type_id -> name
    if (annotations.contains("question_type") && annotations["question_type"].is_object())
      for (auto it = annotations["question_type"].begin(); it != annotations["question_type"].end(); ++it)
        type_name[json_id_to_string(it.value())] = it.key();
    std::unordered_map<std::string, json> truth;
    const json& questions = annotations["questions"];
    for (size_t i = 0; i < questions.size(); ++i) {
      const std::string where = fmt::format("{}: questions item {}", annotations_path, i + 1);
      const std::string id = require_id(questions[i], "question_id", where);
      const std::string type_id = require_id(questions[i], "question_type_id", where);
      json t = {{"answer", require_string(questions[i], "answer", where)},
                {"data_type", require_string(questions[i], "data_type", where)},
                {"question_type_id", type_id},
                {"question_type", type_name.count(type_id) ? type_name[type_id] : type_id},
                {"question_id_json", questions[i]["question_id"]}};
      if (!truth.emplace(id, t).second) throw InputError(fmt::format("{}: duplicate question_id {}", where, id));
    }
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    (void)task;
    return read_question_jsonl(path, images, [&](const json& record, const std::string& where, Sample* s) {
      auto t = truth.find(s->id);
      if (t == truth.end())
        throw InputError(fmt::format("{}: question_id {} is not in {}", where, s->id, annotations_path));
      s->vars["question"] = require_string(record, "text", where);
      s->meta = t->second;
    });
  }
};

class SeedScorer : public Scorer {
 public:
  std::string name() const override { return "seed"; }
  std::string description() const override {
    return "SEED-Bench exact letter match (LLaVA convert_seed_for_submission.py): total, image, video, per type";
  }
  std::vector<std::string> variants() const override { return {"llava"}; }
  std::vector<std::string> metric_names() const override {
    return {"accuracy", "image_accuracy", "video_accuracy"};  // plus "type/<question type>" for each type present
  }
  // Only "accuracy" is the mean over all records; the others are means over subsets.
  MetricKind metric_kind(const std::string& metric) const override {
    return metric == "accuracy" ? METRIC_KIND_MEAN_BINARY : METRIC_KIND_OTHER;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    return score_each_sample(samples, predictions, [](const Sample& s, SampleRecord& r) {
      const std::string answer = s.meta.at("answer").get<std::string>();
      r.references = json::array({answer});
      r.parsed = r.prediction;
      r.score = (!r.missing && !r.failed && r.prediction == answer) ? 1.0 : 0.0;
      r.extra["data_type"] = s.meta.at("data_type");
      r.extra["question_type"] = s.meta.at("question_type");
    });
  }

  // Percent; a data type with no questions (e.g. SEED without its video part) is NaN, not a crash.
  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    std::map<std::string, std::pair<double, double>> by_type;      // data_type -> (right, total)
    std::map<std::string, std::pair<double, double>> by_question;  // question type name -> (right, total)
    double right = 0;
    for (const auto& r : records) {
      right += r.score;
      auto& t = by_type[r.extra.at("data_type").get<std::string>()];
      t.first += r.score;
      t.second += 1;
      auto& q = by_question[r.extra.at("question_type").get<std::string>()];
      q.first += r.score;
      q.second += 1;
    }
    const auto percent = [](double a, double b) { return b == 0 ? std::nan("") : a / b * 100; };
    std::map<std::string, double> metrics = {
        {"accuracy", percent(right, static_cast<double>(records.size()))},
        {"image_accuracy", percent(by_type["image"].first, by_type["image"].second)},
        {"video_accuracy", percent(by_type["video"].first, by_type["video"].second)}};
    for (const auto& [name, tally] : by_question) metrics["type/" + name] = percent(tally.first, tally.second);
    return metrics;
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"SEED: video_accuracy (or image_accuracy) is NaN when the question file has no question of that data "
            "type; questions of SEED-Bench.json absent from the question file are not scored (the official "
            "script counts them as wrong)"};
  }

  void write_outputs(const TaskConfig& task, const std::vector<Sample>& samples,
                     const std::vector<SampleRecord>& records, const std::string& out_dir,
                     const json& options) const override {
    const bool allow_missing = submission_allow_missing(task, options);
    std::vector<bool> answered;
    std::string content;
    const SubmissionCoverage coverage = check_records_coverage(task, samples, records, allow_missing, &answered);
    for (size_t i = 0; i < samples.size(); ++i)
      content += json{{"question_id", samples[i].meta.at("question_id_json")}, {"prediction", records[i].prediction}}
                     .dump() +
                 "\n";
    SubmissionFile file;
    file.file_name = task.name + "_submission.jsonl";
    file.content = content;
    file.format = "JSON lines {question_id, prediction} (SEED-Bench leaderboard upload)";
    file.normalization = "none: the raw answer text";
    write_submission(task.name, out_dir, file, coverage, allow_missing);
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_seed_adapter() { return std::make_unique<SeedAdapter>(); }
std::unique_ptr<Scorer> make_seed_scorer() { return std::make_unique<SeedScorer>(); }

}  // namespace infeval

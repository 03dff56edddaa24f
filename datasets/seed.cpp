// SEED-Bench (LLaVA-1.5 protocol). Files:
//   annotations: SEED-Bench.json {"questions": [{"question_id", "answer", "data_type", "question_type_id"}],
//                "question_type": {name: id}}
//   questions:   llava-seed-bench.jsonl {"question_id", "image", "text"} (video questions use a middle frame;
//                optional when scoring: it holds the prompts, which convert_seed_for_submission.py does not read)
//   images:      image root
// The samples are SEED-Bench.json's questions, as convert_seed_for_submission.py iterates them: a question without
// an answer counts as wrong. Those the question file does not hold cannot be asked (Sample::askable).
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
    if (!files.count("annotations"))
      throw InputError(fmt::format("task {}: the seed adapter needs the 'annotations' file (SEED-Bench.json)",
                                   task.name));
    const std::string& annotations_path = files.at("annotations");
    const json annotations = read_json_file(annotations_path);
    if (!annotations.is_object() || !annotations.contains("questions") || !annotations["questions"].is_array())
      throw InputError(annotations_path + ": expected an object with a list \"questions\"");
    std::map<std::string, std::string> type_name;  // question_type_id -> name
    if (annotations.contains("question_type") && annotations["question_type"].is_object())
      for (auto it = annotations["question_type"].begin(); it != annotations["question_type"].end(); ++it)
        type_name[json_id_to_string(it.value())] = it.key();
    std::vector<Sample> samples;
    std::unordered_map<std::string, size_t> index_of;
    const json& questions = annotations["questions"];
    for (size_t i = 0; i < questions.size(); ++i) {
      const std::string where = fmt::format("{}: questions item {}", annotations_path, i + 1);
      Sample s;
      s.id = require_id(questions[i], "question_id", where);
      const std::string type_id = require_id(questions[i], "question_type_id", where);
      s.meta = {{"answer", require_string(questions[i], "answer", where)},
                {"data_type", require_string(questions[i], "data_type", where)},
                {"question_type_id", type_id},
                {"question_type", type_name.count(type_id) ? type_name[type_id] : type_id},
                {"question_id_json", questions[i]["question_id"]}};
      s.askable = false;  // until the question file gives its prompt
      if (!index_of.emplace(s.id, samples.size()).second)
        throw InputError(fmt::format("{}: duplicate question_id {}", where, s.id));
      samples.push_back(std::move(s));
    }
    if (!files.count("questions")) return samples;
    const std::string images = files.count("images") ? files.at("images") : "";
    read_question_jsonl(files.at("questions"), images, [&](const json& record, const std::string& where, Sample* q) {
      auto it = index_of.find(q->id);
      if (it == index_of.end())
        throw InputError(fmt::format("{}: question_id {} is not in {}", where, q->id, annotations_path));
      Sample& s = samples[it->second];
      s.vars["question"] = require_string(record, "text", where);
      s.image_path = q->image_path;
      s.askable = true;
    });
    return samples;
  }
};

class SeedScorer : public Scorer {
 public:
  std::string name() const override { return "seed"; }
  std::string description() const override {
    return "SEED-Bench exact letter match (LLaVA convert_seed_for_submission.py): total, image, video, per type";
  }
  std::vector<std::string> variants() const override { return {"llava"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.script = "scripts/convert_seed_for_submission.py";
    info.repository = "haotian-liu/LLaVA";
    info.commit = "c121f04";
    info.python = "3";
    info.reads = {"annotations"};
    info.printed_decimals = 2;
    info.ignores_unknown_ids = true;  // it iterates SEED-Bench.json's questions and looks each answer up
    return info;
  }
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
    return {"SEED: every question of SEED-Bench.json counts, an absent answer as wrong "
            "(convert_seed_for_submission.py); video_accuracy (or image_accuracy) is NaN when SEED-Bench.json has "
            "no question of that data type, where the script divides by zero; answers for other ids are ignored"};
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

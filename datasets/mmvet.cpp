// MM-Vet (LLaVA-1.5 protocol). Files: questions = llava_1_5_mmvet.jsonl {"question_id", "image", "text"},
// images = image root. There is no offline score: MM-Vet is graded by GPT-4 (HF space whyu/MM-Vet_Evaluator).
// Scorer "mmvet", variant "grader_input": no metrics; write_outputs writes the grader's input JSON
// {"v1_<question_id>": answer text} (convert_mmvet_for_eval.py) with a manifest.
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/submission.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "harness/core/task.h"

namespace infeval {

namespace {

class MmvetAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "mmvet"; }
  std::string description() const override { return "MM-Vet: LLaVA question JSONL (question_id, image, text)"; }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    std::vector<Sample> samples;
    std::unordered_map<std::string, int> line_of_id;
    read_jsonl_file(path, [&](const json& record, int line) {
      const std::string where = fmt::format("{}:{}", path, line);
      Sample s;
      s.id = require_id(record, "question_id", where);
      auto [it, inserted] = line_of_id.emplace(s.id, line);
      if (!inserted)
        throw InputError(fmt::format("{}: duplicate question_id {} (first on line {})", where, s.id, it->second));
      const std::string image = require_string(record, "image", where);
      s.image_path = images.empty() ? image : images + "/" + image;
      s.vars["question"] = require_string(record, "text", where);
      samples.push_back(std::move(s));
    });
    (void)task;
    return samples;
  }
};

class MmvetScorer : public Scorer {
 public:
  std::string name() const override { return "mmvet"; }
  std::string description() const override {
    return "MM-Vet: no offline score; writes the GPT-4 grader's input {\"v1_<question_id>\": text}";
  }
  std::vector<std::string> variants() const override { return {"grader_input"}; }
  std::vector<std::string> metric_names() const override { return {}; }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      SampleRecord r;
      r.id = samples[i].id;
      r.question = samples[i].vars.at("question");
      r.prediction = predictions[i].text;
      r.parsed = r.prediction;
      r.missing = !predictions[i].present;
      r.failed = !predictions[i].error.empty();
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>&, const std::string&) const override {
    return {};
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"MM-Vet: no offline score; upload <task>_grader_input.json to the GPT-4 grader (HF space "
            "whyu/MM-Vet_Evaluator) and record the judge model it used"};
  }

  void write_outputs(const TaskConfig& task, const std::vector<Sample>& samples,
                     const std::vector<SampleRecord>& records, const std::string& out_dir,
                     const json& options) const override {
    const bool allow_missing = submission_allow_missing(task, options);
    std::vector<bool> answered;
    const SubmissionCoverage coverage = check_records_coverage(task, samples, records, allow_missing, &answered);
    json grader = json::object();
    for (size_t i = 0; i < samples.size(); ++i)
      if (answered[i]) grader["v1_" + samples[i].id] = records[i].prediction;
    SubmissionFile file;
    file.file_name = task.name + "_grader_input.json";
    file.content = grader.dump(2) + "\n";
    file.format = "JSON object {\"v1_<question_id>\": answer text} (MM-Vet GPT-4 grader input)";
    file.normalization = "none: the raw answer text";
    file.extra["grader"] = "https://huggingface.co/spaces/whyu/MM-Vet_Evaluator";
    write_submission(task.name, out_dir, file, coverage, allow_missing);
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_mmvet_adapter() { return std::make_unique<MmvetAdapter>(); }
std::unique_ptr<Scorer> make_mmvet_scorer() { return std::make_unique<MmvetScorer>(); }

}  // namespace infeval

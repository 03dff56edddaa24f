// MM-Vet (LLaVA-1.5 protocol). Files: questions = llava_1_5_mmvet.jsonl {"question_id", "image", "text"},
// images = image root. There is no offline score: MM-Vet is graded by GPT-4 (HF space whyu/MM-Vet_Evaluator).
// Scorer "mmvet", variant "grader_input": no metrics; write_outputs writes the grader's input JSON
// {"v1_<question_id>": answer text} (convert_mmvet_for_eval.py) with a manifest.
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/question_jsonl.h"
#include "datasets/submission.h"
#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"

namespace infeval {

namespace {

class MmvetAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "mmvet"; }
  std::string description() const override { return "MM-Vet: LLaVA question JSONL (question_id, image, text)"; }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    (void)task;
    return read_question_jsonl(path, images, [](const json& record, const std::string& where, Sample* s) {
      s->vars["question"] = require_string(record, "text", where);
    });
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
      SampleRecord r = start_record(samples[i], predictions[i]);
      r.parsed = r.prediction;
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

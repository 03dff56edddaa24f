// VQA-format benchmarks (VQAv2 val, OK-VQA val) and the VQAv2 test-dev submission.
//   adapter "vqa_official": files questions + annotations (+ images root); see datasets/vqa_format.h.
//   scorer "vqav2": VQA soft accuracy, variants official | official-2017 | infmllm | llava (metrics/vqa_accuracy.h).
//   scorer "okvqa": the same metric, variants infmllm | official, plus the optional external lemmatizer.
//   adapter "vqa_questions_jsonl" + scorer "vqav2_submission": test-dev questions (Qwen-VL {question} or LLaVA
//   {text} JSONL) and the validated EvalAI results file [{"question_id", "answer"}] with its manifest.
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/question_jsonl.h"
#include "datasets/answer_postprocess.h"
#include "datasets/submission.h"
#include "datasets/vqa_format.h"
#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "metrics/vqa_accuracy.h"
#include "metrics/vqa_normalize.h"

namespace infeval {

namespace {


VqaScoring scoring_of(const std::string& variant) {
  if (variant == "official") return VqaScoring::kOfficial;
  if (variant == "official-2017") return VqaScoring::kOfficial2017;
  if (variant == "infmllm") return VqaScoring::kInfmllm;
  if (variant == "llava") return VqaScoring::kLlava;
  throw InputError(unknown_name_message("VQA scoring variant", variant,
                                        {"official", "official-2017", "infmllm", "llava"}, ""));
}

std::string python_version_of(const std::string& variant) {
  return vqa_python_version(scoring_of(variant)) == PythonVersion::k2 ? "Python 2.7" : "Python 3";
}

std::string option_string(const TaskConfig& task, const std::string& key, const std::string& fallback) {
  if (!task.options.contains(key)) return fallback;
  if (!task.options[key].is_string())
    throw InputError(fmt::format("{}: options.{} must be a string", task.config_path, key));
  return task.options[key].get<std::string>();
}

class VqaOfficialAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "vqa_official"; }
  std::string description() const override {
    return "VQA-format question + annotation JSON (VQAv2, OK-VQA): question_id, image_id, 10 answers";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    VqaFormatOptions options;
    if (files.count("images")) options.images_root = files.at("images");
    options.image_file = option_string(task, "image_file", options.image_file);
    if (!files.count("questions") || !files.count("annotations"))
      throw InputError(fmt::format("task {}: the vqa_official adapter needs files 'questions' and 'annotations'",
                                   task.name));
    return load_vqa_format(files.at("questions"), files.at("annotations"), options);
  }
};

// VQA soft accuracy with named variants. Metrics in percent, rounded to 2 decimals as every variant's script does.
class VqaSoftScorer : public Scorer {
 public:
  VqaSoftScorer(std::string name, std::vector<std::string> variants, bool lemmatizer_option)
      : name_(std::move(name)), variants_(std::move(variants)), lemmatizer_option_(lemmatizer_option) {}
  std::string name() const override { return name_; }
  std::string description() const override {
    return "VQA soft accuracy min(1, agreeing annotators / 3), averaged leave-one-out over the 10 answers";
  }
  std::vector<std::string> variants() const override { return variants_; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.reads = {"questions", "annotations"};
    info.python = vqa_python_version(scoring_of(variant)) == PythonVersion::k2 ? "2.7" : "3";
    if (variant == "official" || variant == "official-2017") {
      info.script = "PythonEvaluationTools/vqaEvaluation/vqaEval.py";
      info.repository = "GT-Vision-Lab/VQA";
      info.commit = variant == "official" ? "a013f00" : "a4f1afd";
    } else if (variant == "infmllm") {
      info.script = "evaluate/infmllm/vqa_metric.py";
      info.repository = "mightyzau/InfMLLM";
      info.commit = "82fa8ef";
      info.scores_answered_only = true;  // VQAEval takes its question ids from the results (vqaRes.getQuesIds())
    } else {
      info.script = "scripts/convert_vqav2_for_submission.py (EvalAI answer processor), then vqaEval.py";
      info.repository = "haotian-liu/LLaVA";
      info.commit = "c121f04";
    }
    return info;
  }
  std::vector<std::string> metric_names() const override {
    return {"accuracy", "accuracy_yes/no", "accuracy_number", "accuracy_other"};
  }

  std::vector<SampleRecord> score_samples(const TaskConfig& task, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string& variant) const override {
    const VqaScoring scoring = scoring_of(variant);
    std::vector<std::string> texts;
    for (const auto& p : predictions) texts.push_back(p.text);
    if (lemmatizer_option_) {
      const std::string command = option_string(task, "answer_postprocess_command", "");
      if (!command.empty()) texts = run_answer_postprocess_command(command, texts, task.name);
    }
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      SampleRecord r = start_record(s, predictions[i]);
      const std::vector<VqaGtAnswer> gts = vqa_gt_answers(s);
      r.references = json::array();
      for (const auto& gt : gts) r.references.push_back(gt.answer);
      r.extra["answer_type"] = s.meta.value("answer_type", "other");
      if (!r.missing && !r.failed) {
        const VqaQuestionScore score = vqa_question_accuracy(gts, texts[i], scoring);
        r.score = score.accuracy;
        r.parsed = score.normalized_prediction;
      }
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string& variant) const override {
    const PythonVersion python = vqa_python_version(scoring_of(variant));
    std::vector<double> all;
    std::map<std::string, std::vector<double>> by_type;
    const bool answered_only = variant_info(variant).scores_answered_only;
    for (const auto& r : records) {
      if (answered_only && r.missing) continue;  // vqa_metric.py evaluates the answered question ids
      all.push_back(r.score);
      by_type[r.extra.value("answer_type", "other")].push_back(r.score);
    }
    std::map<std::string, double> metrics;
    metrics["accuracy"] = vqa_rounded_percent(all, 2, python);
    for (const auto& [type, values] : by_type)
      metrics["accuracy_" + type] = vqa_rounded_percent(values, 2, python);
    return metrics;
  }

  std::vector<std::string> notes(const std::string& variant) const override {
    std::vector<std::string> notes;
    if (variant == "official")
      notes.push_back("GT-Vision-Lab vqaEval.py (2021): answers normalized only when the 10 GT answers disagree; "
                      "Python 2.7 semantics (\\d is [0-9], round() halves away from zero)");
    if (variant == "official-2017")
      notes.push_back("GT-Vision-Lab vqaEval.py (Oct 2017): prediction always normalized, GT punctuation only; "
                      "Python 2.7 semantics (\\d is [0-9], round() halves away from zero)");
    if (variant == "infmllm")
      notes.push_back("InfMLLM vqa_metric.py (LAVIS VQAEval): GT and prediction always normalized; the mean over "
                      "the answered question ids, as the script takes it");
    if (variant == "llava") notes.push_back("EvalAI answer processor on predictions, then vqaEval.py (2021)");
    notes.push_back(fmt::format("per-type metrics exist only for answer types present; values rounded to 2 "
                                "decimals by the script itself (round(), {})",
                                python_version_of(variant)));
    if (lemmatizer_option_)
      notes.push_back("InfMLLM lemmatizes OK-VQA answers with spaCy en_core_web_sm (NOUN/VERB -> lemma); infeval "
                      "cannot do this in C++: it is applied only when options.answer_postprocess_command is set "
                      "(off by default), so default numbers are without lemmatization");
    return notes;
  }

 private:
  std::string name_;
  std::vector<std::string> variants_;
  bool lemmatizer_option_;
};

// Test-dev questions: Qwen-VL converted JSONL ({image, question, question_id}) or LLaVA question JSONL
// ({question_id, image, text}). vars: question (the first line of `text` for LLaVA files) and text.
class VqaQuestionsJsonlAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "vqa_questions_jsonl"; }
  std::string description() const override {
    return "VQA questions as JSONL (Qwen-VL {image, question, question_id} or LLaVA {question_id, image, text})";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    if (!files.count("questions"))
      throw InputError(fmt::format("task {}: the vqa_questions_jsonl adapter needs a 'questions' file", task.name));
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    return read_question_jsonl(path, images, [](const json& record, const std::string& where, Sample* sample) {
      Sample& s = *sample;
      if (record.contains("question")) {
        s.vars["question"] = require_string(record, "question", where);
        s.vars["text"] = s.vars["question"] + "\nAnswer the question using a single word or phrase.";
      } else if (record.contains("text")) {
        s.vars["text"] = require_string(record, "text", where);
        s.vars["question"] = split(s.vars["text"], '\n').front();
      } else {
        throw InputError(fmt::format("{}: field 'question' (Qwen-VL format) or 'text' (LLaVA format) is missing",
                                     where));
      }
    });
  }
};

// VQAv2 test-dev: nothing to score locally; writes the EvalAI results file.
class VqaSubmissionScorer : public Scorer {
 public:
  std::string name() const override { return "vqav2_submission"; }
  std::string description() const override {
    return "VQAv2 test-dev/test-std: validated EvalAI results file [{question_id, answer}] + manifest";
  }
  // llava: answers through the EvalAI processor (LLaVA convert_vqav2_for_submission.py, chat protocol);
  // infmllm: raw model text (InfMLLM evaluate_vqa.py, multitask protocol).
  std::vector<std::string> variants() const override { return {"llava", "infmllm"}; }
  std::vector<std::string> metric_names() const override { return {"answered", "coverage"}; }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string& variant) const override {
    if (variant != "llava" && variant != "infmllm")
      throw InputError(unknown_name_message("vqav2_submission variant", variant, variants(), ""));
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      SampleRecord r = start_record(samples[i], predictions[i]);
      r.references = json::array();
      r.extra["variant"] = variant;
      if (!r.missing && !r.failed) {
        r.parsed = variant == "llava" ? evalai_answer_processor(r.prediction) : r.prediction;
        r.score = 1.0;  // "answered": the server does the scoring
      }
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    double answered = 0.0;
    for (const auto& r : records) answered += r.score;
    return {{"answered", answered},
            {"coverage", records.empty() ? 0.0 : 100.0 * answered / static_cast<double>(records.size())}};
  }

  void write_outputs(const TaskConfig& task, const std::vector<Sample>& samples,
                     const std::vector<SampleRecord>& records, const std::string& out_dir,
                     const json& options) const override {
    const bool allow_missing = submission_allow_missing(task, options);
    std::unordered_map<std::string, const SampleRecord*> by_id;
    for (const auto& r : records) by_id[r.id] = &r;
    std::vector<std::string> ids;
    std::vector<bool> answered;
    json list = json::array();
    for (const auto& s : samples) {
      ids.push_back(s.id);
      auto it = by_id.find(s.id);
      const bool has = it != by_id.end() && !it->second->missing && !it->second->failed;
      answered.push_back(has);
      // A missing answer is written as "" (what LLaVA's converter does), only when allowed.
      list.push_back({{"question_id", submission_id_json(s.id)}, {"answer", has ? it->second->parsed : ""}});
    }
    const SubmissionCoverage coverage = check_submission_coverage(ids, answered, allow_missing, "task " + task.name);
    SubmissionFile file;
    file.file_name = task.name + "_submission.json";
    file.content = list.dump();
    file.format = "JSON list [{question_id: int, answer: str}] for EvalAI (VQA Challenge, challenge 830)";
    const std::string variant =
        records.empty() ? "llava" : records.front().extra.value("variant", options.value("variant", "llava"));
    file.normalization = variant == "infmllm" ? "none (raw model text, as InfMLLM evaluate_vqa.py writes it)"
                                              : "EvalAI answer processor (as LLaVA convert_vqav2_for_submission.py)";
    file.extra["variant"] = variant;
    file.extra["question_file_order"] = true;
    write_submission(task.name, out_dir, file, coverage, allow_missing);
  }

  std::vector<std::string> notes(const std::string& variant) const override {
    return {"scored by the EvalAI server; locally only answered/coverage are reported",
            variant == "infmllm" ? "answers written raw (InfMLLM multitask)"
                                 : "answers normalized by the EvalAI answer processor (LLaVA chat)"};
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_vqa_official_adapter() { return std::make_unique<VqaOfficialAdapter>(); }
std::unique_ptr<DatasetAdapter> make_vqa_questions_jsonl_adapter() {
  return std::make_unique<VqaQuestionsJsonlAdapter>();
}
std::unique_ptr<Scorer> make_vqav2_scorer() {
  return std::make_unique<VqaSoftScorer>("vqav2", std::vector<std::string>{"official", "official-2017", "infmllm",
                                                                           "llava"},
                                         false);
}
std::unique_ptr<Scorer> make_okvqa_scorer() {
  return std::make_unique<VqaSoftScorer>("okvqa", std::vector<std::string>{"infmllm", "official"}, true);
}
std::unique_ptr<Scorer> make_vqav2_submission_scorer() { return std::make_unique<VqaSubmissionScorer>(); }

}  // namespace infeval

// TextVQA val.
//   adapter "textvqa": files annotations (TextVQA_0.5.1_val.json: data[{question_id, image_id, question,
//   answers[10]}]), questions (optional: LLaVA's llava_textvqa_val_v051_ocr.jsonl, whose `text` — question, OCR
//   tokens, answer instruction — becomes vars.text for the chat prompt), images (train_images/<image_id>.jpg).
//   Samples in annotation order, id = question_id.
//   scorer "textvqa": variants llava (m4c TextVQAAccuracyEvaluator, as LLaVA/InfMLLM eval_textvqa.py) and infmllm
//   (InfMLLM vqa_metric.py on the same 10 answers). LLaVA answer files carry the image id in question_id: such a
//   prediction is matched by (image id, question read from its prompt), after a lookup by question id.
#include <cmath>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/json_record_list.h"
#include "datasets/score_each_sample.h"
#include "datasets/textvqa_prompt.h"
#include "datasets/unique_ids.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/python_text.h"
#include "metrics/vqa_accuracy.h"

namespace infeval {

namespace {

std::string pair_key(const std::string& image_id, const std::string& question_lower) {
  return image_id + '\x1f' + question_lower;
}

class TextVqaAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "textvqa"; }
  std::string description() const override {
    return "TextVQA_0.5.1_val.json (+ optional LLaVA question JSONL for the chat prompt with OCR tokens)";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    if (!files.count("annotations"))
      throw InputError(fmt::format("task {}: the textvqa adapter needs an 'annotations' file", task.name));
    const std::string& path = files.at("annotations");
    const std::string images = files.count("images") ? files.at("images") : "";
    const JsonListDocument doc(path, "an object with a 'data' list");
    const JsonRecordList data = doc.list("data");

    std::vector<Sample> samples;
    UniqueIds question_ids("question_id");
    std::unordered_map<std::string, size_t> by_pair;  // LLaVA's dict: the last annotation of a pair wins
    for (size_t i = 0; i < data.size(); ++i) {
      const std::string where = data.where(i);
      const json& a = data[i];
      Sample s;
      s.id = require_id(a, "question_id", where);
      question_ids.add(s.id, where);
      const std::string image_id = require_id(a, "image_id", where);
      const std::string question = require_string(a, "question", where);
      const json& answers = require_field(a, "answers", where);
      if (!answers.is_array() || answers.empty())
        throw InputError(fmt::format("{}: field 'answers' must be a non-empty list of strings", where));
      json gts = json::array();
      for (const auto& answer : answers) {
        if (!answer.is_string())
          throw InputError(fmt::format("{}: field 'answers' must hold strings, got {}", where, answer.type_name()));
        gts.push_back(answer);
      }
      s.vars["question"] = question;
      s.vars["text"] = question + "\nAnswer the question using a single word or phrase.";
      s.meta["answers"] = gts;
      s.meta["image_id"] = image_id;
      s.meta["question_lower"] = python_lower(question);
      if (!images.empty()) s.image_path = images + "/" + image_id + ".jpg";
      by_pair[pair_key(image_id, python_lower(question))] = samples.size();
      samples.push_back(std::move(s));
    }

    if (files.count("questions")) {
      const std::string& qpath = files.at("questions");
      read_jsonl_file(qpath, [&](const json& record, int line) {
        const std::string where = fmt::format("{}:{}", qpath, line);
        const std::string image_id = require_id(record, "question_id", where);
        const std::string prompt = require_string(record, "text", where);
        const std::string question = textvqa_question_from_prompt(prompt, where);
        auto it = by_pair.find(pair_key(image_id, question));
        if (it == by_pair.end())
          throw InputError(fmt::format("{}: no annotation with image_id {} and question '{}' in {}", where, image_id,
                                       question, path));
        samples[it->second].vars["text"] = prompt;
        if (record.contains("image") && record["image"].is_string() && !images.empty())
          samples[it->second].image_path = images + "/" + record["image"].get<std::string>();
      });
    }
    return samples;
  }
};

class TextVqaScorer : public Scorer {
 public:
  std::string name() const override { return "textvqa"; }
  std::string description() const override {
    return "TextVQA soft accuracy: m4c/EvalAI (LLaVA) or InfMLLM vqa_metric.py";
  }
  std::vector<std::string> variants() const override { return {"llava", "infmllm"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.python = "3";
    info.reads = {"annotations"};
    if (variant == "llava") {
      info.script = "llava/eval/eval_textvqa.py (+ llava/eval/m4c_evaluator.py)";
      info.repository = "haotian-liu/LLaVA";
      info.commit = "c121f04";
      info.printed_decimals = 2;
      info.scores_answered_only = true;  // it averages over the answer file's records
    } else {
      info.script = "evaluate/infmllm/vqa_metric.py";
      info.repository = "mightyzau/InfMLLM";
      info.commit = "82fa8ef";
      info.scores_answered_only = true;  // VQAEval takes its question ids from the results
    }
    return info;
  }
  std::vector<std::string> metric_names() const override { return {"accuracy"}; }

  std::vector<Prediction> align(const std::vector<Sample>& samples, const std::vector<ForeignPrediction>& predictions,
                                const std::string& variant) const override {
    (void)variant;
    std::unordered_map<std::string, size_t> by_id, by_pair;
    for (size_t i = 0; i < samples.size(); ++i) {
      by_id[samples[i].id] = i;
      by_pair[pair_key(samples[i].meta.value("image_id", ""), samples[i].meta.value("question_lower", ""))] = i;
    }
    std::vector<Prediction> aligned(samples.size());
    std::unordered_map<size_t, std::string> seen;
    for (const auto& p : predictions) {
      size_t index = samples.size();
      auto id = by_id.find(p.id);
      if (id != by_id.end()) {
        index = id->second;
      } else if (p.raw.is_object() && p.raw.contains("prompt") && p.raw["prompt"].is_string()) {
        const std::string question = textvqa_question_from_prompt(p.raw["prompt"].get<std::string>(), p.where);
        auto pair = by_pair.find(pair_key(p.id, question));
        if (pair == by_pair.end())
          throw InputError(fmt::format("{}: no TextVQA question with image id '{}' and question '{}'", p.where, p.id,
                                       question));
        index = pair->second;
      } else {
        throw InputError(fmt::format("{}: prediction for unknown question id '{}' (and no 'prompt' to match by image "
                                     "id and question, as LLaVA answer files have)", p.where, p.id));
      }
      auto dup = seen.find(index);
      if (dup != seen.end())
        throw InputError(fmt::format("{}: second prediction for question {} (first at {})", p.where,
                                     samples[index].id, dup->second));
      seen[index] = p.where;
      aligned[index].present = true;
      aligned[index].text = p.text;
    }
    return aligned;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string& variant) const override {
    check_variant(variant);
    return score_each_sample(samples, predictions, [&](const Sample& s, SampleRecord& r) {
      r.references = s.meta.value("answers", json::array());
      std::vector<std::string> answers;
      for (const auto& a : r.references) answers.push_back(a.get<std::string>());
      if (variant == "llava" && answers.size() != 10)
        throw InputError(fmt::format("task textvqa: question {} has {} answers; the m4c evaluator needs exactly 10",
                                     s.id, answers.size()));
      if (!r.missing && !r.failed) {
        if (variant == "llava") {
          r.score = m4c_textvqa_accuracy(answers, r.prediction, &r.parsed);
        } else {
          std::vector<VqaGtAnswer> gts;
          for (size_t k = 0; k < answers.size(); ++k) gts.push_back({answers[k], std::to_string(k)});
          const VqaQuestionScore score = vqa_question_accuracy(gts, r.prediction, VqaScoring::kInfmllm);
          r.score = score.accuracy;
          r.parsed = score.normalized_prediction;
        }
      }
    });
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string& variant) const override {
    check_variant(variant);
    std::vector<double> values;
    for (const auto& r : records)
      if (!r.missing) values.push_back(r.score);  // both scripts average over the answers present
    if (variant == "infmllm") return {{"accuracy", vqa_rounded_percent(values, 2)}};
    // eval_textvqa.py computes 100. * (sum / len) and prints it with '{:.2f}' (shown beside it by `infeval score`).
    double sum = 0.0;
    for (double v : values) sum += v;
    const double fraction = values.empty() ? std::nan("") : sum / static_cast<double>(values.size());
    return {{"accuracy", 100.0 * fraction}};
  }

  std::vector<std::string> notes(const std::string& variant) const override {
    if (variant == "llava")
      return {"m4c TextVQAAccuracyEvaluator with the EvalAI answer processor (LLaVA / InfMLLM eval_textvqa.py); "
              "full precision (the script prints 2 decimals); the mean over the answers present, as the script "
              "takes it",
              "chat prompts with 'Reference OCR token:' lines come from the LLaVA question file when given"};
    return {"InfMLLM vqa_metric.py (LAVIS VQAEval) on the 10 answers of TextVQA_0.5.1_val.json (InfMLLM reads "
            "Qwen-VL's VQA-format conversion of the same answers); rounded to 2 decimals"};
  }

 private:
  static void check_variant(const std::string& variant) {
    if (variant != "llava" && variant != "infmllm")
      throw InputError(unknown_name_message("textvqa variant", variant, {"llava", "infmllm"}, ""));
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_textvqa_adapter() { return std::make_unique<TextVqaAdapter>(); }
std::unique_ptr<Scorer> make_textvqa_scorer() { return std::make_unique<TextVqaScorer>(); }

}  // namespace infeval

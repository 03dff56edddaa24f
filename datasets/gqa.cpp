// GQA testdev-balanced.
//   adapter "gqa": files answers (Qwen-VL testdev_balanced.jsonl: image, question, question_id, answer; samples in
//   its order, id = question_id), questions (official testdev_balanced_questions.json dict: answer, isBalanced,
//   types.structural, groups.global; needed by the official variant), images (the GQA image folder).
//   scorer "gqa": variants official | infmllm-chat | infmllm (metrics/gqa_metrics.h).
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "datasets/json_positions.h"
#include "datasets/score_each_sample.h"
#include "datasets/question_jsonl.h"
#include "datasets/unique_ids.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/gqa_metrics.h"
#include "metrics/python_text.h"

namespace infeval {

namespace {

class GqaAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "gqa"; }
  std::string description() const override {
    return "GQA testdev_balanced.jsonl (Qwen-VL) + official testdev_balanced_questions.json";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    if (!files.count("answers"))
      throw InputError(fmt::format("task {}: the gqa adapter needs an 'answers' file (testdev_balanced.jsonl)",
                                   task.name));
    const std::string& path = files.at("answers");
    const std::string images = files.count("images") ? files.at("images") : "";
    UniqueIds question_ids("question_id");
    std::vector<Sample> samples = read_question_jsonl(
        path, images,
        [](const json& record, const std::string& where, Sample* s) {
          s->vars["question"] = require_string(record, "question", where);
          s->meta["answer"] = require_string(record, "answer", where);
        },
        &question_ids);
    if (files.count("questions")) join_official_questions(files.at("questions"), path, &samples, question_ids);
    return samples;
  }

 private:
  static void join_official_questions(const std::string& qpath, const std::string& answers_path,
                                      std::vector<Sample>* samples,
                                      const UniqueIds& question_ids) {
    const std::string text = read_text_file(qpath);
    const json doc = read_json_file(qpath);
    if (!doc.is_object())
      throw InputError(fmt::format("{}: expected the official GQA question dict {{question_id: question}}", qpath));
    std::unordered_map<std::string, int> line_of;
    for (const auto& [key, line] : json_object_member_lines(text)) line_of[key] = line;
    std::unordered_map<std::string, size_t> index_of;
    for (size_t i = 0; i < samples->size(); ++i) index_of[(*samples)[i].id] = i;
    std::unordered_set<std::string> joined;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& qid = it.key();
      const std::string where = line_of.count(qid) ? fmt::format("{}:{} (question {})", qpath, line_of[qid], qid)
                                                   : fmt::format("{}: question {}", qpath, qid);
      const json& q = it.value();
      const json& balanced = require_field(q, "isBalanced", where);
      if (!balanced.is_boolean())
        throw InputError(fmt::format("{}: field 'isBalanced' must be true or false", where));
      auto sample = index_of.find(qid);
      if (sample == index_of.end()) {
        if (balanced.get<bool>())
          throw InputError(fmt::format("{}: balanced question {} has no entry in {} (the official eval needs a "
                                       "prediction for every balanced question)", where, qid, answers_path));
        continue;
      }
      Sample& s = (*samples)[sample->second];
      s.meta["gold"] = require_string(q, "answer", where);
      s.meta["balanced"] = balanced.get<bool>();
      const json& types = require_field(q, "types", where);
      s.meta["structural"] = require_string(types, "structural", where + " types");
      const json& groups = require_field(q, "groups", where);
      const json& global = require_field(groups, "global", where + " groups");
      if (!global.is_null() && !global.is_string())
        throw InputError(fmt::format("{}: groups.global must be a string or null", where));
      if (global.is_string()) s.meta["global_group"] = global;
      joined.insert(qid);
    }
    for (const auto& s : *samples)
      if (!joined.count(s.id))
        throw InputError(fmt::format("{}: question_id {} is not in {}", question_ids.where(s.id), s.id, qpath));
  }
};

class GqaScorer : public Scorer {
 public:
  std::string name() const override { return "gqa"; }
  std::string description() const override {
    return "GQA exact match: official (LLaVA convert + eval.py), infmllm-chat (eval_gqa.py), infmllm (multitask)";
  }
  std::vector<std::string> variants() const override { return {"official", "infmllm-chat", "infmllm"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.python = "3";
    if (variant == "official") {
      info.script = "scripts/convert_gqa_for_eval.py, then GQA's eval.py (v1.2, testdev_balanced)";
      info.repository = "haotian-liu/LLaVA";
      info.commit = "c121f04";
      info.reads = {"questions"};
      info.printed_decimals = 2;
      info.ignores_unknown_ids = true;  // eval.py looks up each balanced question's prediction
    } else {
      info.script = variant == "infmllm" ? "evaluate/infmllm/evaluate_vqa.py" : "evaluate/infmllm_chat/eval_gqa.py";
      info.repository = "mightyzau/InfMLLM";
      info.commit = "82fa8ef";
      info.reads = {"answers"};
    }
    return info;
  }
  std::vector<std::string> metric_names() const override {
    return {"accuracy", "binary", "open", "validity", "plausibility", "distribution"};
  }
  MetricKind metric_kind(const std::string& metric) const override {
    return metric == "accuracy" || metric == "binary" || metric == "open" ? METRIC_KIND_MEAN_BINARY
                                                                          : METRIC_KIND_OTHER;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig& task, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string& variant) const override {
    check_variant(variant);
    return score_each_sample(samples, predictions, [&](const Sample& s, SampleRecord& r) {
      const bool answered = !r.missing && !r.failed;
      if (variant == "official") {
        if (!s.meta.contains("gold"))
          throw InputError(fmt::format("task {}: the official variant needs the 'questions' file "
                                       "(testdev_balanced_questions.json)", task.name));
        r.references = json::array({s.meta["gold"]});
        // eval.py's own input ({"questionId", "prediction"}) was converted already: compared as it is.
        const json& source = predictions[static_cast<size_t>(&s - samples.data())].source;
        const bool converted = source.is_object() && source.contains("questionId");
        r.parsed = !answered ? "" : converted ? r.prediction : gqa_llava_prediction(r.prediction);
        r.score = answered && r.parsed == s.meta["gold"].get<std::string>() ? 1.0 : 0.0;
        r.extra["balanced"] = s.meta.value("balanced", true);
        r.extra["structural"] = s.meta.value("structural", "");
        if (s.meta.contains("global_group")) r.extra["global_group"] = s.meta["global_group"];
      } else {
        const std::string answer = s.meta.value("answer", "");
        r.references = json::array({answer});
        r.parsed = !answered ? ""
                   : variant == "infmllm" ? gqa_infmllm_multitask_answer(r.prediction)
                                          : gqa_llava_prediction(r.prediction);
        r.score = answered && python_lower(python_strip(r.parsed)) == python_lower(python_strip(answer)) ? 1.0 : 0.0;
      }
    });
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string& variant) const override {
    check_variant(variant);
    if (variant != "official") {
      double sum = 0.0;
      for (const auto& r : records) sum += r.score;
      return {{"accuracy", records.empty() ? 0.0 : 100.0 * (sum / static_cast<double>(records.size()))}};
    }
    std::vector<double> accuracy, binary, open, zeros;
    std::vector<GqaDistributionItem> distribution;
    for (const auto& r : records) {
      if (!r.extra.value("balanced", true)) continue;
      accuracy.push_back(r.score);
      (r.extra.value("structural", "") == "query" ? open : binary).push_back(r.score);
      zeros.push_back(0.0);  // validity and plausibility: no choices file for testdev
      GqaDistributionItem item;
      item.has_group = r.extra.contains("global_group");
      if (item.has_group) item.group = r.extra["global_group"].get<std::string>();
      item.gold = r.references.empty() ? "" : r.references[0].get<std::string>();
      item.predicted = r.parsed;
      distribution.push_back(item);
    }
    // eval.py's values at full precision: avg(l) * 100 (avg([]) is 0) and chiSquare(...) / 100; it prints them
    // with "{:.2f}", which `infeval score` shows beside them.
    auto percent = [](const std::vector<double>& values) {
      double sum = 0.0;
      for (double v : values) sum += v;
      return values.empty() ? 0.0 : sum / static_cast<double>(values.size()) * 100.0;
    };
    return {{"accuracy", percent(accuracy)},
            {"binary", percent(binary)},
            {"open", percent(open)},
            {"validity", percent(zeros)},
            {"plausibility", percent(zeros)},
            {"distribution", gqa_distribution(distribution)}};
  }

  std::vector<std::string> notes(const std::string& variant) const override {
    if (variant == "official")
      return {"LLaVA convert_gqa_for_eval.py (rstrip('.').lower()) + GQA eval.py on balanced questions; values at "
              "full precision (eval.py prints them to 2 decimals)",
              "validity and plausibility are 0: testdev has no choices file, and eval.py then scores them 0",
              "a missing prediction is scored as the empty answer (eval.py refuses to run)"};
    if (variant == "infmllm-chat")
      return {"InfMLLM eval_gqa.py: rstrip('.').lower(), strip().lower() exact match with the jsonl answer"};
    return {"InfMLLM evaluate_vqa.py multitask chain (split on . , !, is/are/a/an/the, ' of'), then exact match"};
  }

 private:
  static void check_variant(const std::string& variant) {
    if (variant != "official" && variant != "infmllm-chat" && variant != "infmllm")
      throw InputError(unknown_name_message("gqa variant", variant, {"official", "infmllm-chat", "infmllm"}, ""));
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_gqa_adapter() { return std::make_unique<GqaAdapter>(); }
std::unique_ptr<Scorer> make_gqa_scorer() { return std::make_unique<GqaScorer>(); }

}  // namespace infeval

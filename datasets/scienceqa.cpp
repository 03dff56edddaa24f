// ScienceQA-IMG (LLaVA-1.5 protocol). Files:
//   questions:  llava_test_CQM-A.json, a JSON list of {"id", optional "image", "conversations": [{"value"}, ...]}
//   problems:   problems.json {pid: {"choices": [...], "answer": index, ...}}
//   pid_splits: pid_splits.json {"test": [pid, ...], ...}; every question must be a test problem
//   images:     image root (ScienceQA/data/test)
// Prompt text as model_vqa_science.py builds it: conversations[0].value without "<image>", stripped, "<image>\n"
// in front when the item has an image, then "\nAnswer with the option's letter from the given choices directly.".
// Scorer "scienceqa", variant "llava" (metrics/scienceqa.h): accuracy and img_accuracy (items with an image).
#include <cmath>
#include <memory>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/score_each_sample.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/scienceqa.h"
#include "metrics/python_text.h"

namespace infeval {

namespace {

const char kLetterSuffix[] = "\nAnswer with the option's letter from the given choices directly.";

class ScienceQaAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "scienceqa"; }
  std::string description() const override {
    return "ScienceQA: LLaVA llava_test_CQM-A.json + problems.json + pid_splits.json (test split)";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    const json problems = read_json_file(files.at("problems"));
    if (!problems.is_object()) throw InputError(files.at("problems") + ": expected an object {pid: problem}");
    const json splits = read_json_file(files.at("pid_splits"));
    const std::string split = task.options.value("split", "test");
    if (!splits.is_object() || !splits.contains(split) || !splits[split].is_array())
      throw InputError(fmt::format("{}: expected an object with a list \"{}\"", files.at("pid_splits"), split));
    std::set<std::string> in_split;
    for (const auto& pid : splits[split]) in_split.insert(json_id_to_string(pid));
    const JsonRecords items = read_json_records(path);
    std::vector<Sample> samples;
    std::unordered_map<std::string, size_t> index_of_id;
    for (size_t i = 0; i < items.records.size(); ++i) {
      const std::string where = items.where(i, path);
      const json& item = items.records[i];
      Sample s;
      s.id = require_id(item, "id", where);
      auto [it, inserted] = index_of_id.emplace(s.id, i);
      if (!inserted)
        throw InputError(fmt::format("{}: duplicate id {} (first at {})", where, s.id, items.where(it->second, path)));
      if (!in_split.count(s.id))
        throw InputError(fmt::format("{}: id {} is not in pid_splits.json's \"{}\" list", where, s.id, split));
      if (!problems.contains(s.id))
        throw InputError(fmt::format("{}: id {} is not in {}", where, s.id, files.at("problems")));
      const json& problem = problems[s.id];
      const std::string pwhere = fmt::format("{}: problem {}", files.at("problems"), s.id);
      const json& choices = require_field(problem, "choices", pwhere);
      if (!choices.is_array()) throw InputError(pwhere + ": field 'choices' must be a list");
      const json& answer = require_field(problem, "answer", pwhere);
      if (!answer.is_number_integer()) throw InputError(pwhere + ": field 'answer' must be an integer index");
      const json& conversations = require_field(item, "conversations", where);
      if (!conversations.is_array() || conversations.empty())
        throw InputError(where + ": field 'conversations' must be a non-empty list");
      const std::string question =
          python_strip(replace_all(require_string(conversations[0], "value", where + ": conversations[0]"),
                                   "<image>", ""));
      const bool has_image = item.contains("image");
      if (has_image) {
        const std::string image = require_string(item, "image", where);
        s.image_path = images.empty() ? image : images + "/" + image;
      }
      s.vars["question"] = question;
      s.vars["text"] = (has_image ? "<image>\n" : "") + question + kLetterSuffix;
      s.vars["text_multitask"] = (has_image ? "<image><ImageHere>" : "") + question + kLetterSuffix;
      s.meta["num_choices"] = choices.size();
      s.meta["answer"] = answer;
      s.meta["has_image"] = has_image;
      samples.push_back(std::move(s));
    }
    return samples;
  }
};

class ScienceQaScorer : public Scorer {
 public:
  std::string name() const override { return "scienceqa"; }
  std::string description() const override {
    return "ScienceQA option-letter accuracy (LLaVA eval_science_qa.py): accuracy, img_accuracy";
  }
  std::vector<std::string> variants() const override { return {"llava"}; }
  std::vector<std::string> metric_names() const override { return {"accuracy", "img_accuracy"}; }
  // img_accuracy is a mean over a subset of the records.
  MetricKind metric_kind(const std::string& metric) const override {
    return metric == "accuracy" ? METRIC_KIND_MEAN_BINARY : METRIC_KIND_OTHER;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    return score_each_sample(samples, predictions, [](const Sample& s, SampleRecord& r) {
      const int answer = s.meta.at("answer").get<int>();
      r.references = json::array({std::string(1, static_cast<char>('A' + answer))});
      // eval_science_qa.py: a missing answer is "FAILED" with prompt "Unknown", so it is not multimodal either.
      r.parsed = (r.missing || r.failed) ? "FAILED" : scienceqa_parse_answer(r.prediction);
      r.score = scienceqa_answer_index(r.parsed, s.meta.at("num_choices").get<int>()) == answer ? 1.0 : 0.0;
      r.extra["multimodal"] = !r.missing && !r.failed && s.meta.at("has_image").get<bool>();
    });
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    double right = 0, img_right = 0, img_total = 0;
    for (const auto& r : records) {
      right += r.score;
      if (r.extra.value("multimodal", false)) {
        img_total += 1;
        img_right += r.score;
      }
    }
    return {{"accuracy", records.empty() ? std::nan("") : right / static_cast<double>(records.size()) * 100},
            {"img_accuracy", img_total == 0 ? std::nan("") : img_right / img_total * 100}};
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"ScienceQA: img_accuracy counts items whose prompt had an image and that have an answer (a missing "
            "answer has prompt \"Unknown\" in eval_science_qa.py); test problems absent from the question file "
            "are not scored (the official script counts them as FAILED)"};
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_scienceqa_adapter() { return std::make_unique<ScienceQaAdapter>(); }
std::unique_ptr<Scorer> make_scienceqa_scorer() { return std::make_unique<ScienceQaScorer>(); }

}  // namespace infeval

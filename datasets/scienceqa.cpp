// ScienceQA-IMG (LLaVA-1.5 protocol). Files:
//   problems:   problems.json {pid: {"choices": [...], "answer": index, "image": name or null, ...}}
//   pid_splits: pid_splits.json {"test": [pid, ...], ...}
//   questions:  llava_test_CQM-A.json, a JSON list of {"id", optional "image", "conversations": [{"value"}, ...]}
//               (optional when scoring: it holds the prompts, which eval_science_qa.py does not read)
//   images:     image root (ScienceQA/data/test)
// The samples are the split's problems in pid_splits.json order, as eval_science_qa.py iterates them: a problem
// without an answer is FAILED. Those the question file does not hold cannot be asked (Sample::askable).
// Prompt text as model_vqa_science.py builds it: conversations[0].value without "<image>", stripped, "<image>\n"
// in front when the item has an image, then "\nAnswer with the option's letter from the given choices directly.".
// Scorer "scienceqa", variant "llava" (metrics/scienceqa.h): accuracy and img_accuracy (answers whose prompt has
// "<image>": the answer file's prompt when it has one, else the question file's or problems.json's image).
#include <cmath>
#include <memory>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/records.h"
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
    for (const char* key : {"problems", "pid_splits"})
      if (!files.count(key))
        throw InputError(fmt::format("task {}: the scienceqa adapter needs the '{}' file (eval_science_qa.py reads "
                                     "problems.json and pid_splits.json)", task.name, key));
    const std::string& problems_path = files.at("problems");
    const json problems = read_json_file(problems_path);
    if (!problems.is_object()) throw InputError(problems_path + ": expected an object {pid: problem}");
    const json splits = read_json_file(files.at("pid_splits"));
    const std::string split = task.options.value("split", "test");
    if (!splits.is_object() || !splits.contains(split) || !splits[split].is_array())
      throw InputError(fmt::format("{}: expected an object with a list \"{}\"", files.at("pid_splits"), split));
    std::vector<std::string> split_ids;
    std::unordered_map<std::string, size_t> split_index;
    for (const auto& pid : splits[split]) {
      const std::string id = json_id_to_string(pid);
      if (!split_index.emplace(id, split_ids.size()).second)
        throw InputError(fmt::format("{}: problem {} is listed twice in \"{}\"", files.at("pid_splits"), id, split));
      split_ids.push_back(id);
    }
    std::vector<Sample> samples;
    for (const auto& id : split_ids) {
      if (!problems.contains(id))
        throw InputError(fmt::format("{}: problem {} of the \"{}\" split is not in {}", files.at("pid_splits"), id,
                                     split, problems_path));
      const json& problem = problems[id];
      const std::string pwhere = fmt::format("{}: problem {}", problems_path, id);
      const json& choices = require_field(problem, "choices", pwhere);
      if (!choices.is_array()) throw InputError(pwhere + ": field 'choices' must be a list");
      const json& answer = require_field(problem, "answer", pwhere);
      if (!answer.is_number_integer()) throw InputError(pwhere + ": field 'answer' must be an integer index");
      Sample s;
      s.id = id;
      s.askable = false;  // until the question file gives its prompt
      s.meta["num_choices"] = choices.size();
      s.meta["answer"] = answer;
      s.meta["has_image"] = problem.contains("image") && problem["image"].is_string();
      samples.push_back(std::move(s));
    }
    if (files.count("questions")) add_prompts(files.at("questions"), files, split, split_index, &samples);
    return samples;
  }

 private:
  // The question file's prompt and image for each problem it holds; an item outside the split is an error.
  static void add_prompts(const std::string& path, const ResolvedFiles& files, const std::string& split,
                          const std::unordered_map<std::string, size_t>& split_index, std::vector<Sample>* samples) {
    const std::string images = files.count("images") ? files.at("images") : "";
    const JsonRecords items = read_json_records(path);
    std::unordered_map<std::string, size_t> index_of_id;
    for (size_t i = 0; i < items.records.size(); ++i) {
      const std::string where = items.where(i, path);
      const json& item = items.records[i];
      const std::string id = require_id(item, "id", where);
      auto [it, inserted] = index_of_id.emplace(id, i);
      if (!inserted)
        throw InputError(fmt::format("{}: duplicate id {} (first at {})", where, id, items.where(it->second, path)));
      auto in_split = split_index.find(id);
      if (in_split == split_index.end())
        throw InputError(fmt::format("{}: id {} is not in pid_splits.json's \"{}\" list", where, id, split));
      Sample& s = (*samples)[in_split->second];
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
      s.meta["has_image"] = has_image;
      s.askable = true;
    }
  }
};

class ScienceQaScorer : public Scorer {
 public:
  std::string name() const override { return "scienceqa"; }
  std::string description() const override {
    return "ScienceQA option-letter accuracy (LLaVA eval_science_qa.py): accuracy, img_accuracy";
  }
  std::vector<std::string> variants() const override { return {"llava"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.script = "llava/eval/eval_science_qa.py";
    info.repository = "haotian-liu/LLaVA";
    info.commit = "c121f04";
    info.python = "3";
    info.reads = {"problems", "pid_splits"};
    info.printed_decimals = 2;
    info.ignores_unknown_ids = true;  // it looks up each split problem in a dict of the answers
    return info;
  }
  std::vector<std::string> metric_names() const override { return {"accuracy", "img_accuracy"}; }
  // img_accuracy is a mean over a subset of the records.
  MetricKind metric_kind(const std::string& metric) const override {
    return metric == "accuracy" ? METRIC_KIND_MEAN_BINARY : METRIC_KIND_OTHER;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      SampleRecord r = start_record(s, predictions[i]);
      const int answer = s.meta.at("answer").get<int>();
      r.references = json::array({std::string(1, static_cast<char>('A' + answer))});
      // eval_science_qa.py: a missing answer is "FAILED" with prompt "Unknown", so it is not multimodal either.
      r.parsed = (r.missing || r.failed) ? "FAILED" : scienceqa_parse_answer(r.prediction);
      r.score = scienceqa_answer_index(r.parsed, s.meta.at("num_choices").get<int>()) == answer ? 1.0 : 0.0;
      // is_multimodal = '<image>' in the answer's prompt; answers without one (infeval's own) use the image.
      const json& source = predictions[i].source;
      const bool prompt_given = source.is_object() && source.contains("prompt") && source["prompt"].is_string();
      const bool has_image = prompt_given ? source["prompt"].get<std::string>().find("<image>") != std::string::npos
                                          : s.meta.at("has_image").get<bool>();
      r.extra["multimodal"] = !r.missing && !r.failed && has_image;
      records.push_back(std::move(r));
    }
    return records;
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
    return {"ScienceQA: every problem of the split counts, an absent answer as FAILED (eval_science_qa.py); "
            "img_accuracy counts answers whose prompt has \"<image>\" (the answer file's prompt, else the "
            "question file's or problems.json's image); answers for problems outside the split are ignored"};
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_scienceqa_adapter() { return std::make_unique<ScienceQaAdapter>(); }
std::unique_ptr<Scorer> make_scienceqa_scorer() { return std::make_unique<ScienceQaScorer>(); }

}  // namespace infeval

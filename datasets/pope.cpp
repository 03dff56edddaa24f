// POPE (LLaVA-1.5 protocol). Files:
//   questions: LLaVA question JSONL {"question_id", "image", "text", "category"} (category = adversarial|popular|random)
//   labels:    folder with coco_pope_<category>.json, JSON lines with "label" ("yes"/"no")
//   images:    image root (COCO val2014)
// As eval_pope.py does, the k-th question of a category (file order) is paired with the k-th label of that
// category's label file. Scorer "pope", variant "llava" (metrics/pope.h).
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/question_jsonl.h"
#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/pope.h"

namespace infeval {

namespace {

// category -> labels ("yes" = true) from <dir>/coco_pope_<category>.json, files in name order.
std::map<std::string, std::vector<bool>> read_pope_labels(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (!handle)
    throw InputError(fmt::format("{}: cannot open the POPE labels folder (hint: --file labels=DIR with "
                                 "coco_pope_{{adversarial,popular,random}}.json)", dir));
  std::vector<std::string> names;
  while (dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (starts_with(name, "coco_pope_") && ends_with(name, ".json") && name.size() > 15) names.push_back(name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  if (names.empty()) throw InputError(fmt::format("{}: no coco_pope_*.json label files", dir));
  std::map<std::string, std::vector<bool>> labels;
  for (const auto& name : names) {
    const std::string category = name.substr(10, name.size() - 15);
    const std::string path = dir + "/" + name;
    auto& list = labels[category];
    read_jsonl_file(path, [&](const json& record, int line) {
      const std::string where = fmt::format("{}:{}", path, line);
      list.push_back(require_string(record, "label", where) != "no");  // eval_pope.py: anything but "no" is yes
    });
  }
  return labels;
}

class PopeAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "pope"; }
  std::string description() const override {
    return "POPE: LLaVA question JSONL with category + coco_pope_<category>.json labels paired by order";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    const auto labels = read_pope_labels(files.at("labels"));
    std::map<std::string, size_t> position;  // category -> questions seen so far
    std::vector<Sample> samples =
        read_question_jsonl(path, images, [&](const json& record, const std::string& where, Sample* sample) {
      Sample& s = *sample;
      s.vars["question"] = require_string(record, "text", where);
      const std::string category = require_string(record, "category", where);
      auto it = labels.find(category);
      if (it == labels.end())
        throw InputError(fmt::format("{}: category '{}' has no label file coco_pope_{}.json in {}", where, category,
                                     category, files.at("labels")));
      const size_t k = position[category]++;
      if (k >= it->second.size())
        throw InputError(fmt::format("{}: question {} of category '{}' has no label (coco_pope_{}.json has {} "
                                     "lines; labels are paired with questions by order)",
                                     where, k + 1, category, category, it->second.size()));
      s.meta["category"] = category;
      s.meta["label"] = it->second[k] ? "yes" : "no";
    });
    for (const auto& [category, list] : labels)
      if (position[category] != list.size())
        throw InputError(fmt::format("{}: category '{}' has {} questions but coco_pope_{}.json has {} labels "
                                     "(they are paired by order, so the counts must agree)",
                                     path, category, position[category], category, list.size()));
    (void)task;
    return samples;
  }
};

class PopeScorer : public Scorer {
 public:
  std::string name() const override { return "pope"; }
  std::string description() const override {
    return "POPE accuracy/precision/recall/F1/yes-ratio per category (LLaVA eval_pope.py)";
  }
  std::vector<std::string> variants() const override { return {"llava"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.script = "llava/eval/eval_pope.py";
    info.repository = "haotian-liu/LLaVA";
    info.commit = "c121f04";
    info.python = "3";
    info.reads = {"questions", "labels"};
    info.scores_answered_only = true;  // it scores the answers of each category that the file holds
    return info;
  }
  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = {"accuracy", "f1"};
    for (const char* c : {"adversarial", "popular", "random"})
      for (const char* m : {"accuracy", "precision", "recall", "f1", "yes_ratio"})
        names.push_back(fmt::format("{}/{}", c, m));
    return names;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      SampleRecord r = start_record(s, predictions[i]);
      const std::string label = s.meta.at("label").get<std::string>();
      r.references = json::array({label});
      bool yes = pope_answer_is_yes(r.prediction);
      // A failed answer counts as wrong (the opposite of the label); a missing one is left out by aggregate().
      if (r.missing || r.failed) yes = label != "yes";
      r.parsed = yes ? "yes" : "no";
      r.score = (yes == (label == "yes")) ? 1.0 : 0.0;
      r.extra["category"] = s.meta.at("category");
      r.extra["label"] = label;
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    std::map<std::string, std::pair<std::vector<bool>, std::vector<bool>>> by_category;  // pred, label
    for (const auto& r : records) {
      if (r.missing) continue;  // eval_pope.py scores the answers present; a category without any is left out
      auto& entry = by_category[r.extra.at("category").get<std::string>()];
      entry.first.push_back(r.parsed == "yes");
      entry.second.push_back(r.extra.at("label").get<std::string>() == "yes");
    }
    std::map<std::string, double> metrics;
    double acc_sum = 0.0, f1_sum = 0.0;
    for (const auto& [category, lists] : by_category) {
      const PopeMetrics m = pope_metrics(lists.first, lists.second);
      metrics[category + "/accuracy"] = 100.0 * m.accuracy;
      metrics[category + "/precision"] = 100.0 * m.precision;
      metrics[category + "/recall"] = 100.0 * m.recall;
      metrics[category + "/f1"] = 100.0 * m.f1;
      metrics[category + "/yes_ratio"] = 100.0 * m.yes_ratio;
      acc_sum += m.accuracy;
      f1_sum += m.f1;
    }
    const double n = static_cast<double>(by_category.size());
    metrics["accuracy"] = by_category.empty() ? std::nan("") : 100.0 * acc_sum / n;
    metrics["f1"] = by_category.empty() ? std::nan("") : 100.0 * f1_sum / n;
    return metrics;
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"POPE: labels are paired with questions by position within a category (as eval_pope.py does); "
            "predictions are matched to questions by question_id first, so a reordered answer file scores the "
            "same",
            "POPE: the answers present are scored, as eval_pope.py does (it zips them with the labels, which "
            "pairs the same ones when each category's answers are a prefix in question order); a failed answer "
            "counts as wrong; precision/recall/F1 are 0 where eval_pope.py would divide by zero (no \"yes\" "
            "predicted)",
            "POPE: accuracy and f1 are means over the categories that have answers"};
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_pope_adapter() { return std::make_unique<PopeAdapter>(); }
std::unique_ptr<Scorer> make_pope_scorer() { return std::make_unique<PopeScorer>(); }

}  // namespace infeval

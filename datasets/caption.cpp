// COCO-format caption benchmarks (COCO Karpathy test, NoCaps val, Flickr30k test).
//   adapter "coco_captions": files annotations (COCO captions JSON: images[{id, file_name}],
//   annotations[{image_id, caption}]) + images root. One sample per image, id = image id (the id of COCO results
//   [{"image_id", "caption"}]), meta.references = the captions in file order.
//   scorer "coco_caption", variant "pycocoevalcap": BLEU-1..4, ROUGE-L, CIDEr(-D) in percent (metrics/caption_*).
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/json_record_list.h"
#include "datasets/unique_ids.h"
#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/caption_metrics.h"
#include "metrics/caption_tokenizer.h"

namespace infeval {

namespace {

class CocoCaptionsAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "coco_captions"; }
  std::string description() const override {
    return "COCO-format caption annotations: images[{id, file_name}], annotations[{image_id, caption}]";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    if (!files.count("annotations"))
      throw InputError(fmt::format("task {}: the coco_captions adapter needs an 'annotations' file", task.name));
    const std::string& path = files.at("annotations");
    const std::string images_root = files.count("images") ? files.at("images") : "";
    const JsonListDocument doc(path, "a COCO captions JSON object");
    const JsonRecordList images = doc.list("images");
    const JsonRecordList annotations = doc.list("annotations");

    std::vector<Sample> samples;
    std::unordered_map<std::string, size_t> index_of;
    UniqueIds image_ids("image id");
    for (size_t i = 0; i < images.size(); ++i) {
      const std::string where = images.where(i);
      Sample s;
      s.id = require_id(images[i], "id", where);
      image_ids.add(s.id, where);
      const std::string file_name = require_string(images[i], "file_name", where);
      s.image_path = images_root.empty() ? file_name : images_root + "/" + file_name;
      s.meta["references"] = json::array();
      index_of[s.id] = samples.size();
      samples.push_back(std::move(s));
    }
    for (size_t i = 0; i < annotations.size(); ++i) {
      const std::string where = annotations.where(i);
      const std::string image_id = require_id(annotations[i], "image_id", where);
      auto it = index_of.find(image_id);
      if (it == index_of.end())
        throw InputError(fmt::format("{}: caption for unknown image_id {} (not in 'images')", where, image_id));
      samples[it->second].meta["references"].push_back(require_string(annotations[i], "caption", where));
    }
    for (const auto& s : samples)
      if (s.meta["references"].empty())
        throw InputError(fmt::format("{}: image {} has no reference caption", image_ids.where(s.id), s.id));
    return samples;
  }
};

class CocoCaptionScorer : public Scorer {
 public:
  std::string name() const override { return "coco_caption"; }
  std::string description() const override {
    return "pycocoevalcap BLEU-1..4, ROUGE-L, CIDEr-D with a C++ PTB-style tokenizer (no Java)";
  }
  std::vector<std::string> variants() const override { return {"pycocoevalcap"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.script = "bleu/, rouge/, cider/ with tokenizer/ptbtokenizer.py (Stanford CoreNLP 3.4.1)";
    info.repository = "salaniz/pycocoevalcap";
    info.commit = "ad63453";
    info.python = "3";
    info.reads = {"annotations"};
    return info;
  }
  std::vector<std::string> metric_names() const override {
    return {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr"};
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string& variant) const override {
    check_variant(variant);
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      SampleRecord r = start_record(samples[i], predictions[i]);
      r.references = samples[i].meta.value("references", json::array());
      // A missing caption is scored as the empty caption (pycocoevalcap itself needs one per image).
      r.parsed = (r.missing || r.failed) ? "" : coco_tokenize_caption(r.prediction);
      json tokenized = json::array();
      for (const auto& ref : r.references) tokenized.push_back(coco_tokenize_caption(ref.get<std::string>()));
      r.extra["references_tokenized"] = tokenized;
      records.push_back(std::move(r));
    }
    // Per-sample score: the image's CIDEr-D (percent), with document frequencies from all these samples.
    const std::vector<double> cider = cider_d_scores(items_of(records));
    for (size_t i = 0; i < records.size(); ++i) records[i].score = 100.0 * cider[i];
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string& variant) const override {
    check_variant(variant);
    const std::vector<CaptionItem> items = items_of(records);
    std::map<std::string, double> metrics;
    if (items.empty()) return metrics;
    const BleuResult bleu = bleu_scores(items);
    for (int k = 0; k < 4; ++k) metrics[fmt::format("BLEU-{}", k + 1)] = 100.0 * bleu.corpus[k];
    std::vector<double> rouge;
    for (const auto& item : items) rouge.push_back(rouge_l(item.hypothesis, item.references));
    metrics["ROUGE-L"] = 100.0 * mean(rouge);
    metrics["CIDEr"] = 100.0 * mean(cider_d_scores(items));
    return metrics;
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"METEOR and SPICE unavailable (they need Java); not reported",
            "tokenization: C++ rendering of Stanford PTBTokenizer 3.4.1 (-preserveLines -lowerCase) + pycocoevalcap "
            "punctuation removal, checked against the 3.4.1 lexer; not covered: rules that look across captions "
            "(an abbreviation ending one caption before a capital), URLs, e-mail addresses, smileys",
            "CIDEr-D document frequencies and ref_len = log(#images) come from the evaluated images: subsets change "
            "CIDEr beyond sampling noise",
            "a missing caption is scored as the empty caption"};
  }

 private:
  static void check_variant(const std::string& variant) {
    if (variant != "pycocoevalcap")
      throw InputError(unknown_name_message("coco_caption variant", variant, {"pycocoevalcap"}, ""));
  }
  static std::vector<CaptionItem> items_of(const std::vector<SampleRecord>& records) {
    std::vector<CaptionItem> items;
    for (const auto& r : records) {
      CaptionItem item;
      item.hypothesis = r.parsed;
      for (const auto& ref : r.extra.value("references_tokenized", json::array()))
        item.references.push_back(ref.get<std::string>());
      if (item.references.empty()) item.references.push_back("");
      items.push_back(std::move(item));
    }
    return items;
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_coco_captions_adapter() { return std::make_unique<CocoCaptionsAdapter>(); }
std::unique_ptr<Scorer> make_coco_caption_scorer() { return std::make_unique<CocoCaptionScorer>(); }

}  // namespace infeval

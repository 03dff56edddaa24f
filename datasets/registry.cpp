#include "datasets/registry.h"

#include "core/error.h"
#include "core/text_util.h"

namespace infeval {

static const std::vector<std::unique_ptr<DatasetAdapter>>& adapters() {
  static const std::vector<std::unique_ptr<DatasetAdapter>> list = [] {
    std::vector<std::unique_ptr<DatasetAdapter>> v;
    v.push_back(make_qa_jsonl_adapter());
    v.push_back(make_vqa_official_adapter());
    v.push_back(make_vqa_questions_jsonl_adapter());
    v.push_back(make_coco_captions_adapter());
    v.push_back(make_textvqa_adapter());
    v.push_back(make_gqa_adapter());
    v.push_back(make_pope_adapter());
    v.push_back(make_mme_adapter());
    v.push_back(make_refcoco_adapter());
    v.push_back(make_scienceqa_adapter());
    v.push_back(make_seed_adapter());
    v.push_back(make_mmbench_adapter());
    v.push_back(make_mmvet_adapter());
    return v;
  }();
  return list;
}

static const std::vector<std::unique_ptr<Scorer>>& scorers() {
  static const std::vector<std::unique_ptr<Scorer>> list = [] {
    std::vector<std::unique_ptr<Scorer>> v;
    v.push_back(make_exact_match_scorer());
    v.push_back(make_vqav2_scorer());
    v.push_back(make_okvqa_scorer());
    v.push_back(make_vqav2_submission_scorer());
    v.push_back(make_coco_caption_scorer());
    v.push_back(make_textvqa_scorer());
    v.push_back(make_gqa_scorer());
    v.push_back(make_pope_scorer());
    v.push_back(make_mme_scorer());
    v.push_back(make_refcoco_scorer());
    v.push_back(make_scienceqa_scorer());
    v.push_back(make_seed_scorer());
    v.push_back(make_mmbench_scorer());
    v.push_back(make_mmvet_scorer());
    return v;
  }();
  return list;
}

std::vector<const DatasetAdapter*> all_adapters() {
  std::vector<const DatasetAdapter*> out;
  for (const auto& a : adapters()) out.push_back(a.get());
  return out;
}

std::vector<const Scorer*> all_scorers() {
  std::vector<const Scorer*> out;
  for (const auto& s : scorers()) out.push_back(s.get());
  return out;
}

const DatasetAdapter& find_adapter(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& a : adapters()) {
    if (a->name() == name) return *a;
    names.push_back(a->name());
  }
  throw InputError(unknown_name_message("dataset adapter", name, names, ""));
}

const Scorer& find_scorer(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& s : scorers()) {
    if (s->name() == name) return *s;
    names.push_back(s->name());
  }
  throw InputError(unknown_name_message("scorer", name, names, "infeval list metrics"));
}

}  // namespace infeval

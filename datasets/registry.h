// The explicit lists of dataset adapters and scorers (no static self-registration, which static libraries drop).
// Adding a benchmark of a new format: one adapter file (datasets/<name>.cpp defining make_<name>_adapter), its
// factory's declaration below and one line in registry.cpp's list, one configs/tasks/*.json.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

const DatasetAdapter& find_adapter(const std::string& name);  // InputError with suggestions if unknown
const Scorer& find_scorer(const std::string& name);
std::vector<const DatasetAdapter*> all_adapters();
std::vector<const Scorer*> all_scorers();

// Factories, each defined in its adapter's or scorer's own file (datasets/<name>.cpp).
std::unique_ptr<DatasetAdapter> make_qa_jsonl_adapter();
std::unique_ptr<Scorer> make_exact_match_scorer();
std::unique_ptr<DatasetAdapter> make_vqa_official_adapter();
std::unique_ptr<DatasetAdapter> make_vqa_questions_jsonl_adapter();
std::unique_ptr<Scorer> make_vqav2_scorer();
std::unique_ptr<Scorer> make_okvqa_scorer();
std::unique_ptr<Scorer> make_vqav2_submission_scorer();
std::unique_ptr<DatasetAdapter> make_coco_captions_adapter();
std::unique_ptr<Scorer> make_coco_caption_scorer();
std::unique_ptr<DatasetAdapter> make_textvqa_adapter();
std::unique_ptr<Scorer> make_textvqa_scorer();
std::unique_ptr<DatasetAdapter> make_gqa_adapter();
std::unique_ptr<Scorer> make_gqa_scorer();
std::unique_ptr<DatasetAdapter> make_pope_adapter();
std::unique_ptr<Scorer> make_pope_scorer();
std::unique_ptr<DatasetAdapter> make_mme_adapter();
std::unique_ptr<Scorer> make_mme_scorer();
std::unique_ptr<DatasetAdapter> make_refcoco_adapter();
std::unique_ptr<Scorer> make_refcoco_scorer();
std::unique_ptr<DatasetAdapter> make_scienceqa_adapter();
std::unique_ptr<Scorer> make_scienceqa_scorer();
std::unique_ptr<DatasetAdapter> make_seed_adapter();
std::unique_ptr<Scorer> make_seed_scorer();
std::unique_ptr<DatasetAdapter> make_mmbench_adapter();
std::unique_ptr<Scorer> make_mmbench_scorer();
std::unique_ptr<DatasetAdapter> make_mmvet_adapter();
std::unique_ptr<Scorer> make_mmvet_scorer();

}  // namespace infeval

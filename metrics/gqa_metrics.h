// GQA answer handling and metrics.
//   - official (LLaVA scripts/convert_gqa_for_eval.py + GQA eval.py): prediction = text.rstrip('.').lower(),
//     exact string equality with the gold answer (no strip); accuracy / binary (structural type != "query") / open;
//     distribution = chi-square of predicted vs gold answer counts per global group, weighted by group size, / 100.
//   - infmllm-chat (InfMLLM eval_gqa.py): rstrip('.').lower(), then strip().lower() equality.
//   - infmllm (InfMLLM evaluate_vqa.py, multitask): the post-processing chain below, then strip().lower() equality.
#pragma once
#include <string>
#include <vector>

namespace infeval {

std::string gqa_llava_prediction(const std::string& text);  // text.rstrip('.').lower()

// response.strip().split('.')[0].split(',')[0].split('!')[0].lower(); then, in order, for "is ", "are ", "a ",
// "an ", "the ": if it occurs, keep split(x)[1] (the text between its first and second occurrence); if " of"
// occurs keep split(' of')[0]; strip.
std::string gqa_infmllm_multitask_answer(const std::string& text);

// Python's s.split(separator)[index] ("" past the end is not possible in the scripts: callers test presence).
std::string python_split_part(const std::string& text, const std::string& separator, size_t index);

struct GqaDistributionItem {
  bool has_group = false;  // groups.global is not None
  std::string group;
  std::string gold;
  std::string predicted;
};

// chiSquare(gold, predicted) / 100 of eval.py, over groups in first-seen order. 0 when no item has a group (the
// script divides by zero there).
double gqa_distribution(const std::vector<GqaDistributionItem>& items);

}  // namespace infeval

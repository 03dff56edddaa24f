// VQA soft accuracy (10 human answers; an answer is right as far as min(1, #other annotators agreeing / 3)),
// in the four variants that published numbers come from. Per-question values are fractions in [0, 1].
#pragma once
#include <string>
#include <vector>

#include "metrics/python_text.h"

namespace infeval {

enum class VqaScoring {
  kOfficial,      // GT-Vision-Lab vqaEval.py, current (2021): strip; normalize GT and prediction only when the
                  // 10 GT answers disagree (otherwise the raw stripped strings are compared); Python 2.7 rules
  kOfficial2017,  // vqaEval.py of Oct 2017: prediction always fully normalized; GT only punctuation-processed and
                  // only when the GT answers disagree; Python 2.7 rules
  kInfmllm,       // InfMLLM vqa_metric.py (LAVIS VQAEval): GT and prediction always fully normalized; Python 3
  kLlava,         // EvalAI answer processor on the prediction (LLaVA's submission converter), then the kOfficial
                  // comparison, all under Python 3 rules
};

// The interpreter whose str/re/round semantics the variant's script has (metrics/python_text.h).
PythonVersion vqa_python_version(VqaScoring scoring);

// One human answer. `identity` is the rest of the answer record (answer_id, answer_confidence) serialized: the
// scripts exclude "the current answer" by dict inequality, so two identical records exclude each other.
struct VqaGtAnswer {
  std::string answer;
  std::string identity;
};

struct VqaQuestionScore {
  double accuracy = 0.0;                 // mean over GT answers of min(1, matches among the others / 3)
  std::string normalized_prediction;     // the prediction as compared
  std::vector<std::string> normalized_gts;
};

// InputError-free: an empty `gts` gives accuracy 0 (the scripts divide by zero; adapters reject it earlier).
VqaQuestionScore vqa_question_accuracy(const std::vector<VqaGtAnswer>& gts, const std::string& prediction,
                                       VqaScoring scoring);

// m4c TextVQAAccuracyEvaluator (LLaVA eval_textvqa.py): EvalAI processor on the prediction and on each GT answer;
// score = mean over GT index i of min(1, #(j != i with gt_j == pred) / 3). LLaVA asserts exactly 10 answers.
double m4c_textvqa_accuracy(const std::vector<std::string>& gt_answers, const std::string& prediction,
                            std::string* normalized_prediction);

// The scripts' aggregate: round(100 * float(sum(values)) / len(values), ndigits) with `python`'s round(); 0 if
// empty.
double vqa_rounded_percent(const std::vector<double>& values, int ndigits,
                           PythonVersion python = PythonVersion::k3);

}  // namespace infeval

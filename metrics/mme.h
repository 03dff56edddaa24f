// MME as its official eval tool (eval_tool/calculation.py) scores it. Each image has two yes/no questions, taken
// two lines at a time in file order. Per subtask: acc = fraction of questions right, acc+ = fraction of images with
// both right, score = 100*acc + 100*acc+. Perception = sum over the 10 perception subtasks (max 2000), cognition =
// sum over the 4 cognition subtasks (max 800).
#pragma once
#include <string>
#include <vector>

namespace infeval {

const std::vector<std::string>& mme_perception_subtasks();  // existence ... OCR, in the tool's order
const std::vector<std::string>& mme_cognition_subtasks();   // commonsense_reasoning ... code_reasoning
bool mme_is_subtask(const std::string& name);

// calculation.py's parse_pred_ans on the lowercased prediction: "yes"/"no" if it is exactly that; otherwise "yes"
// if its first 4 characters contain "yes", else "no" if they contain "no", else "other". Lowercasing is Python's
// str.lower(); "first 4 characters" are code points.
std::string mme_parse_prediction(const std::string& prediction);

struct MmeSubtaskScore {
  double acc = 0.0;       // fraction
  double acc_plus = 0.0;  // fraction
  double score = 0.0;     // 100*acc + 100*acc_plus
};

// gt[i] and parsed[i] ("yes"/"no"/"other") for the questions of one subtask in file order; questions 2k and 2k+1
// belong to one image. std::invalid_argument if the count is odd or zero (the tool asserts).
MmeSubtaskScore mme_subtask_score(const std::vector<std::string>& gt, const std::vector<std::string>& parsed);

}  // namespace infeval

// POPE as LLaVA's eval_pope.py scores it: answers parsed to yes/no, paired with the labels by position within a
// category, then TP/FP/TN/FN, accuracy, precision, recall, F1 and the yes-ratio (fractions in [0,1]).
#pragma once
#include <string>
#include <vector>

namespace infeval {

// eval_pope.py parsing: keep the text before the first "."; delete ","; split on single spaces; the answer is "no"
// if any word is exactly "No", "not" or "no", otherwise "yes" (so an empty or unrelated answer counts as yes).
bool pope_answer_is_yes(const std::string& text);

struct PopeMetrics {
  int tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0, yes_ratio = 0.0;
};

// pred_yes[i] is paired with label_yes[i] (position pairing; the longer list is cut to the shorter one, as zip()
// does; yes_ratio still counts all predictions). Where eval_pope.py divides by zero (no "yes" predicted, no "yes"
// label, or precision = recall = 0) the value is 0.0, the scikit-learn zero_division default; with no pairs at
// all, accuracy is NaN.
PopeMetrics pope_metrics(const std::vector<bool>& pred_yes, const std::vector<bool>& label_yes);

}  // namespace infeval

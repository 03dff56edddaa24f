#include "metrics/mme.h"

#include <algorithm>
#include <stdexcept>

#include "metrics/python_text.h"

namespace infeval {

const std::vector<std::string>& mme_perception_subtasks() {
  static const std::vector<std::string> names = {"existence", "count",     "position", "color",   "posters",
                                                 "celebrity", "scene",     "landmark", "artwork", "OCR"};
  return names;
}

const std::vector<std::string>& mme_cognition_subtasks() {
  static const std::vector<std::string> names = {"commonsense_reasoning", "numerical_calculation",
                                                 "text_translation", "code_reasoning"};
  return names;
}

bool mme_is_subtask(const std::string& name) {
  const auto& p = mme_perception_subtasks();
  const auto& c = mme_cognition_subtasks();
  return std::find(p.begin(), p.end(), name) != p.end() || std::find(c.begin(), c.end(), name) != c.end();
}

// The first `n` code points of UTF-8 text (a malformed byte counts as one).
static std::string first_code_points(const std::string& text, size_t n) {
  size_t pos = 0;
  for (size_t count = 0; count < n && pos < text.size(); ++count) {
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  }
  return text.substr(0, pos);
}

std::string mme_parse_prediction(const std::string& prediction) {
  const std::string lower = python_lower(prediction);
  if (lower == "yes" || lower == "no") return lower;
  const std::string prefix = first_code_points(lower, 4);
  if (prefix.find("yes") != std::string::npos) return "yes";
  if (prefix.find("no") != std::string::npos) return "no";
  return "other";
}

MmeSubtaskScore mme_subtask_score(const std::vector<std::string>& gt, const std::vector<std::string>& parsed) {
  if (gt.size() != parsed.size()) throw std::invalid_argument("MME: ground truth and predictions differ in length");
  if (gt.empty() || gt.size() % 2 != 0)
    throw std::invalid_argument("MME: a subtask needs an even, non-zero number of questions (two per image), got " +
                                std::to_string(gt.size()));
  size_t right = 0, both_right = 0;
  for (size_t i = 0; i < gt.size(); i += 2) {
    const bool a = gt[i] == parsed[i], b = gt[i + 1] == parsed[i + 1];
    right += static_cast<size_t>(a) + static_cast<size_t>(b);
    if (a && b) ++both_right;
  }
  MmeSubtaskScore s;
  s.acc = static_cast<double>(right) / static_cast<double>(gt.size());
  s.acc_plus = static_cast<double>(both_right) / static_cast<double>(gt.size() / 2);
  s.score = s.acc * 100 + s.acc_plus * 100;
  return s;
}

}  // namespace infeval

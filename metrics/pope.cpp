#include "metrics/pope.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace infeval {

bool pope_answer_is_yes(const std::string& text) {
  std::string first = text.substr(0, text.find('.'));  // npos: the whole text
  first.erase(std::remove(first.begin(), first.end(), ','), first.end());
  size_t start = 0;
  while (true) {  // str.split(' '): single spaces, empty words kept (they never match)
    const size_t end = first.find(' ', start);
    const std::string word = first.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (word == "No" || word == "not" || word == "no") return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

PopeMetrics pope_metrics(const std::vector<bool>& pred_yes, const std::vector<bool>& label_yes) {
  PopeMetrics m;
  const size_t pairs = std::min(pred_yes.size(), label_yes.size());
  for (size_t i = 0; i < pairs; ++i) {
    if (pred_yes[i] && label_yes[i]) ++m.tp;
    else if (pred_yes[i] && !label_yes[i]) ++m.fp;
    else if (!pred_yes[i] && !label_yes[i]) ++m.tn;
    else ++m.fn;
  }
  const auto ratio = [](double num, double den) { return den == 0.0 ? 0.0 : num / den; };
  const double tp = m.tp, fp = m.fp, tn = m.tn, fn = m.fn;
  m.precision = ratio(tp, tp + fp);
  m.recall = ratio(tp, tp + fn);
  m.f1 = ratio(2 * m.precision * m.recall, m.precision + m.recall);
  m.accuracy = pairs == 0 ? std::numeric_limits<double>::quiet_NaN() : (tp + tn) / (tp + tn + fp + fn);
  const size_t yes = static_cast<size_t>(std::count(pred_yes.begin(), pred_yes.end(), true));
  m.yes_ratio = pred_yes.empty() ? std::numeric_limits<double>::quiet_NaN()
                                 : static_cast<double>(yes) / static_cast<double>(pred_yes.size());
  return m;
}

}  // namespace infeval

#include "metrics/vqa_accuracy.h"

#include <algorithm>
#include <set>

#include "metrics/python_text.h"
#include "metrics/vqa_normalize.h"

namespace infeval {

namespace {

std::string full_normalize(const std::string& text, PythonVersion python) {
  return vqa_process_digit_article(vqa_process_punctuation(text, VqaCommaRule::kDigitCommaDigit, python), python);
}

// Applies `f` to every GT answer, computing it once per distinct string (the 10 answers repeat a lot).
template <typename F>
void normalize_each(std::vector<VqaGtAnswer>* gts, F f) {
  std::vector<std::pair<std::string, std::string>> done;  // raw -> normalized
  for (auto& gt : *gts) {
    bool cached = false;
    for (const auto& entry : done)
      if (entry.first == gt.answer) {
        gt.answer = entry.second;
        cached = true;
        break;
      }
    if (cached) continue;
    std::string normalized = f(gt.answer);
    done.emplace_back(gt.answer, normalized);
    gt.answer = std::move(normalized);
  }
}

}  // namespace

PythonVersion vqa_python_version(VqaScoring scoring) {
  return scoring == VqaScoring::kOfficial || scoring == VqaScoring::kOfficial2017 ? PythonVersion::k2
                                                                                   : PythonVersion::k3;
}

VqaQuestionScore vqa_question_accuracy(const std::vector<VqaGtAnswer>& gts, const std::string& prediction,
                                       VqaScoring scoring) {
  VqaQuestionScore result;
  const PythonVersion python = vqa_python_version(scoring);
  const auto normalize = [python](const std::string& text) { return full_normalize(text, python); };
  const auto clean = [python](const std::string& text) { return vqa_clean_whitespace(text, python); };
  std::vector<VqaGtAnswer> processed = gts;
  std::string pred = prediction;
  if (scoring == VqaScoring::kLlava) pred = evalai_answer_processor(pred);

  std::set<std::string> distinct_raw;
  for (const auto& gt : gts) distinct_raw.insert(gt.answer);

  switch (scoring) {
    case VqaScoring::kOfficial:
    case VqaScoring::kLlava: {
      std::set<std::string> distinct;
      for (auto& gt : processed) {
        gt.answer = clean(gt.answer);
        distinct.insert(gt.answer);
      }
      pred = clean(pred);
      if (distinct.size() > 1) {
        normalize_each(&processed, normalize);
        pred = normalize(pred);
      }
      break;
    }
    case VqaScoring::kOfficial2017:
      pred = normalize(clean(pred));
      if (distinct_raw.size() > 1)
        normalize_each(&processed, [python](const std::string& a) {
          return vqa_process_punctuation(a, VqaCommaRule::kDigitCommaDigit, python);
        });
      break;
    case VqaScoring::kInfmllm:
      pred = normalize(clean(pred));
      normalize_each(&processed, [&](const std::string& a) { return normalize(clean(a)); });
      break;
  }

  double sum = 0.0;
  for (size_t i = 0; i < processed.size(); ++i) {
    int matches = 0;
    for (size_t j = 0; j < processed.size(); ++j) {
      const bool same_record =
          processed[j].answer == processed[i].answer && processed[j].identity == processed[i].identity;
      if (!same_record && processed[j].answer == pred) ++matches;
    }
    sum += std::min(1.0, static_cast<double>(matches) / 3.0);
  }
  result.accuracy = processed.empty() ? 0.0 : sum / static_cast<double>(processed.size());
  result.normalized_prediction = pred;
  for (const auto& gt : processed) result.normalized_gts.push_back(gt.answer);
  return result;
}

double m4c_textvqa_accuracy(const std::vector<std::string>& gt_answers, const std::string& prediction,
                            std::string* normalized_prediction) {
  const std::string pred = evalai_answer_processor(prediction);
  if (normalized_prediction) *normalized_prediction = pred;
  std::vector<VqaGtAnswer> processed;
  for (const auto& a : gt_answers) processed.push_back({a, ""});
  normalize_each(&processed, evalai_answer_processor);
  std::vector<std::string> answers;
  for (const auto& a : processed) answers.push_back(a.answer);
  // Python: unique_answer_scores.get(pred, 0.0): 0 unless pred equals some processed GT answer.
  if (std::find(answers.begin(), answers.end(), pred) == answers.end()) return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < answers.size(); ++i) {
    int matches = 0;
    for (size_t j = 0; j < answers.size(); ++j)
      if (j != i && answers[j] == pred) ++matches;
    sum += std::min(1.0, static_cast<double>(matches) / 3.0);
  }
  return answers.empty() ? 0.0 : sum / static_cast<double>(answers.size());
}

double vqa_rounded_percent(const std::vector<double>& values, int ndigits, PythonVersion python) {
  if (values.empty()) return 0.0;
  double sum = 0.0;
  for (double v : values) sum += v;
  return python_round(100.0 * sum / static_cast<double>(values.size()), ndigits, python);
}

}  // namespace infeval

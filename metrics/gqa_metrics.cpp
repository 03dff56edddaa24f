#include "metrics/gqa_metrics.h"

#include <map>
#include <unordered_map>

#include "metrics/python_text.h"

namespace infeval {

std::string gqa_llava_prediction(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '.') --end;
  return python_lower(text.substr(0, end));
}

std::string python_split_part(const std::string& text, const std::string& separator, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    const size_t found = text.find(separator, start);
    if (found == std::string::npos) return "";
    start = found + separator.size();
  }
  const size_t end = text.find(separator, start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string gqa_infmllm_multitask_answer(const std::string& text) {
  std::string response = python_strip(text);
  response = python_split_part(response, ".", 0);
  response = python_split_part(response, ",", 0);
  response = python_split_part(response, "!", 0);
  response = python_lower(response);
  for (const char* word : {"is ", "are ", "a ", "an ", "the "})
    if (response.find(word) != std::string::npos) response = python_split_part(response, word, 1);
  if (response.find(" of") != std::string::npos) response = python_split_part(response, " of", 0);
  return python_strip(response);
}

double gqa_distribution(const std::vector<GqaDistributionItem>& items) {
  std::vector<std::string> group_order;
  // group -> answer -> count, answers in first-seen order for the gold side
  std::unordered_map<std::string, std::vector<std::pair<std::string, int>>> gold;
  std::unordered_map<std::string, std::unordered_map<std::string, int>> predicted;
  for (const auto& item : items) {
    if (!item.has_group) continue;
    auto it = gold.find(item.group);
    if (it == gold.end()) {
      group_order.push_back(item.group);
      it = gold.emplace(item.group, std::vector<std::pair<std::string, int>>{}).first;
    }
    bool found = false;
    for (auto& entry : it->second)
      if (entry.first == item.gold) {
        ++entry.second;
        found = true;
      }
    if (!found) it->second.emplace_back(item.gold, 1);
    predicted[item.group][item.predicted] += 1;
  }
  double sum_score = 0.0;
  long long sum_overall = 0;
  for (const auto& group : group_order) {
    double score = 0.0;
    long long overall = 0;
    for (const auto& [answer, e] : gold.at(group)) {
      auto p = predicted[group].find(answer);
      const int o = p == predicted[group].end() ? 0 : p->second;
      score += (static_cast<double>(o - e) * static_cast<double>(o - e)) / e;
      overall += e;
    }
    sum_score += score * static_cast<double>(overall);
    sum_overall += overall;
  }
  if (sum_overall == 0) return 0.0;
  return sum_score / static_cast<double>(sum_overall) / 100.0;
}

}  // namespace infeval

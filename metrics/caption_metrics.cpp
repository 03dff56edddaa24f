#include "metrics/caption_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

#include "metrics/python_text.h"

namespace infeval {

namespace {

constexpr int kMaxN = 4;

// n-gram -> count for n = 1..4 of a whitespace-split sentence; n-grams joined with '\x01'.
using NgramCounts = std::map<std::string, int>;

NgramCounts ngram_counts(const std::vector<std::string>& words) {
  NgramCounts counts;
  for (int k = 1; k <= kMaxN; ++k) {
    for (size_t i = 0; i + k <= words.size(); ++i) {
      std::string key = words[i];
      for (int j = 1; j < k; ++j) key += '\x01' + words[i + j];
      counts[key] += 1;
    }
  }
  return counts;
}

int ngram_order(const std::string& key) { return 1 + static_cast<int>(std::count(key.begin(), key.end(), '\x01')); }

}  // namespace

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

BleuResult bleu_scores(const std::vector<CaptionItem>& items) {
  const double tiny = 1e-15, small = 1e-9;
  BleuResult result;
  double total_guess[kMaxN] = {0, 0, 0, 0}, total_correct[kMaxN] = {0, 0, 0, 0};
  double total_testlen = 0, total_reflen = 0;
  for (const auto& item : items) {
    std::vector<int> reflens;
    std::map<std::string, int> max_counts;
    for (const auto& ref : item.references) {
      const auto words = python_split_whitespace(ref);
      reflens.push_back(static_cast<int>(words.size()));
      for (const auto& [ngram, count] : ngram_counts(words)) max_counts[ngram] = std::max(max_counts[ngram], count);
    }
    const auto test_words = python_split_whitespace(item.hypothesis);
    const int testlen = static_cast<int>(test_words.size());
    // 'closest': min over (|l - testlen|, l), so a tie goes to the shorter reference.
    int reflen = reflens.empty() ? 0 : reflens[0];
    for (int l : reflens)
      if (std::abs(l - testlen) < std::abs(reflen - testlen) ||
          (std::abs(l - testlen) == std::abs(reflen - testlen) && l < reflen))
        reflen = l;
    double guess[kMaxN], correct[kMaxN] = {0, 0, 0, 0};
    for (int k = 0; k < kMaxN; ++k) guess[k] = std::max(0, testlen - k);
    for (const auto& [ngram, count] : ngram_counts(test_words)) {
      auto it = max_counts.find(ngram);
      correct[ngram_order(ngram) - 1] += std::min(it == max_counts.end() ? 0 : it->second, count);
    }
    total_testlen += testlen;
    total_reflen += reflen;
    std::vector<double> per(kMaxN);
    double bleu = 1.0;
    for (int k = 0; k < kMaxN; ++k) {
      total_guess[k] += guess[k];
      total_correct[k] += correct[k];
      bleu *= (correct[k] + tiny) / (guess[k] + small);
      per[k] = std::pow(bleu, 1.0 / (k + 1));
    }
    const double ratio = (testlen + tiny) / (reflen + small);
    if (ratio < 1)
      for (int k = 0; k < kMaxN; ++k) per[k] *= std::exp(1 - 1 / ratio);
    result.per_item.push_back(per);
  }
  double bleu = 1.0;
  for (int k = 0; k < kMaxN; ++k) {
    bleu *= (total_correct[k] + tiny) / (total_guess[k] + small);
    result.corpus[k] = std::pow(bleu, 1.0 / (k + 1));
  }
  const double ratio = (total_testlen + tiny) / (total_reflen + small);
  if (ratio < 1)
    for (int k = 0; k < kMaxN; ++k) result.corpus[k] *= std::exp(1 - 1 / ratio);
  return result;
}

double rouge_l(const std::string& hypothesis, const std::vector<std::string>& references) {
  const double beta = 1.2;
  const std::vector<std::string> candidate = python_split(hypothesis, " ");  // str.split(" "): empty parts kept
  double prec_max = 0.0, rec_max = 0.0;
  bool first = true;
  for (const auto& reference : references) {
    const std::vector<std::string> ref = python_split(reference, " ");
    const auto& longer = ref.size() >= candidate.size() ? ref : candidate;
    const auto& shorter = ref.size() >= candidate.size() ? candidate : ref;
    std::vector<std::vector<int>> lengths(longer.size() + 1, std::vector<int>(shorter.size() + 1, 0));
    for (size_t j = 1; j <= shorter.size(); ++j)
      for (size_t i = 1; i <= longer.size(); ++i)
        lengths[i][j] = longer[i - 1] == shorter[j - 1] ? lengths[i - 1][j - 1] + 1
                                                         : std::max(lengths[i - 1][j], lengths[i][j - 1]);
    const double lcs = lengths[longer.size()][shorter.size()];
    const double prec = lcs / static_cast<double>(candidate.size());
    const double rec = lcs / static_cast<double>(ref.size());
    prec_max = first ? prec : std::max(prec_max, prec);
    rec_max = first ? rec : std::max(rec_max, rec);
    first = false;
  }
  if (prec_max != 0 && rec_max != 0)
    return ((1 + beta * beta) * prec_max * rec_max) / (rec_max + beta * beta * prec_max);
  return 0.0;
}

std::vector<double> cider_d_scores(const std::vector<CaptionItem>& items) {
  const double sigma = 6.0;
  std::vector<NgramCounts> tests;
  std::vector<std::vector<NgramCounts>> refs;
  std::unordered_map<std::string, double> document_frequency;
  for (const auto& item : items) {
    tests.push_back(ngram_counts(python_split_whitespace(item.hypothesis)));
    std::vector<NgramCounts> r;
    std::set<std::string> seen;
    for (const auto& ref : item.references) {
      r.push_back(ngram_counts(python_split_whitespace(ref)));
      for (const auto& entry : r.back()) seen.insert(entry.first);
    }
    for (const auto& ngram : seen) document_frequency[ngram] += 1.0;
    refs.push_back(std::move(r));
  }
  const double ref_len = std::log(static_cast<double>(items.size()));

  struct Vec {
    std::map<std::string, double> v[kMaxN];
    double norm[kMaxN] = {0, 0, 0, 0};
    int length = 0;
  };
  auto counts2vec = [&](const NgramCounts& counts) {
    Vec vec;
    for (const auto& [ngram, tf] : counts) {
      auto it = document_frequency.find(ngram);
      const double df = std::log(std::max(1.0, it == document_frequency.end() ? 0.0 : it->second));
      const int n = ngram_order(ngram) - 1;
      const double value = static_cast<double>(tf) * (ref_len - df);
      vec.v[n][ngram] = value;
      vec.norm[n] += value * value;
      if (n == 1) vec.length += tf;  // the script's "length" counts bigrams
    }
    for (double& norm : vec.norm) norm = std::sqrt(norm);
    return vec;
  };

  std::vector<double> scores;
  for (size_t i = 0; i < items.size(); ++i) {
    const Vec hyp = counts2vec(tests[i]);
    double score[kMaxN] = {0, 0, 0, 0};
    for (const auto& ref_counts : refs[i]) {
      const Vec ref = counts2vec(ref_counts);
      const double delta = static_cast<double>(hyp.length - ref.length);
      for (int n = 0; n < kMaxN; ++n) {
        double val = 0.0;
        for (const auto& [ngram, value] : hyp.v[n]) {
          auto it = ref.v[n].find(ngram);
          const double ref_value = it == ref.v[n].end() ? 0.0 : it->second;
          val += std::min(value, ref_value) * ref_value;
        }
        if (hyp.norm[n] != 0 && ref.norm[n] != 0) val /= (hyp.norm[n] * ref.norm[n]);
        val *= std::exp(-(delta * delta) / (2 * sigma * sigma));
        score[n] += val;
      }
    }
    double avg = (score[0] + score[1] + score[2] + score[3]) / kMaxN;
    avg /= static_cast<double>(refs[i].size());
    avg *= 10.0;
    scores.push_back(avg);
  }
  return scores;
}

}  // namespace infeval

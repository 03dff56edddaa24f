// COCO caption metrics as pycocoevalcap computes them, on already tokenized captions (coco_tokenize_caption):
//   BLEU-1..4 (bleu_scorer.py: corpus statistics, 'closest' reference length, ties to the shorter reference,
//   tiny = 1e-15 / small = 1e-9 smoothing), ROUGE-L (rouge.py: LCS on split(" "), beta = 1.2, max precision and
//   max recall over references), CIDEr-D (cider_scorer.py: n = 4, sigma = 6, document frequencies from the
//   references of the evaluated images, ref_len = log(#images), "length" = number of bigrams, x10).
// Values here are fractions as pycocoevalcap returns them (CIDEr 1.703); callers convert to percent.
#pragma once
#include <string>
#include <vector>

namespace infeval {

struct CaptionItem {
  std::string hypothesis;               // tokenized
  std::vector<std::string> references;  // tokenized, at least one
};

struct BleuResult {
  double corpus[4] = {0, 0, 0, 0};                 // Bleu_1..Bleu_4
  std::vector<std::vector<double>> per_item;       // per_item[i][k]
};

BleuResult bleu_scores(const std::vector<CaptionItem>& items);
double rouge_l(const std::string& hypothesis, const std::vector<std::string>& references);
// Per-item CIDEr-D; the corpus value is their mean.
std::vector<double> cider_d_scores(const std::vector<CaptionItem>& items);

double mean(const std::vector<double>& values);

}  // namespace infeval

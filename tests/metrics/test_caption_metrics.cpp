// Caption metrics against pycocoevalcap run on the same tokenized captions (tests/data/captions/README.md), and
// the PTB-style tokenizer on hand-derived cases (Stanford PTBTokenizer conventions).
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics/caption_metrics.h"
#include "metrics/caption_tokenizer.h"

namespace infeval {
namespace {

using json = nlohmann::json;

json load(const std::string& name) {
  std::ifstream in(std::string(INFEVAL_TEST_DATA) + "/captions/" + name);
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

struct Loaded {
  std::vector<std::string> ids;
  std::vector<CaptionItem> items;
};

Loaded load_items() {
  const json annotations = load("annotations.json");
  const json results = load("results.json");
  Loaded loaded;
  std::map<long long, size_t> index;
  for (const auto& image : annotations["images"]) {
    index[image["id"].get<long long>()] = loaded.items.size();
    loaded.ids.push_back(std::to_string(image["id"].get<long long>()));
    loaded.items.emplace_back();
  }
  for (const auto& a : annotations["annotations"])
    loaded.items[index.at(a["image_id"].get<long long>())].references.push_back(a["caption"]);
  for (const auto& r : results) loaded.items[index.at(r["image_id"].get<long long>())].hypothesis = r["caption"];
  return loaded;
}

TEST(CaptionMetrics, BleuMatchesPycocoevalcap) {
  const json expected = load("expected.json");
  const Loaded loaded = load_items();
  const BleuResult bleu = bleu_scores(loaded.items);
  for (int k = 0; k < 4; ++k) {
    const std::string key = "Bleu_" + std::to_string(k + 1);
    EXPECT_NEAR(bleu.corpus[k], expected[key].get<double>(), 1e-6 / 100) << key;
    for (size_t i = 0; i < loaded.ids.size(); ++i)
      EXPECT_NEAR(bleu.per_item[i][k], expected["per_image"][loaded.ids[i]][key].get<double>(), 1e-9 / 100)
          << key << " image " << loaded.ids[i];
  }
}

TEST(CaptionMetrics, RougeLMatchesPycocoevalcap) {
  const json expected = load("expected.json");
  const Loaded loaded = load_items();
  std::vector<double> scores;
  for (size_t i = 0; i < loaded.items.size(); ++i) {
    scores.push_back(rouge_l(loaded.items[i].hypothesis, loaded.items[i].references));
    EXPECT_NEAR(scores.back(), expected["per_image"][loaded.ids[i]]["ROUGE_L"].get<double>(), 1e-11) << loaded.ids[i];
  }
  EXPECT_NEAR(mean(scores), expected["ROUGE_L"].get<double>(), 1e-8);
}

TEST(CaptionMetrics, CiderDMatchesPycocoevalcap) {
  const json expected = load("expected.json");
  const Loaded loaded = load_items();
  const std::vector<double> scores = cider_d_scores(loaded.items);
  for (size_t i = 0; i < loaded.items.size(); ++i)
    EXPECT_NEAR(scores[i], expected["per_image"][loaded.ids[i]]["CIDEr"].get<double>(), 1e-11) << loaded.ids[i];
  EXPECT_NEAR(mean(scores), expected["CIDEr"].get<double>(), 1e-8);
}

// Hand-derived: hypothesis of 5 words, references of 4 and 6 words: 'closest' ties go to the shorter (4), so
// no brevity penalty; with 6 the penalty exp(1 - 6/5) would apply.
TEST(CaptionMetrics, BleuClosestReferenceLengthTieTakesTheShorter) {
  const BleuResult bleu = bleu_scores({{"a b c d e", {"a b c d", "x y z w v u"}}});
  EXPECT_NEAR(bleu.corpus[0], (4 + 1e-15) / (5 + 1e-9), 1e-12);  // 4 of 5 unigrams match, ratio 5/4 >= 1
}

TEST(CaptionTokenizer, LeavesTokenizedCaptionsUnchanged) {
  for (const std::string caption : {"a dog runs on the grass", "people at a café", "cats cats cats", "",
                                    "a man riding a bicycle down the street"})
    EXPECT_EQ(coco_tokenize_caption(caption), caption);
}

// Expected strings from CoreNLP 3.4.1's own PTB lexer (tests/data/captions/ptb/, tokenizer_expected.json: the
// lexer built from PTBLexer.flex at v3.4.1, -preserveLines -lowerCase, then pycocoevalcap's punctuation filter).
TEST(CaptionTokenizer, MatchesCoreNlp341OnTrickyCaptions) {
  std::ifstream in(std::string(INFEVAL_TEST_DATA) + "/captions/tokenizer_expected.json");
  const nlohmann::json cases = nlohmann::json::parse(in);
  ASSERT_GT(cases.size(), 30u);
  for (const auto& c : cases)
    EXPECT_EQ(coco_tokenize_caption(c["caption"].get<std::string>()), c["coco"].get<std::string>())
        << c["caption"].get<std::string>() << " (PTB: " << c["ptb"].get<std::string>() << ")";
}

// pycocoevalcap replaces a newline inside a caption with a space before tokenizing (hand-derived).
TEST(CaptionTokenizer, NewlineInsideACaptionIsASpace) {
  EXPECT_EQ(coco_tokenize_caption("A  line\nbreak"), "a line break");
}

}  // namespace
}  // namespace infeval

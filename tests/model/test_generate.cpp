// Greedy and beam-search decoding through the whole model (golden pixel_values -> ViT -> pool-adapter -> prompt ->
// LLaMA -> search) against the reference generate() outputs recorded in golden.json: token sequences identical,
// beam sequences_scores within 1e-3, decoded texts identical.
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/generate.h"
#include "model/llama.h"
#include "model/prompting.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

using namespace testing_fixture;

// Golden sequences are padded with pad 0 after EOS; ours stop at EOS.
std::vector<int> unpadded(const json& sequence, int eos) {
  std::vector<int> out;
  for (const json& id : sequence) {
    out.push_back(id.get<int>());
    if (out.back() == eos) break;
  }
  while (!out.empty() && out.back() == 0) out.pop_back();
  return out;
}

GenerationSettings settings_from(const json& kwargs) {
  GenerationSettings s;
  s.num_beams = kwargs.value("num_beams", 1);
  s.max_new_tokens = kwargs.value("max_new_tokens", 10);
  s.length_penalty = kwargs.value("length_penalty", 1.0);
  s.min_length = kwargs.value("min_length", 1);
  return s;
}

// The golden prompt ids ([bos] + before, after): generation is checked independently of the tokenizer (prompt
// construction from text is checked in test_llama.cpp).
PromptIds golden_prompt(const json& token_ids) {
  PromptIds ids;
  ids.before = {1};
  for (const json& id : token_ids["before"]) ids.before.push_back(id.get<int>());
  ids.after = token_ids["after"].get<std::vector<int>>();
  return ids;
}

// Visual tokens of golden images [first, first + count).
at::Tensor visual_tokens(int64_t first, int64_t count) {
  const InfMllmModel& model = fixture_model();
  return model.visual_tokens(model.vision_features(golden_tensor("pixel_values").narrow(0, first, count)));
}

// A multitask case's golden prompts with golden images 0..Q-1, as one left-padded batch.
PromptBatch golden_case_batch(const json& c) {
  std::vector<PromptIds> prompts;
  for (const json& t : c["token_ids"]) prompts.push_back(golden_prompt(t));
  const int64_t Q = static_cast<int64_t>(prompts.size());
  return assemble_prompt_batch(fixture_model().llama(), prompts, visual_tokens(0, Q), 0);
}

void check_multitask_case(const std::string& name, const std::string& mode) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"][name];
  const json& g = c["generate"][mode];
  const int64_t Q = static_cast<int64_t>(c["token_ids"].size());
  const PromptBatch batch = golden_case_batch(c);
  const GenerationSettings settings = settings_from(g["kwargs"]);
  const GenerationOutput out = generate_tokens(model.llama(), batch.embeds, batch.mask, settings, 2, 0);
  ASSERT_EQ(out.sequences.size(), static_cast<size_t>(Q));
  for (int64_t q = 0; q < Q; ++q) {
    EXPECT_EQ(out.sequences[q], unpadded(g["sequences"][q], 2)) << name << " " << mode << " sample " << q;
    if (!g["sequences_scores"].is_null()) {
      EXPECT_NEAR(out.scores[q], g["sequences_scores"][q].get<double>(), 1e-3) << name << " " << mode << " " << q;
    }
  }
}

TEST(Generate, VqaGreedyMatchesGolden) { check_multitask_case("vqa", "greedy"); }
TEST(Generate, VqaBeam5MatchesGolden) { check_multitask_case("vqa", "beam5"); }
TEST(Generate, GroundingGreedyMatchesGolden) { check_multitask_case("grounding", "greedy"); }
TEST(Generate, GroundingBeam5MatchesGolden) { check_multitask_case("grounding", "beam5"); }

TEST(Generate, ChatGreedyMatchesGolden) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& cases = golden_json()["cases"]["chat"];
  GenerationSettings settings;
  settings.max_new_tokens = 20;
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& c = cases[i];
    PromptIds ids;
    ids.before = c["ids_before_image"].get<std::vector<int>>();
    ids.after = c["ids_after_image"].get<std::vector<int>>();
    const PromptBatch batch =
        assemble_prompt_batch(model.llama(), {ids}, visual_tokens(static_cast<int64_t>(i), 1), 0);
    const GenerationOutput out = generate_tokens(model.llama(), batch.embeds, batch.mask, settings, 2, 0);
    EXPECT_EQ(out.sequences[0], unpadded(c["sequence"], 2)) << "chat " << i << " (min_top2_margin "
                                                              << c["min_top2_margin"] << ")";
  }
}

// --record-margins: the greedy margin of a step is the gap between the two best next-token logits. The smallest one
// along each golden path is recorded by the reference (min_top2_margin); recording changes no token.
TEST(Generate, GreedyMarginsMatchTheReferencesSmallestGap) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  for (const std::string name : {"vqa", "grounding"}) {
    const json& c = golden_json()["cases"][name];
    const json& g = c["generate"]["greedy"];
    const int64_t Q = static_cast<int64_t>(c["token_ids"].size());
    const PromptBatch batch = golden_case_batch(c);
    const GenerationOutput out =
        generate_tokens(model.llama(), batch.embeds, batch.mask, settings_from(g["kwargs"]), 2, 0, nullptr, true);
    ASSERT_EQ(out.margins.size(), static_cast<size_t>(Q));
    float smallest = std::numeric_limits<float>::infinity();
    for (int64_t q = 0; q < Q; ++q) {
      EXPECT_EQ(out.sequences[q], unpadded(g["sequences"][q], 2)) << name << " " << q;
      ASSERT_EQ(out.margins[q].size(), out.sequences[q].size()) << name << " " << q;
      for (const float m : out.margins[q]) {
        EXPECT_GE(m, 0.0f);
        smallest = std::min(smallest, m);
      }
    }
    EXPECT_NEAR(smallest, g["min_top2_margin"].get<double>(), 2e-4) << name;
  }
}

// Beam margins (the gap at the beam-set boundary, and best vs second-best hypothesis) are gaps between sorted
// candidates, so never negative; recording them changes neither the sequences nor the scores.
TEST(Generate, BeamMarginsAreRecordedWithoutChangingTheSearch) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"]["grounding"];
  const json& g = c["generate"]["beam5"];
  const int64_t Q = static_cast<int64_t>(c["token_ids"].size());
  const PromptBatch batch = golden_case_batch(c);
  const GenerationOutput out =
      generate_tokens(model.llama(), batch.embeds, batch.mask, settings_from(g["kwargs"]), 2, 0, nullptr, true);
  ASSERT_EQ(out.margins.size(), static_cast<size_t>(Q));
  ASSERT_EQ(out.final_margins.size(), static_cast<size_t>(Q));
  for (int64_t q = 0; q < Q; ++q) {
    EXPECT_EQ(out.sequences[q], unpadded(g["sequences"][q], 2)) << q;
    EXPECT_NEAR(out.scores[q], g["sequences_scores"][q].get<double>(), 1e-3) << q;
    EXPECT_FALSE(out.margins[q].empty());
    for (const float m : out.margins[q]) EXPECT_GE(m, 0.0f);
    EXPECT_GE(out.final_margins[q], 0.0f);
  }
}

// Batching must not change results: each VQA prompt alone (no padding) gives the batched golden sequences.
TEST(Generate, BatchOfOneGivesTheBatchedResults) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"]["vqa"];
  for (const std::string mode : {"greedy", "beam5"}) {
    const json& g = c["generate"][mode];
    for (size_t q = 0; q < c["prompts"].size(); ++q) {
      const PromptIds ids = golden_prompt(c["token_ids"][q]);
      const PromptBatch batch =
          assemble_prompt_batch(model.llama(), {ids}, visual_tokens(static_cast<int64_t>(q), 1), 0);
      const GenerationOutput out = generate_tokens(model.llama(), batch.embeds, batch.mask,
                                                   settings_from(g["kwargs"]), 2, 0);
      EXPECT_EQ(out.sequences[0], unpadded(g["sequences"][q], 2)) << mode << " sample " << q;
    }
  }
}

// min_length: EOS is masked while fewer than min_length tokens are generated. Declaring the golden greedy first
// token (923 for VQA sample 0) to be EOS: with min_length 0 the sequence is just that token; with min_length 1 it
// is masked at step 0, so the first token differs and generation goes on.
TEST(Generate, MinLengthMasksEosUntilReached) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"]["vqa"];
  const int first = c["generate"]["greedy"]["sequences"][0][0].get<int>();
  const PromptIds ids = golden_prompt(c["token_ids"][0]);
  const PromptBatch batch = assemble_prompt_batch(model.llama(), {ids}, visual_tokens(0, 1), 0);
  GenerationSettings settings;
  settings.max_new_tokens = 5;
  settings.min_length = 0;
  GenerationOutput out = generate_tokens(model.llama(), batch.embeds, batch.mask, settings, first, 0);
  EXPECT_EQ(out.sequences[0], std::vector<int>{first});
  settings.min_length = 1;
  out = generate_tokens(model.llama(), batch.embeds, batch.mask, settings, first, 0);
  ASSERT_FALSE(out.sequences[0].empty());
  EXPECT_NE(out.sequences[0][0], first);
  EXPECT_GT(out.sequences[0].size(), 1u);
}

// The backend's last step: the golden token sequences decode to the golden texts.
TEST(Generate, GoldenSequencesDecodeToGoldenTexts) {
  const Tokenizer& tokenizer = fixture_model().tokenizer();
  for (const std::string name : {"vqa", "grounding"}) {
    for (const std::string mode : {"greedy", "beam5"}) {
      const json& g = golden_json()["cases"][name]["generate"][mode];
      for (size_t q = 0; q < g["sequences"].size(); ++q) {
        EXPECT_EQ(tokenizer.decode(unpadded(g["sequences"][q], 2)), g["texts"][q].get<std::string>())
            << name << " " << mode << " " << q;
      }
    }
  }
  for (const json& c : golden_json()["cases"]["chat"]) {
    EXPECT_EQ(tokenizer.decode(unpadded(c["sequence"], 2)), c["text"].get<std::string>());
  }
}

// Numerical faults fail the question they hit, not its batch: question 1's prompt embeddings hold a NaN (so do its
// logits), questions 0 and 2 still get their golden sequences, greedy and beam 5 alike.
TEST(Generate, NonFiniteLogitsFailOnlyThatQuestion) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"]["vqa"];
  PromptBatch batch = golden_case_batch(c);
  const int64_t last = batch.embeds.size(1) - 1;  // a real token of every row (left padding)
  batch.embeds[1][last][0] = std::numeric_limits<float>::quiet_NaN();
  for (const std::string mode : {"greedy", "beam5"}) {
    const json& g = c["generate"][mode];
    const GenerationOutput out =
        generate_tokens(model.llama(), batch.embeds, batch.mask, settings_from(g["kwargs"]), 2, 0, nullptr, true);
    ASSERT_EQ(out.errors.size(), 3u);
    EXPECT_NE(out.errors[1].find("not finite"), std::string::npos) << mode << ": " << out.errors[1];
    EXPECT_TRUE(out.sequences[1].empty()) << mode;
    for (const int64_t q : {0, 2}) {
      EXPECT_EQ(out.errors[q], "") << mode << " " << q;
      EXPECT_EQ(out.sequences[q], unpadded(g["sequences"][q], 2)) << mode << " " << q;
    }
  }
}

// A question whose generation would run past max_position_embeddings fails, naming the limit. Hand-derived: VQA
// prompt 0 has 1 (bos) + 3 + 16 visual + 11 = 31 tokens, so new token k (0-based) is fed at position 31 + k. With
// 35 positions (0..34) and EOS masked for all 10 steps, tokens 0..3 are fed at 31..34 and token 4 would need
// position 35: the question fails after 5 generated tokens. With 40 positions (0..39), 10 new tokens fit (the last
// one is chosen from position 39's logits and never fed), so nothing fails.
TEST(Generate, GenerationPastTheModelsPositionsFailsTheQuestion) {
  torch::NoGradGuard no_grad;
  const InfMllmModel& model = fixture_model();
  const json& c = golden_json()["cases"]["vqa"];
  const PromptBatch batch = assemble_prompt_batch(model.llama(), {golden_prompt(c["token_ids"][0])}, visual_tokens(0, 1), 0);
  ASSERT_EQ(batch.mask.sum().item<int64_t>(), 31);
  GenerationSettings settings;
  settings.max_new_tokens = 10;
  settings.min_length = 10;
  for (const int beams : {1, 5}) {
    settings.num_beams = beams;
    LmConfig short_config = model.config().lm;
    short_config.max_position_embeddings = 35;
    const Llama short_llama(model.weights().llama, short_config);
    const GenerationOutput cut = generate_tokens(short_llama, batch.embeds, batch.mask, settings, 2, 0);
    EXPECT_NE(cut.errors[0].find("the prompt (31 tokens) and 5 generated tokens reach the model's 35 positions"),
              std::string::npos)
        << "beams " << beams << ": " << cut.errors[0];
    EXPECT_TRUE(cut.sequences[0].empty());
    short_config.max_position_embeddings = 40;
    const Llama enough_llama(model.weights().llama, short_config);
    const GenerationOutput fits = generate_tokens(enough_llama, batch.embeds, batch.mask, settings, 2, 0);
    EXPECT_EQ(fits.errors[0], "") << "beams " << beams;
    EXPECT_EQ(fits.sequences[0].size(), 10u) << "beams " << beams;
  }
}

}  // namespace
}  // namespace infeval

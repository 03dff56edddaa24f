// Decoding with Hugging Face generate() semantics (transformers 4.31, the version the reference pins), for a
// left-padded batch given as inputs_embeds + attention_mask (so outputs hold new tokens only):
//   greedy: argmax per step; EOS masked while fewer than min_length tokens are generated; finished rows emit pad.
//   beam search: log_softmax + running beam score, top 2*beams candidates per question, BeamHypotheses with
//     early_stopping=False (is_done: worst finished score >= best running sum / cur_len^length_penalty), finished
//     hypothesis score = sum logprobs / len^length_penalty with len = generated tokens before EOS; the best
//     hypothesis per question is returned.
// Numerical faults fail a question, not the batch (GenerationOutput::errors): non-finite logits, and a position past
// the model's max_position_embeddings.
#pragma once
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/backend.h"

namespace infeval {

class Llama;

struct GenerationOutput {
  std::vector<std::vector<int>> sequences;  // per question: new tokens, ending with EOS if one was generated
  std::vector<double> scores;               // beam search: sequences_scores; greedy: 0
  // Per question: why it failed (its sequence is then empty), or empty.
  std::vector<std::string> errors;
  // Only with record_margins: per question, one decision margin per step (how far the decision was from going
  // the other way; a perturbation of the scores smaller than it cannot change that step):
  //   greedy: logit of the chosen token minus the runner-up's (the step's fp32 logits, EOS mask applied);
  //   beam: at the beam-set boundary, the cumulative log-prob of the last candidate kept minus the first one
  //     dropped (of the top 2 x beams); question-level, not per beam. final_margins: best finished hypothesis
  //     score minus the second best (beam only).
  std::vector<std::vector<float>> margins;
  std::vector<float> final_margins;
};

struct GenerationTimes {
  double prefill_s = 0.0;
  double decode_s = 0.0;
};

struct GenerationOptions {
  GenerationTimes* times = nullptr;  // stage times are added here (one device sync per stage)
  bool record_margins = false;
};

// embeds [Q, L, hidden], mask [Q, L] (left-padded). eos / pad: token ids.
GenerationOutput generate_tokens(const Llama& llama, const at::Tensor& embeds, const at::Tensor& mask,
                                 const GenerationSettings& settings, int eos_id, int pad_id,
                                 GenerationTimes* times = nullptr, bool record_margins = false);

}  // namespace infeval

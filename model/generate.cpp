#include "model/generate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#include "model/kv_cache.h"
#include "model/llama.h"
#include "model/timing.h"

namespace infeval {
namespace {

std::vector<int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(torch::kCPU, at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// HF BeamHypotheses (4.31): the best `num_beams` finished hypotheses of one question.
struct BeamHypotheses {
  struct Hypothesis {
    double score;
    std::vector<int> tokens;
    bool ended_with_eos;
  };
  int num_beams;
  double length_penalty;
  std::vector<Hypothesis> beams;
  double worst_score = 1e9;

  void add(const std::vector<int>& tokens, double sum_logprobs, bool eos) {
    const double score = sum_logprobs / std::pow(static_cast<double>(tokens.size()), length_penalty);
    if (static_cast<int>(beams.size()) < num_beams || score > worst_score) {
      beams.push_back({score, tokens, eos});
      if (static_cast<int>(beams.size()) > num_beams) {
        // sorted((s, idx)): lowest score (lowest index among ties) goes; the next one becomes the worst.
        std::vector<std::pair<double, size_t>> order;
        for (size_t i = 0; i < beams.size(); ++i) order.emplace_back(beams[i].score, i);
        std::sort(order.begin(), order.end());
        beams.erase(beams.begin() + static_cast<std::ptrdiff_t>(order[0].second));
        worst_score = order[1].first;
      } else {
        worst_score = std::min(score, worst_score);
      }
    }
  }

  bool is_done(double best_sum_logprobs, int cur_len) const {
    if (static_cast<int>(beams.size()) < num_beams) return false;
    const double denominator = std::pow(static_cast<double>(cur_len), length_penalty);
    const double cur_score = best_sum_logprobs / denominator;
    return worst_score >= cur_score;
  }

  // sorted(beams, key=score).pop(): the highest score, the last added among ties.
  const Hypothesis& best() const {
    size_t best_index = 0;
    for (size_t i = 1; i < beams.size(); ++i) {
      if (beams[i].score >= beams[best_index].score) best_index = i;
    }
    return beams[best_index];
  }
};

// The prompt prefilled into a fresh cache sized for `beams` beams and `max_suffix` generated tokens.
struct Prefilled {
  std::unique_ptr<KvCache> cache;
  at::Tensor logits;             // [Q, V] fp32: each question's last prompt position
  std::vector<int64_t> lengths;  // [Q] prompt tokens (the first generated token's position)
};
using PrefillFn = std::function<Prefilled(int64_t beams, int64_t max_suffix)>;

// Marks question q failed: no answer, the reason instead.
void fail_question(GenerationOutput* out, int64_t q, const std::string& reason) {
  out->errors[q] = reason;
  out->sequences[q].clear();
  if (!out->margins.empty()) out->margins[q].clear();
}

std::string non_finite_reason(int step) {
  return fmt::format("the model's logits are not finite (NaN or infinity) at generation step {}; hint: check the "
                     "checkpoint's weights and the precision (an answer from such logits would be meaningless)",
                     step);
}

std::string positions_reason(int64_t prompt_tokens, int generated, int max_positions) {
  return fmt::format("the prompt ({} tokens) and {} generated tokens reach the model's {} positions "
                     "(max_position_embeddings); hint: a shorter prompt or fewer max_new_tokens",
                     prompt_tokens, generated, max_positions);
}

// A prompt longer than the model's positions ran at positions the model has no meaning for (the backend refuses such
// prompts before running them; this guards every other caller).
void check_prompt_positions(const Llama& llama, const std::vector<int64_t>& lengths, GenerationOutput* out,
                            std::vector<bool>* stopped) {
  const int max_positions = llama.config().max_position_embeddings;
  for (size_t q = 0; q < lengths.size(); ++q) {
    if (lengths[q] > max_positions) {
      fail_question(out, static_cast<int64_t>(q),
                    fmt::format("the prompt has {} tokens, more than the model's {} positions "
                                "(max_position_embeddings)",
                                lengths[q], max_positions));
      (*stopped)[q] = true;
    }
  }
}

GenerationOutput empty_output(int64_t Q, bool record_margins) {
  GenerationOutput out;
  out.sequences.assign(Q, {});
  out.scores.assign(Q, 0.0);
  out.errors.assign(Q, "");
  if (record_margins) out.margins.assign(Q, {});
  return out;
}

GenerationOutput greedy(const Llama& llama, const PrefillFn& prefill, int64_t Q, const GenerationSettings& settings,
                        int eos_id, int pad_id, const GenerationOptions& options) {
  auto start = Clock::now();
  Prefilled prompt = prefill(1, std::max(1, settings.max_new_tokens));
  KvCache& cache = *prompt.cache;
  at::Tensor logits = prompt.logits;  // [Q, V] fp32
  // Stage timers need the device work finished (CUDA runs asynchronously); one sync per batch.
  if (options.times) synchronize_device(logits.device());
  if (options.times) options.times->prefill_s += seconds_since(start);
  start = Clock::now();
  const std::vector<int64_t>& lengths = prompt.lengths;
  const int max_positions = llama.config().max_position_embeddings;
  GenerationOutput out = empty_output(Q, options.record_margins);
  std::vector<bool> finished(Q, false);
  check_prompt_positions(llama, lengths, &out, &finished);
  for (int step = 0; step < settings.max_new_tokens; ++step) {
    // Rows holding a NaN or an infinity, checked before the EOS mask writes -inf on purpose.
    const at::Tensor finite = torch::isfinite(logits).all(1);
    if (step < settings.min_length) logits.select(1, eos_id).fill_(-std::numeric_limits<float>::infinity());
    // argmax: HF's tie rule (first index). One transfer: [argmax of each row, finite flag of each row].
    const std::vector<int64_t> picked = to_vector(torch::cat({logits.argmax(-1), finite.to(at::kLong)}));
    for (int64_t q = 0; q < Q; ++q) {
      if (!finished[q] && picked[Q + q] == 0) {
        fail_question(&out, q, non_finite_reason(step));
        finished[q] = true;
      }
    }
    if (options.record_margins) {
      const at::Tensor top2 = std::get<0>(torch::topk(logits.to(torch::kFloat), 2, 1)).to(torch::kCPU).contiguous();
      const float* top = top2.data_ptr<float>();
      for (int64_t q = 0; q < Q; ++q)
        if (!finished[q]) out.margins[q].push_back(top[2 * q] - top[2 * q + 1]);
    }
    std::vector<int64_t> fed(Q), positions(Q);
    for (int64_t q = 0; q < Q; ++q) {
      const int token = finished[q] ? pad_id : static_cast<int>(picked[q]);
      if (!finished[q]) out.sequences[q].push_back(token);
      if (token == eos_id) finished[q] = true;
      fed[q] = token;
      positions[q] = lengths[q] + step;
    }
    if (step + 1 >= settings.max_new_tokens) break;
    for (int64_t q = 0; q < Q; ++q) {
      if (!finished[q] && positions[q] >= max_positions) {
        fail_question(&out, q, positions_reason(lengths[q], step + 1, max_positions));
        finished[q] = true;
      }
    }
    if (std::all_of(finished.begin(), finished.end(), [](bool f) { return f; })) break;
    logits = llama.decode(torch::tensor(fed, torch::kLong), torch::tensor(positions, torch::kLong), &cache);
  }
  if (options.times) options.times->decode_s += seconds_since(start);
  return out;
}

GenerationOutput beam_search(const Llama& llama, const PrefillFn& prefill, int64_t Q,
                             const GenerationSettings& settings, int eos_id, int pad_id,
                             const GenerationOptions& options) {
  const int64_t B = settings.num_beams, S = Q * B;
  auto start = Clock::now();
  Prefilled prompt = prefill(B, std::max(1, settings.max_new_tokens));
  KvCache& cache = *prompt.cache;
  // The prompt is computed once per question; its last logits start every beam (HF computes B identical rows).
  at::Tensor logits = prompt.logits.repeat_interleave(B, 0);  // [S, V]
  // Stage timers need the device work finished (CUDA runs asynchronously); one sync per batch.
  if (options.times) synchronize_device(logits.device());
  if (options.times) options.times->prefill_s += seconds_since(start);
  start = Clock::now();
  const int64_t V = logits.size(1);
  const std::vector<int64_t>& lengths = prompt.lengths;
  const int max_positions = llama.config().max_position_embeddings;
  const bool record_margins = options.record_margins;
  GenerationOutput out = empty_output(Q, false);

  // Running beam scores (fp32 sums as in HF): beam 0 of each question starts at 0, the others at -1e9. They stay
  // on the logits' device: per step only the top 2*beams candidates per question ([Q, 2B]) come to the host.
  at::Tensor beam_scores = torch::zeros({Q, B}, logits.options().dtype(torch::kFloat));
  beam_scores.narrow(1, 1, B - 1).fill_(-1e9f);
  beam_scores = beam_scores.view({S});
  std::vector<std::vector<int>> running(S);
  std::vector<BeamHypotheses> hyps(Q, BeamHypotheses{static_cast<int>(B), settings.length_penalty, {}, 1e9});
  std::vector<bool> done(Q, false);
  check_prompt_positions(llama, lengths, &out, &done);
  std::vector<std::vector<float>> margins(record_margins ? Q : 0);
  const auto failed = [&](int64_t q) { return !out.errors[q].empty(); };

  for (int step = 0; step < settings.max_new_tokens; ++step) {
    // Rows holding a NaN or an infinity (before the EOS mask, which writes -inf on purpose).
    const at::Tensor finite = torch::isfinite(logits).all(1);
    at::Tensor scores = torch::log_softmax(logits.to(torch::kFloat), -1);
    if (step < settings.min_length) scores.select(1, eos_id).fill_(-std::numeric_limits<float>::infinity());
    scores = (scores + beam_scores.unsqueeze(1)).view({Q, B * V});
    const auto top = torch::topk(scores, 2 * B, 1, true, true);
    const at::Tensor top_scores = std::get<0>(top).to(torch::kCPU).contiguous();
    // One transfer: the candidates' ids [Q * 2B], then each row's finite flag [S].
    const std::vector<int64_t> top_ids = to_vector(torch::cat({std::get<1>(top).view({-1}), finite.to(at::kLong)}));
    const float* top_values = top_scores.data_ptr<float>();

    std::vector<float> next_scores(S, 0.0f);
    std::vector<int64_t> next_tokens(S, pad_id), source(S, 0);
    const int cur_len = step;  // tokens generated before this step
    for (int64_t q = 0; q < Q; ++q) {
      if (!done[q]) {
        for (int64_t b = 0; b < B; ++b) {
          if (top_ids[Q * 2 * B + q * B + b] == 0) {
            fail_question(&out, q, non_finite_reason(step));
            done[q] = true;
            break;
          }
        }
      }
      if (done[q]) {  // HF pads finished questions: score 0, pad token, beam 0 of the group
        for (int64_t b = 0; b < B; ++b) source[q * B + b] = q * B;
        continue;
      }
      int64_t filled = 0;
      for (int64_t rank = 0; rank < 2 * B; ++rank) {
        const int64_t id = top_ids[q * 2 * B + rank];
        const float value = top_values[q * 2 * B + rank];
        const int64_t beam = id / V, token = id % V;
        const int64_t from = q * B + beam;
        if (token == eos_id) {
          if (rank >= B) continue;  // an EOS outside the top num_beams does not finish a hypothesis
          hyps[q].add(running[from], static_cast<double>(value), true);
        } else {
          next_scores[q * B + filled] = value;
          next_tokens[q * B + filled] = token;
          source[q * B + filled] = from;
          ++filled;
        }
        if (filled == B) {
          if (record_margins && rank + 1 < 2 * B) margins[q].push_back(value - top_values[q * 2 * B + rank + 1]);
          break;
        }
      }
      if (filled < B) {
        throw RuntimeFailure(fmt::format("beam search: only {} of {} beams continue at step {}", filled, B, step));
      }
      done[q] = hyps[q].is_done(static_cast<double>(top_values[q * 2 * B]), cur_len);
    }
    std::vector<std::vector<int>> reordered(S);
    for (int64_t s = 0; s < S; ++s) {
      reordered[s] = running[source[s]];
      reordered[s].push_back(static_cast<int>(next_tokens[s]));
    }
    running.swap(reordered);
    beam_scores = torch::tensor(next_scores, torch::kFloat).to(logits.device());

    if (step + 1 >= settings.max_new_tokens) break;
    std::vector<int64_t> positions(S);
    for (int64_t s = 0; s < S; ++s) positions[s] = lengths[s / B] + step;
    for (int64_t q = 0; q < Q; ++q) {
      if (!done[q] && lengths[q] + step >= max_positions) {
        fail_question(&out, q, positions_reason(lengths[q], step + 1, max_positions));
        done[q] = true;
      }
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    cache.reorder(torch::tensor(source, torch::kLong));
    logits = llama.decode(torch::tensor(next_tokens, torch::kLong), torch::tensor(positions, torch::kLong), &cache);
  }

  // finalize: open beams of unfinished questions join the hypotheses with their running sums.
  const at::Tensor final_scores_host = beam_scores.to(torch::kCPU).contiguous();
  const float* final_scores = final_scores_host.data_ptr<float>();
  for (int64_t q = 0; q < Q; ++q) {
    if (failed(q)) {
      if (record_margins) {
        margins[q].clear();
        out.final_margins.push_back(0.0f);
      }
      continue;
    }
    if (!done[q]) {
      for (int64_t b = 0; b < B; ++b) hyps[q].add(running[q * B + b], static_cast<double>(final_scores[q * B + b]), false);
    }
    const BeamHypotheses::Hypothesis& best = hyps[q].best();
    if (record_margins) {
      double second = -std::numeric_limits<double>::infinity();
      for (const auto& h : hyps[q].beams)
        if (&h != &best) second = std::max(second, h.score);
      out.final_margins.push_back(static_cast<float>(best.score - second));
    }
    std::vector<int> tokens = best.tokens;
    if (best.ended_with_eos) tokens.push_back(eos_id);
    out.sequences[q] = tokens;
    out.scores[q] = static_cast<double>(static_cast<float>(best.score));  // HF stores it as fp32
  }
  if (record_margins) out.margins = std::move(margins);
  if (options.times) options.times->decode_s += seconds_since(start);
  return out;
}

void check_settings(const GenerationSettings& settings) {
  if (settings.num_beams < 1 || settings.max_new_tokens < 1) {
    throw InputError(fmt::format("generation settings: num_beams {} and max_new_tokens {} must be >= 1",
                                 settings.num_beams, settings.max_new_tokens));
  }
}

GenerationOutput run_search(const Llama& llama, const PrefillFn& prefill, int64_t Q,
                            const GenerationSettings& settings, int eos_id, int pad_id,
                            const GenerationOptions& options) {
  check_settings(settings);
  if (settings.num_beams == 1) return greedy(llama, prefill, Q, settings, eos_id, pad_id, options);
  return beam_search(llama, prefill, Q, settings, eos_id, pad_id, options);
}

}  // namespace

GenerationOutput generate_tokens(const Llama& llama, const at::Tensor& embeds, const at::Tensor& mask,
                                 const GenerationSettings& settings, int eos_id, int pad_id, GenerationTimes* times,
                                 bool record_margins) {
  const LmConfig& c = llama.config();
  const int64_t Q = embeds.size(0), P = embeds.size(1);
  const PrefillFn prefill = [&](int64_t beams, int64_t max_suffix) {
    Prefilled out;
    out.cache = std::make_unique<KvCache>(c.num_layers, Q, beams, c.num_heads, P, max_suffix, c.head_dim(),
                                          Llama::left_pad_counts(mask), embeds.options());
    out.logits = llama.prefill(embeds, mask, out.cache.get(), false);
    out.lengths = to_vector(mask.to(at::kLong).sum(1));
    return out;
  };
  GenerationOptions options;
  options.times = times;
  options.record_margins = record_margins;
  return run_search(llama, prefill, Q, settings, eos_id, pad_id, options);
}

}  // namespace infeval

#include "model/generate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

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

// Real prompt length per question (positions of generated tokens continue from it).
std::vector<int64_t> prompt_lengths(const at::Tensor& mask) { return to_vector(mask.to(at::kLong).sum(1)); }

GenerationOutput greedy(const Llama& llama, const at::Tensor& embeds, const at::Tensor& mask,
                        const GenerationSettings& settings, int eos_id, int pad_id, GenerationTimes* times,
                        bool record_margins) {
  const int64_t Q = embeds.size(0), P = embeds.size(1);
  const LmConfig& c = llama.config();
  auto start = Clock::now();
  KvCache cache(c.num_layers, Q, 1, c.num_heads, P, std::max(1, settings.max_new_tokens), c.head_dim(),
                Llama::left_pad_counts(mask), embeds.options());
  at::Tensor logits = llama.prefill(embeds, mask, &cache, false);  // [Q, V] fp32
  // Stage timers need the device work finished (CUDA runs asynchronously); one sync per batch.
  if (times) synchronize_device(logits.device());
  if (times) times->prefill_s += seconds_since(start);
  start = Clock::now();
  const std::vector<int64_t> lengths = prompt_lengths(mask);
  GenerationOutput out;
  out.sequences.assign(Q, {});
  out.scores.assign(Q, 0.0);
  if (record_margins) out.margins.assign(Q, {});
  std::vector<bool> finished(Q, false);
  for (int step = 0; step < settings.max_new_tokens; ++step) {
    if (step < settings.min_length) logits.select(1, eos_id).fill_(-std::numeric_limits<float>::infinity());
    const std::vector<int64_t> next = to_vector(logits.argmax(-1));  // argmax: HF's tie rule (first index)
    if (record_margins) {
      const at::Tensor top2 = std::get<0>(torch::topk(logits.to(torch::kFloat), 2, 1)).to(torch::kCPU).contiguous();
      const float* top = top2.data_ptr<float>();
      for (int64_t q = 0; q < Q; ++q)
        if (!finished[q]) out.margins[q].push_back(top[2 * q] - top[2 * q + 1]);
    }
    std::vector<int64_t> fed(Q), positions(Q);
    for (int64_t q = 0; q < Q; ++q) {
      const int token = finished[q] ? pad_id : static_cast<int>(next[q]);
      if (!finished[q]) out.sequences[q].push_back(token);
      if (token == eos_id) finished[q] = true;
      fed[q] = token;
      positions[q] = lengths[q] + step;
    }
    if (std::all_of(finished.begin(), finished.end(), [](bool f) { return f; })) break;
    if (step + 1 >= settings.max_new_tokens) break;
    logits = llama.decode(torch::tensor(fed, torch::kLong), torch::tensor(positions, torch::kLong), &cache);
  }
  if (times) times->decode_s += seconds_since(start);
  return out;
}

GenerationOutput beam_search(const Llama& llama, const at::Tensor& embeds, const at::Tensor& mask,
                             const GenerationSettings& settings, int eos_id, int pad_id, GenerationTimes* times,
                             bool record_margins) {
  const int64_t Q = embeds.size(0), P = embeds.size(1), B = settings.num_beams, S = Q * B;
  const LmConfig& c = llama.config();
  auto start = Clock::now();
  KvCache cache(c.num_layers, Q, B, c.num_heads, P, std::max(1, settings.max_new_tokens), c.head_dim(),
                Llama::left_pad_counts(mask), embeds.options());
  // The prompt is computed once per question; its last logits start every beam (HF computes B identical rows).
  at::Tensor logits = llama.prefill(embeds, mask, &cache, false).repeat_interleave(B, 0);  // [S, V]
  // Stage timers need the device work finished (CUDA runs asynchronously); one sync per batch.
  if (times) synchronize_device(logits.device());
  if (times) times->prefill_s += seconds_since(start);
  start = Clock::now();
  const int64_t V = logits.size(1);
  const std::vector<int64_t> lengths = prompt_lengths(mask);

  // Running beam scores (fp32 sums as in HF): beam 0 of each question starts at 0, the others at -1e9. They stay
  // on the logits' device: per step only the top 2*beams candidates per question ([Q, 2B]) come to the host.
  at::Tensor beam_scores = torch::zeros({Q, B}, logits.options().dtype(torch::kFloat));
  beam_scores.narrow(1, 1, B - 1).fill_(-1e9f);
  beam_scores = beam_scores.view({S});
  std::vector<std::vector<int>> running(S);
  std::vector<BeamHypotheses> hyps(Q, BeamHypotheses{static_cast<int>(B), settings.length_penalty, {}, 1e9});
  std::vector<bool> done(Q, false);
  std::vector<std::vector<float>> margins(record_margins ? Q : 0);

  for (int step = 0; step < settings.max_new_tokens; ++step) {
    at::Tensor scores = torch::log_softmax(logits.to(torch::kFloat), -1);
    if (step < settings.min_length) scores.select(1, eos_id).fill_(-std::numeric_limits<float>::infinity());
    scores = (scores + beam_scores.unsqueeze(1)).view({Q, B * V});
    const auto top = torch::topk(scores, 2 * B, 1, true, true);
    const at::Tensor top_scores = std::get<0>(top).to(torch::kCPU).contiguous();
    const std::vector<int64_t> top_ids = to_vector(std::get<1>(top));
    const float* top_values = top_scores.data_ptr<float>();

    std::vector<float> next_scores(S, 0.0f);
    std::vector<int64_t> next_tokens(S, pad_id), source(S, 0);
    const int cur_len = step;  // tokens generated before this step
    for (int64_t q = 0; q < Q; ++q) {
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

    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    if (step + 1 >= settings.max_new_tokens) break;
    std::vector<int64_t> positions(S);
    for (int64_t s = 0; s < S; ++s) positions[s] = lengths[s / B] + step;
    cache.reorder(torch::tensor(source, torch::kLong));
    logits = llama.decode(torch::tensor(next_tokens, torch::kLong), torch::tensor(positions, torch::kLong), &cache);
  }

  // finalize: open beams of unfinished questions join the hypotheses with their running sums.
  GenerationOutput out;
  const at::Tensor final_scores_host = beam_scores.to(torch::kCPU).contiguous();
  const float* final_scores = final_scores_host.data_ptr<float>();
  for (int64_t q = 0; q < Q; ++q) {
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
    out.sequences.push_back(tokens);
    out.scores.push_back(static_cast<double>(static_cast<float>(best.score)));  // HF stores it as fp32
  }
  if (record_margins) out.margins = std::move(margins);
  if (times) times->decode_s += seconds_since(start);
  return out;
}

}  // namespace

GenerationOutput generate_tokens(const Llama& llama, const at::Tensor& embeds, const at::Tensor& mask,
                                 const GenerationSettings& settings, int eos_id, int pad_id, GenerationTimes* times,
                                 bool record_margins) {
  if (settings.num_beams < 1 || settings.max_new_tokens < 1) {
    throw InputError(fmt::format("generation settings: num_beams {} and max_new_tokens {} must be >= 1",
                                 settings.num_beams, settings.max_new_tokens));
  }
  if (settings.num_beams == 1) return greedy(llama, embeds, mask, settings, eos_id, pad_id, times, record_margins);
  return beam_search(llama, embeds, mask, settings, eos_id, pad_id, times, record_margins);
}

}  // namespace infeval

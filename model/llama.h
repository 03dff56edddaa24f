// LLaMA decoder (Vicuna-7B): RMSNorm in fp32, rotate-half RoPE with explicit position ids, SiLU-gated MLP, untied
// head, fp32 logits. Prefill fills a KvCache's prefix; decode steps append to its suffix.
#pragma once
#include <array>

#include <ATen/core/Tensor.h>

#include "model/model_config.h"
#include "model/weights.h"

namespace infeval {

class KvCache;

class Llama {
 public:
  Llama(const LlamaWeights& weights, const LmConfig& config);

  const LmConfig& config() const { return config_; }
  // ids (int64, any shape) -> embeddings [..., hidden] in the weights' dtype.
  at::Tensor embed(const at::Tensor& ids) const;

  // Left-padded batch: embeds [Q, P, hidden], mask [Q, P] (1 = token, 0 = left pad; pads first). Position ids are
  // cumsum(mask) - 1 with pads set to 1, as HF's prepare_inputs_for_generation. Writes the cache prefix when
  // `cache` is given. Returns fp32 logits [Q, P, V] when all_positions, else [Q, V] of the last position.
  at::Tensor prefill(const at::Tensor& embeds, const at::Tensor& mask, KvCache* cache, bool all_positions) const;

  // One step for every sequence: tokens [S] int64, positions [S] int64. Appends K/V at the cache suffix position
  // and advances it. Returns fp32 logits [S, V].
  at::Tensor decode(const at::Tensor& tokens, const at::Tensor& positions, KvCache* cache) const;

  // Number of left-pad positions per row of a [Q, P] mask, as int32 (the cache's prefix_start). Throws
  // RuntimeFailure if a row is not left-padded (zeros after a one).
  static at::Tensor left_pad_counts(const at::Tensor& mask);

 private:
  // cos and sin of the rotary embedding at `positions` (any shape [...]), each [..., 1, D] in `dtype`. They depend
  // only on the positions, so one forward computes them once for all layers (fewer kernel launches per decode step).
  struct RopeTables {
    at::Tensor cos, sin;
  };
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight) const;
  RopeTables rope_tables(const at::Tensor& positions, at::ScalarType dtype) const;
  // x [..., H, D] whose leading dims match the tables' (HF's apply_rotary_pos_emb).
  static at::Tensor rope(const at::Tensor& x, const RopeTables& tables);
  // h [lead..., hidden] -> q and k after RoPE, and v, each [lead..., H, D]. One GEMM on the stacked weights, and
  // RoPE applied to q and k together (same values, half the kernels).
  std::array<at::Tensor, 3> qkv_rope(const LlamaLayerWeights& layer, const at::Tensor& h, const RopeTables& tables) const;
  at::Tensor mlp(const LlamaLayerWeights& layer, const at::Tensor& x) const;
  at::Tensor logits(const at::Tensor& hidden) const;

  const LlamaWeights& weights_;
  LmConfig config_;
  at::Tensor inv_freq_;  // [D/2] fp32
};

}  // namespace infeval

#include "model/llama.h"

#include <cmath>

#include <torch/torch.h>

#include "core/error.h"
#include "model/attention.h"
#include "model/kv_cache.h"

namespace infeval {

Llama::Llama(const LlamaWeights& weights, const LmConfig& config) : weights_(weights), config_(config) {
  const int64_t D = config.head_dim();
  // HF: 1 / base^(arange(0, D, 2) / D), in fp32.
  const auto options = torch::TensorOptions().dtype(at::kFloat).device(weights.embed_tokens.device());
  const at::Tensor exponent = torch::arange(0, D, 2, options.dtype(at::kLong)).to(at::kFloat) / static_cast<float>(D);
  inv_freq_ = 1.0 / torch::pow(torch::full({}, config.rope_theta, options), exponent);
}

at::Tensor Llama::embed(const at::Tensor& ids) const {
  return torch::embedding(weights_.embed_tokens, ids.to(weights_.embed_tokens.device(), at::kLong));
}

at::Tensor Llama::rms_norm(const at::Tensor& x, const at::Tensor& weight) const {
  const at::Tensor h = x.to(at::kFloat);
  const at::Tensor variance = h.pow(2).mean(-1, true);
  return weight * (h * torch::rsqrt(variance + config_.rms_norm_eps)).to(x.scalar_type());
}

Llama::RopeTables Llama::rope_tables(const at::Tensor& positions, at::ScalarType dtype) const {
  // freqs [..., D/2] = position * inv_freq in fp32; emb = cat(freqs, freqs); cos and sin cast to the model's dtype.
  const at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * inv_freq_;
  const at::Tensor emb = torch::cat({freqs, freqs}, -1).unsqueeze(-2);  // [..., 1, D] broadcasts over heads
  return RopeTables{emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor Llama::rope(const at::Tensor& x, const RopeTables& tables) {
  // x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1).
  const int64_t half = x.size(-1) / 2;
  const at::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * tables.cos + rotated * tables.sin;
}

std::array<at::Tensor, 3> Llama::qkv_rope(const LlamaLayerWeights& layer, const at::Tensor& h,
                                           const RopeTables& tables) const {
  const int64_t H = config_.num_heads, D = config_.head_dim();
  // The loader stacks q/k/v (finish_weights in weights.cpp), so one GEMM gives all three.
  std::vector<int64_t> grouped(h.sizes().begin(), h.sizes().end() - 1);  // lead..., 3, H, D
  grouped.insert(grouped.end(), {3, H, D});
  const at::Tensor all = torch::linear(h, layer.qkv_proj).view(grouped);
  // The tables [lead..., 1, D] get one more broadcast dim for the q/k pair: [lead..., 1, 1, D].
  const RopeTables pair_tables{tables.cos.unsqueeze(-2), tables.sin.unsqueeze(-2)};
  const at::Tensor qk = rope(all.narrow(-3, 0, 2), pair_tables);
  return {qk.select(-3, 0), qk.select(-3, 1), all.select(-3, 2)};
}

at::Tensor Llama::mlp(const LlamaLayerWeights& layer, const at::Tensor& x) const {
  const at::Tensor gate_up = torch::linear(x, layer.gate_up_proj);
  const int64_t inter = layer.gate_proj.size(0);
  return torch::linear(torch::silu(gate_up.narrow(-1, 0, inter)) * gate_up.narrow(-1, inter, inter), layer.down_proj);
}

at::Tensor Llama::logits(const at::Tensor& hidden) const {
  return torch::linear(rms_norm(hidden, weights_.norm), weights_.lm_head).to(at::kFloat);
}

at::Tensor Llama::left_pad_counts(const at::Tensor& mask) {
  const at::Tensor m = mask.to(torch::kCPU, at::kLong);
  // Left-padded: the mask never goes from 1 back to 0.
  if (m.size(1) > 1 && (m.narrow(1, 1, m.size(1) - 1) < m.narrow(1, 0, m.size(1) - 1)).any().item<bool>()) {
    throw RuntimeFailure("LLaMA prefill: the attention mask is not left-padded");
  }
  return (m.size(1) - m.sum(1)).to(at::kInt);
}

at::Tensor Llama::prefill(const at::Tensor& embeds, const at::Tensor& mask, KvCache* cache, bool all_positions) const {
  const int64_t Q = embeds.size(0), P = embeds.size(1), H = config_.num_heads, D = config_.head_dim();
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const at::Tensor device_mask = mask.to(embeds.device(), at::kLong);
  const at::Tensor positions = (device_mask.cumsum(1) - 1).masked_fill(device_mask == 0, 1);  // [Q, P]
  const at::Tensor start = left_pad_counts(mask).to(embeds.device());
  at::Tensor x = embeds.to(weights_.embed_tokens.scalar_type());
  const RopeTables rope_at = rope_tables(positions, x.scalar_type());  // [Q, P, 1, D]
  for (size_t i = 0; i < weights_.layers.size(); ++i) {
    const LlamaLayerWeights& layer = weights_.layers[i];
    const at::Tensor h = rms_norm(x, layer.input_norm);
    const auto [q_rows, k_rows, v_rows] = qkv_rope(layer, h, rope_at);  // [Q, P, H, D]
    const at::Tensor q = q_rows.transpose(1, 2), k = k_rows.transpose(1, 2), v = v_rows.transpose(1, 2);
    if (cache != nullptr) cache->write_prefix(static_cast<int>(i), k, v);
    const at::Tensor attn = attention_prefill(q, k, v, start, scale).transpose(1, 2).reshape({Q, P, H * D});
    x = x + torch::linear(attn, layer.o_proj);
    x = x + mlp(layer, rms_norm(x, layer.post_norm));
  }
  if (all_positions) return logits(x);
  return logits(x.select(1, P - 1));
}

at::Tensor Llama::decode(const at::Tensor& tokens, const at::Tensor& positions, KvCache* cache) const {
  const int64_t S = tokens.size(0), H = config_.num_heads, D = config_.head_dim();
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const at::Tensor pos = positions.to(weights_.embed_tokens.device(), at::kLong);
  const int64_t suffix_len = cache->suffix_len() + 1;  // including this token
  at::Tensor x = embed(tokens);  // [S, hidden]
  const RopeTables rope_at = rope_tables(pos, x.scalar_type());  // [S, 1, D]
  for (size_t i = 0; i < weights_.layers.size(); ++i) {
    const LlamaLayerWeights& layer = weights_.layers[i];
    const at::Tensor h = rms_norm(x, layer.input_norm);
    const auto [q, k, v] = qkv_rope(layer, h, rope_at);  // [S, H, D]
    cache->write_suffix(static_cast<int>(i), k, v);
    const at::Tensor attn = attention_decode(q, *cache, static_cast<int>(i), suffix_len, scale).reshape({S, H * D});
    x = x + torch::linear(attn, layer.o_proj);
    x = x + mlp(layer, rms_norm(x, layer.post_norm));
  }
  cache->advance();
  return logits(x);
}

}  // namespace infeval

#include "model/vit.h"

#include <cmath>

#include <torch/torch.h>

#include "model/attention.h"

namespace infeval {

at::Tensor layer_norm_fp32(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps) {
  const int64_t width = x.size(-1);
  return torch::layer_norm(x.to(at::kFloat), {width}, weight.to(at::kFloat), bias.to(at::kFloat), eps)
      .to(x.scalar_type());
}

at::Tensor vit_forward(const VitWeights& w, const VisionConfig& config, const at::Tensor& pixels) {
  namespace F = torch::nn::functional;
  const int64_t B = pixels.size(0), W = config.width, H = config.heads, D = config.head_dim();
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const at::Tensor input = pixels.to(w.patch_weight.device(), w.patch_weight.scalar_type());
  at::Tensor x = torch::conv2d(input, w.patch_weight, w.patch_bias, {config.patch_size, config.patch_size});
  x = x.flatten(2).transpose(1, 2);  // [B, s*s, W], patches row-major
  x = torch::cat({w.cls_token.expand({B, 1, W}), x}, 1) + w.pos_embed;
  const int64_t N = x.size(1);
  for (const VitBlockWeights& block : w.blocks) {
    at::Tensor h = layer_norm_fp32(x, block.norm1_weight, block.norm1_bias, config.layer_norm_eps);
    const at::Tensor qkv = torch::linear(h, block.qkv_weight, block.qkv_bias).view({B, N, 3, H, D})
                               .permute({2, 0, 3, 1, 4});  // [3, B, H, N, D]
    at::Tensor attn = attention_full(qkv[0], qkv[1], qkv[2], scale);
    attn = attn.transpose(1, 2).reshape({B, N, W});
    x = x + torch::linear(attn, block.proj_weight, block.proj_bias);
    h = layer_norm_fp32(x, block.norm2_weight, block.norm2_bias, config.layer_norm_eps);
    h = torch::gelu(torch::linear(h, block.fc1_weight, block.fc1_bias));  // exact (erf) GELU
    x = x + torch::linear(h, block.fc2_weight, block.fc2_bias);
  }
  return x;
}

at::Tensor ln_vision_forward(const ModelWeights& weights, double eps, const at::Tensor& x) {
  return layer_norm_fp32(x, weights.ln_vision_weight, weights.ln_vision_bias, eps);
}

}  // namespace infeval

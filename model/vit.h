// EVA ViT-g (BLIP-2 variant) and ln_vision: conv patch embedding, cls token + learned pos_embed, pre-norm blocks
// (qkv without bias plus q_bias/v_bias, exact GELU MLP), no final norm inside the ViT.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/model_config.h"
#include "model/weights.h"

namespace infeval {

// pixels [B, 3, S, S] (normalized, any float dtype; converted to the weights' dtype) -> [B, 1 + s*s, W], cls first.
at::Tensor vit_forward(const VitWeights& weights, const VisionConfig& config, const at::Tensor& pixels);

// ln_vision: LayerNorm over W computed in fp32; returns the input's dtype. x [B, 1 + s*s, W].
at::Tensor ln_vision_forward(const ModelWeights& weights, double eps, const at::Tensor& x);

// LayerNorm with fp32 statistics (autocast semantics); returns x's dtype.
at::Tensor layer_norm_fp32(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);

}  // namespace infeval

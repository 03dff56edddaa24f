// The model's weights as torch tensors, loaded from a checkpoint through the one name table (weight_table()).
// Stored names are InfMLLM state-dict names (visual_encoder.*, ln_vision.*, pooler.mlp.{0,2}.*, lm_model.model.*,
// lm_model.lm_head.weight); a "module." prefix is stripped; peft LoRA keys on q/v are merged at load.
// Internal to model/ (uses at::Tensor).
#pragma once
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "model/model_config.h"

namespace infeval {

class Checkpoint;

struct VitBlockWeights {
  at::Tensor norm1_weight, norm1_bias;
  at::Tensor qkv_weight;       // [3W, W]
  at::Tensor q_bias, v_bias;   // [W] each; k has no bias
  at::Tensor qkv_bias;         // [3W] = cat(q_bias, 0, v_bias), built at load
  at::Tensor proj_weight, proj_bias;
  at::Tensor norm2_weight, norm2_bias;
  at::Tensor fc1_weight, fc1_bias, fc2_weight, fc2_bias;
};

struct VitWeights {
  at::Tensor patch_weight;  // [W, 3, p, p]
  at::Tensor patch_bias;    // [W]
  at::Tensor cls_token;     // [1, 1, W]
  at::Tensor pos_embed;     // [1, 1 + s*s, W]
  std::vector<VitBlockWeights> blocks;
};

struct PoolAdapterWeights {
  at::Tensor fc1_weight, fc1_bias;  // pooler.mlp.0: [hidden, W]
  at::Tensor fc2_weight, fc2_bias;  // pooler.mlp.2: [hidden, hidden]
};

struct LlamaLayerWeights {
  at::Tensor input_norm;  // [hidden]
  at::Tensor q_proj, k_proj, v_proj, o_proj;  // [hidden, hidden], no biases
  at::Tensor post_norm;
  at::Tensor gate_proj, up_proj;  // [inter, hidden]
  at::Tensor down_proj;           // [hidden, inter]
  // Set by finish_weights(): q/k/v stacked [3 hidden, hidden] and gate/up stacked [2 inter, hidden], so that one
  // GEMM (one kernel launch) does each group; q/k/v_proj and gate/up_proj then are views into them (no extra memory).
  at::Tensor qkv_proj, gate_up_proj;
};

struct LlamaWeights {
  at::Tensor embed_tokens;  // [vocab, hidden]
  std::vector<LlamaLayerWeights> layers;
  at::Tensor norm;
  at::Tensor lm_head;       // [vocab, hidden]
};

struct ModelWeights {
  VitWeights vit;
  at::Tensor ln_vision_weight, ln_vision_bias;  // kept in float32 (ln_vision runs in fp32)
  PoolAdapterWeights pooler;
  LlamaWeights llama;
};

// One row of the name table: the canonical state-dict name, the expected shape and where the tensor goes.
struct WeightSlot {
  std::string name;
  std::vector<int64_t> shape;
  at::Tensor* target;
  bool keep_fp32 = false;
};

// The one name table: every tensor the model expects, for `config`, pointing into `weights`.
std::vector<WeightSlot> weight_table(const ModelConfig& config, ModelWeights* weights);

// Maps a stored name to its canonical name: strips "module." and rewrites peft names
// (lm_model.base_model.model.X.{base_layer.weight|weight} -> lm_model.X.weight). LoRA factors become
// "<canonical module>.lora_A.weight" / ".lora_B.weight" (peft's adapter name "default" dropped).
std::string canonical_weight_name(const std::string& stored);

struct LoadOptions {
  std::string device = "cpu";
  std::string precision = "fp32";  // fp32 | bf16 | fp16
};

// Loads and checks every tensor: missing, unexpected or mis-shaped -> InputError naming it, with a hint.
// LoRA factors (q/v) are merged as W + (alpha / r) B A with r / alpha from config.lora or, when r == 0 there,
// from <checkpoint dir>/adapter_config.json ("r", "lora_alpha").
ModelWeights load_model_weights(const Checkpoint& checkpoint, const ModelConfig& config, const LoadOptions& options);

// The tensors derived from the loaded ones, for any way of filling a ModelWeights (the loader, `infeval bench`'s
// random weights): the ViT's qkv bias (q_bias, zeros for k, v_bias) and the LLaMA's stacked projections.
void finish_weights(ModelWeights* weights);

}  // namespace infeval

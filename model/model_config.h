// Model configuration of an InfMLLM-class model: EVA ViT sizes, ln_vision, the pool-adapter grid and the LLaMA sizes.
// One parser reads both the configs/models/<name>.json files and a checkpoint's config.json (the format of
// tests/fixtures/tiny-infmllm/config.json: "vision", "lm" with Hugging Face field names, image_size, ...).
// Plain C++ (no Torch): the harness may include it.
#pragma once
#include <array>
#include <string>

#include <nlohmann/json.hpp>

namespace infeval {

struct VisionConfig {
  int patch_size = 14;
  int width = 1408;
  int depth = 39;
  int heads = 16;
  int mlp_dim = 6144;
  double layer_norm_eps = 1e-6;
  int head_dim() const { return width / heads; }
};

struct LmConfig {
  int vocab_size = 32000;
  int hidden_size = 4096;
  int intermediate_size = 11008;
  int num_layers = 32;
  int num_heads = 32;
  int num_kv_heads = 32;
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000.0;
  int max_position_embeddings = 4096;
  int bos_token_id = 1;
  int eos_token_id = 2;
  int pad_token_id = 0;
  int head_dim() const { return hidden_size / num_heads; }
};

// LoRA on the LLM's q/v projections, merged at load: W + (alpha / r) B A. r = 0: no LoRA settings known (an
// adapter_config.json next to the weights may supply them).
struct LoraConfig {
  int r = 0;
  double alpha = 0.0;
};

struct ModelConfig {
  std::string name;             // "infmllm-7b", "tiny-infmllm", or the checkpoint directory's name
  std::string protocol = "multitask";  // "multitask" or "chat"
  std::string checkpoint;       // directory (or .safetensors file) with the weights and tokenizer.model
  std::string tokenizer;        // path of tokenizer.model
  std::string source;           // the config file(s) read, for error messages and provenance
  int image_size = 448;
  int pool_out_size = 16;
  std::array<float, 3> image_mean{0.48145466f, 0.4578275f, 0.40821073f};
  std::array<float, 3> image_std{0.26862954f, 0.26130258f, 0.27577711f};
  VisionConfig vision;
  double ln_vision_eps = 1e-5;
  LmConfig lm;
  LoraConfig lora;

  int grid_size() const { return image_size / vision.patch_size; }          // s: patches per side
  int num_visual_tokens() const { return pool_out_size * pool_out_size; }   // P^2
  nlohmann::json to_json() const;
  // InputError (naming `source`) when sizes are inconsistent: width % heads, image_size % patch, grid % pool, ...
  void validate() const;
};

// Parses a config in the fixture format; fields that are absent keep the defaults above (the InfMLLM-7B sizes).
// `where` names the file for errors.
ModelConfig parse_model_config(const nlohmann::json& j, const std::string& where);

// Resolves `model`: a name in configs/models (<INFEVAL_SOURCE_DIR>/configs/models/<name>.json), a path to such a
// .json file, or a checkpoint directory (its config.json). A model config's "checkpoint" path is relative to the
// source dir unless absolute. If the checkpoint directory has a config.json, its image_size / pool_out_size override
// the model config's, and fields the model config lacks are taken from it. InputError with a hint when not found.
ModelConfig load_model_config(const std::string& model);

}  // namespace infeval

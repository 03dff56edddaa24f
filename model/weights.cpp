#include "model/weights.h"

#include <sys/stat.h>

#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/json_io.h"
#include "model/device.h"
#include "model/safetensors.h"

namespace infeval {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void replace_all(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = s->find(from); pos != std::string::npos; pos = s->find(from, pos + to.size())) {
    s->replace(pos, from.size(), to);
  }
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

at::ScalarType run_dtype(const std::string& precision) {
  if (precision == "fp32") return at::kFloat;
  if (precision == "bf16") return at::kBFloat16;
  if (precision == "fp16") return at::kHalf;
  throw InputError("precision '" + precision + "' is unknown; hint: use fp32, bf16 or fp16");
}

// Copies a stored tensor into a float32 CPU tensor (the mapped data may be unaligned, so no from_blob).
at::Tensor to_float32_cpu(const TensorView& view) {
  at::ScalarType stored;
  switch (view.dtype) {
    case ST_F32: stored = at::kFloat; break;
    case ST_F16: stored = at::kHalf; break;
    case ST_BF16: stored = at::kBFloat16; break;
    default:
      throw InputError(fmt::format("{}: tensor '{}' has dtype {}; hint: weights must be F32, BF16 or F16", view.file,
                                   view.name, safetensors_dtype_name(view.dtype)));
  }
  at::Tensor raw = torch::empty(view.shape, torch::TensorOptions().dtype(stored));
  if (static_cast<size_t>(raw.nbytes()) != view.size_bytes) {
    throw InputError(fmt::format("{}: tensor '{}' holds {} bytes, its shape {} needs {}", view.file, view.name,
                                 view.size_bytes, shape_string(view.shape), raw.nbytes()));
  }
  if (view.size_bytes > 0) std::memcpy(raw.data_ptr(), view.data, view.size_bytes);
  return raw.to(at::kFloat);
}

std::string checkpoint_dir(const std::string& checkpoint) {
  struct stat st;
  if (::stat(checkpoint.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return checkpoint;
  const size_t slash = checkpoint.find_last_of('/');
  return slash == std::string::npos ? "." : checkpoint.substr(0, slash);
}

// r and alpha: from the model config, else from adapter_config.json next to the weights.
LoraConfig resolve_lora(const ModelConfig& config) {
  if (config.lora.r > 0) return config.lora;
  const std::string path = checkpoint_dir(config.checkpoint) + "/adapter_config.json";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(fmt::format(
        "{}: the checkpoint has LoRA weights (lora_A/lora_B) but no LoRA settings; hint: add {} with \"r\" and "
        "\"lora_alpha\" (peft's adapter config), or \"lora\": {{\"r\": R, \"alpha\": A}} to the model config",
        config.checkpoint, path));
  }
  const json j = read_json_file(path);
  LoraConfig lora;
  lora.r = require_field(j, "r", path).get<int>();
  lora.alpha = require_number(j, "lora_alpha", path);
  if (lora.r <= 0) throw InputError(path + ": 'r' must be positive");
  return lora;
}

}  // namespace

std::string canonical_weight_name(const std::string& stored) {
  std::string name = stored;
  while (starts_with(name, "module.")) name = name.substr(7);
  if (starts_with(name, "lm_model.base_model.model.")) name = "lm_model." + name.substr(26);
  replace_all(&name, ".base_layer.", ".");
  replace_all(&name, ".lora_A.default.", ".lora_A.");
  replace_all(&name, ".lora_B.default.", ".lora_B.");
  return name;
}

std::vector<WeightSlot> weight_table(const ModelConfig& config, ModelWeights* w) {
  const VisionConfig& v = config.vision;
  const LmConfig& l = config.lm;
  const int64_t W = v.width, p = v.patch_size, n = 1 + static_cast<int64_t>(config.grid_size()) * config.grid_size();
  const int64_t H = l.hidden_size, I = l.intermediate_size, V = l.vocab_size;
  const int64_t kv = static_cast<int64_t>(l.num_kv_heads) * l.head_dim();
  std::vector<WeightSlot> t;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, at::Tensor* target, bool fp32 = false) {
    t.push_back(WeightSlot{name, std::move(shape), target, fp32});
  };
  w->vit.blocks.resize(v.depth);
  add("visual_encoder.cls_token", {1, 1, W}, &w->vit.cls_token);
  add("visual_encoder.pos_embed", {1, n, W}, &w->vit.pos_embed);
  add("visual_encoder.patch_embed.proj.weight", {W, 3, p, p}, &w->vit.patch_weight);
  add("visual_encoder.patch_embed.proj.bias", {W}, &w->vit.patch_bias);
  for (int i = 0; i < v.depth; ++i) {
    const std::string b = fmt::format("visual_encoder.blocks.{}.", i);
    VitBlockWeights& k = w->vit.blocks[i];
    add(b + "norm1.weight", {W}, &k.norm1_weight);
    add(b + "norm1.bias", {W}, &k.norm1_bias);
    add(b + "attn.qkv.weight", {3 * W, W}, &k.qkv_weight);
    add(b + "attn.q_bias", {W}, &k.q_bias);
    add(b + "attn.v_bias", {W}, &k.v_bias);
    add(b + "attn.proj.weight", {W, W}, &k.proj_weight);
    add(b + "attn.proj.bias", {W}, &k.proj_bias);
    add(b + "norm2.weight", {W}, &k.norm2_weight);
    add(b + "norm2.bias", {W}, &k.norm2_bias);
    add(b + "mlp.fc1.weight", {v.mlp_dim, W}, &k.fc1_weight);
    add(b + "mlp.fc1.bias", {v.mlp_dim}, &k.fc1_bias);
    add(b + "mlp.fc2.weight", {W, v.mlp_dim}, &k.fc2_weight);
    add(b + "mlp.fc2.bias", {W}, &k.fc2_bias);
  }
  add("ln_vision.weight", {W}, &w->ln_vision_weight, true);
  add("ln_vision.bias", {W}, &w->ln_vision_bias, true);
  add("pooler.mlp.0.weight", {H, W}, &w->pooler.fc1_weight);
  add("pooler.mlp.0.bias", {H}, &w->pooler.fc1_bias);
  add("pooler.mlp.2.weight", {H, H}, &w->pooler.fc2_weight);
  add("pooler.mlp.2.bias", {H}, &w->pooler.fc2_bias);
  w->llama.layers.resize(l.num_layers);
  add("lm_model.model.embed_tokens.weight", {V, H}, &w->llama.embed_tokens);
  for (int i = 0; i < l.num_layers; ++i) {
    const std::string b = fmt::format("lm_model.model.layers.{}.", i);
    LlamaLayerWeights& k = w->llama.layers[i];
    add(b + "input_layernorm.weight", {H}, &k.input_norm);
    add(b + "self_attn.q_proj.weight", {H, H}, &k.q_proj);
    add(b + "self_attn.k_proj.weight", {kv, H}, &k.k_proj);
    add(b + "self_attn.v_proj.weight", {kv, H}, &k.v_proj);
    add(b + "self_attn.o_proj.weight", {H, H}, &k.o_proj);
    add(b + "post_attention_layernorm.weight", {H}, &k.post_norm);
    add(b + "mlp.gate_proj.weight", {I, H}, &k.gate_proj);
    add(b + "mlp.up_proj.weight", {I, H}, &k.up_proj);
    add(b + "mlp.down_proj.weight", {H, I}, &k.down_proj);
  }
  add("lm_model.model.norm.weight", {H}, &w->llama.norm);
  add("lm_model.lm_head.weight", {V, H}, &w->llama.lm_head);
  return t;
}

ModelWeights load_model_weights(const Checkpoint& checkpoint, const ModelConfig& config, const LoadOptions& options) {
  const at::ScalarType dtype = run_dtype(options.precision);
  const at::Device device = parse_device(options.device);
  ModelWeights weights;
  const std::vector<WeightSlot> table = weight_table(config, &weights);

  // Canonical name -> stored tensor; LoRA factors are kept apart, keyed by the module's weight name.
  std::map<std::string, const TensorView*> stored;
  std::map<std::string, const TensorView*> lora_a, lora_b;
  std::vector<std::string> unexpected;
  std::set<std::string> expected;
  for (const WeightSlot& slot : table) expected.insert(slot.name);
  for (const auto& entry : checkpoint.tensors()) {
    const std::string name = canonical_weight_name(entry.first);
    const size_t a = name.find(".lora_A."), b = name.find(".lora_B.");
    if (a != std::string::npos) {
      lora_a[name.substr(0, a) + ".weight"] = &entry.second;
    } else if (b != std::string::npos) {
      lora_b[name.substr(0, b) + ".weight"] = &entry.second;
    } else if (expected.count(name) == 0) {
      unexpected.push_back(entry.first);
    } else if (stored.count(name) != 0) {
      throw InputError(fmt::format("{}: tensor '{}' appears twice (as '{}' and '{}')", entry.second.file, name,
                                   stored[name]->name, entry.first));
    } else {
      stored[name] = &entry.second;
    }
  }

  // Report every problem at once: missing, unexpected, mis-shaped, unpaired LoRA factors.
  std::vector<std::string> problems;
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > 5) out += fmt::format(" (and {} more)", names.size() - 5);
    return out;
  };
  std::vector<std::string> missing, misshaped;
  for (const WeightSlot& slot : table) {
    auto it = stored.find(slot.name);
    if (it == stored.end()) {
      missing.push_back(slot.name);
    } else if (it->second->shape != slot.shape) {
      misshaped.push_back(fmt::format("{} is {}, expected {}", it->second->name, shape_string(it->second->shape),
                                      shape_string(slot.shape)));
    }
  }
  for (const auto& entry : lora_a) {
    if (expected.count(entry.first) == 0 || lora_b.count(entry.first) == 0) unexpected.push_back(entry.second->name);
  }
  for (const auto& entry : lora_b) {
    if (expected.count(entry.first) == 0 || lora_a.count(entry.first) == 0) unexpected.push_back(entry.second->name);
  }
  if (!missing.empty()) problems.push_back(fmt::format("{} missing tensor(s): {}", missing.size(), list(missing)));
  if (!unexpected.empty()) {
    problems.push_back(fmt::format("{} unexpected tensor(s): {}", unexpected.size(), list(unexpected)));
  }
  if (!misshaped.empty()) {
    problems.push_back(fmt::format("{} mis-shaped tensor(s): {}", misshaped.size(), list(misshaped)));
  }
  if (!problems.empty()) {
    std::string message = fmt::format("checkpoint {} does not match the model config ({}):", config.checkpoint,
                                      config.source);
    for (const std::string& p : problems) message += "\n  " + p;
    message += fmt::format(
        "\n  hint: the config expects ViT depth {}, width {}, image_size {} (pos_embed has 1 + (image_size/{})^2 "
        "rows), LLaMA {} layers, hidden {}, vocab {}; check that --model names the config that matches these "
        "weights and that the names follow InfMLLM's state dict (visual_encoder.*, ln_vision.*, pooler.mlp.*, "
        "lm_model.*)",
        config.vision.depth, config.vision.width, config.image_size, config.vision.patch_size, config.lm.num_layers,
        config.lm.hidden_size, config.lm.vocab_size);
    throw InputError(message);
  }

  LoraConfig lora;
  if (!lora_a.empty()) lora = resolve_lora(config);
  for (const WeightSlot& slot : table) {
    const TensorView& view = *stored.at(slot.name);
    at::Tensor value = to_float32_cpu(view);
    auto a = lora_a.find(slot.name);
    if (a != lora_a.end()) {
      const TensorView& b = *lora_b.at(slot.name);
      // A: [r, in], B: [out, r]; W: [out, in].
      const int64_t out = slot.shape[0], in = slot.shape[1];
      if (a->second->shape != std::vector<int64_t>{lora.r, in} || b.shape != std::vector<int64_t>{out, lora.r}) {
        throw InputError(fmt::format(
            "{}: LoRA factors of '{}' are {} and {}, expected [{}, {}] and [{}, {}] for r = {}; hint: check r in "
            "adapter_config.json or the model config",
            view.file, slot.name, shape_string(a->second->shape), shape_string(b.shape), lora.r, in, out, lora.r,
            lora.r));
      }
      value = value + (lora.alpha / lora.r) * torch::matmul(to_float32_cpu(b), to_float32_cpu(*a->second));
    }
    *slot.target = value.to(device, slot.keep_fp32 ? at::kFloat : dtype).contiguous();
  }
  finish_weights(&weights);
  return weights;
}

void finish_weights(ModelWeights* weights) {
  for (VitBlockWeights& block : weights->vit.blocks) {
    block.qkv_bias = torch::cat({block.q_bias, torch::zeros_like(block.q_bias), block.v_bias}).contiguous();
  }
  for (LlamaLayerWeights& layer : weights->llama.layers) {
    // Stack, then let the separate names view the stack: the originals are released, so memory does not grow.
    layer.qkv_proj = torch::cat({layer.q_proj, layer.k_proj, layer.v_proj}, 0).contiguous();
    const int64_t q_rows = layer.q_proj.size(0), k_rows = layer.k_proj.size(0), v_rows = layer.v_proj.size(0);
    layer.q_proj = layer.qkv_proj.narrow(0, 0, q_rows);
    layer.k_proj = layer.qkv_proj.narrow(0, q_rows, k_rows);
    layer.v_proj = layer.qkv_proj.narrow(0, q_rows + k_rows, v_rows);
    layer.gate_up_proj = torch::cat({layer.gate_proj, layer.up_proj}, 0).contiguous();
    const int64_t inter = layer.gate_proj.size(0);
    layer.gate_proj = layer.gate_up_proj.narrow(0, 0, inter);
    layer.up_proj = layer.gate_up_proj.narrow(0, inter, layer.up_proj.size(0));
  }
}

}  // namespace infeval

#include "model/model_config.h"

#include <sys/stat.h>

#include <climits>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"

namespace infeval {
namespace {

bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || name.empty() || name[0] == '/') return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

template <typename T>
void read_optional(const json& j, const char* key, T* out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    *out = it->get<T>();
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: field '{}' has the wrong type ({})", where, key, e.what()));
  }
}

// Integers are range-checked (get<int>() of 1e300 is undefined behaviour; 3e9 would wrap).
void read_optional(const json& j, const char* key, int* out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  *out = json_to_int(*it, fmt::format("{}: field '{}'", where, key), INT_MIN, INT_MAX);
}

void read_vec3(const json& j, const char* key, std::array<float, 3>* out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (!it->is_array() || it->size() != 3) {
    throw InputError(fmt::format("{}: field '{}' must be a list of 3 numbers", where, key));
  }
  for (int c = 0; c < 3; ++c) {
    const json& v = (*it)[c];
    if (!v.is_number() || !(std::fabs(v.get<double>()) <= 1e30))
      throw InputError(fmt::format("{}: field '{}' must be a list of 3 finite numbers, got {}", where, key, v.dump()));
    (*out)[c] = v.get<float>();
  }
}

}  // namespace

ModelConfig parse_model_config(const json& j, const std::string& where) {
  if (!j.is_object()) throw InputError(where + ": a model config must be a JSON object");
  ModelConfig config;
  config.source = where;
  read_optional(j, "name", &config.name, where);
  read_optional(j, "protocol", &config.protocol, where);
  read_optional(j, "checkpoint", &config.checkpoint, where);
  read_optional(j, "tokenizer", &config.tokenizer, where);
  read_optional(j, "image_size", &config.image_size, where);
  read_optional(j, "pool_out_size", &config.pool_out_size, where);
  read_vec3(j, "image_mean", &config.image_mean, where);
  read_vec3(j, "image_std", &config.image_std, where);
  read_optional(j, "ln_vision_eps", &config.ln_vision_eps, where);
  if (j.contains("vision")) {
    const json& v = j["vision"];
    const std::string w = where + ": vision";
    read_optional(v, "patch_size", &config.vision.patch_size, w);
    read_optional(v, "width", &config.vision.width, w);
    read_optional(v, "depth", &config.vision.depth, w);
    read_optional(v, "heads", &config.vision.heads, w);
    read_optional(v, "mlp_dim", &config.vision.mlp_dim, w);
    read_optional(v, "layer_norm_eps", &config.vision.layer_norm_eps, w);
    bool qkv_bias = true;
    read_optional(v, "qkv_bias", &qkv_bias, w);
    if (!qkv_bias) throw InputError(w + ": qkv_bias false is not supported (EVA ViT has q_bias/v_bias)");
  }
  if (j.contains("lm")) {
    const json& l = j["lm"];
    const std::string w = where + ": lm";
    read_optional(l, "vocab_size", &config.lm.vocab_size, w);
    read_optional(l, "hidden_size", &config.lm.hidden_size, w);
    read_optional(l, "intermediate_size", &config.lm.intermediate_size, w);
    read_optional(l, "num_hidden_layers", &config.lm.num_layers, w);
    read_optional(l, "num_attention_heads", &config.lm.num_heads, w);
    config.lm.num_kv_heads = config.lm.num_heads;
    read_optional(l, "num_key_value_heads", &config.lm.num_kv_heads, w);
    read_optional(l, "rms_norm_eps", &config.lm.rms_norm_eps, w);
    read_optional(l, "rope_theta", &config.lm.rope_theta, w);
    read_optional(l, "max_position_embeddings", &config.lm.max_position_embeddings, w);
    read_optional(l, "bos_token_id", &config.lm.bos_token_id, w);
    read_optional(l, "eos_token_id", &config.lm.eos_token_id, w);
    read_optional(l, "pad_token_id", &config.lm.pad_token_id, w);
    std::string act = "silu";
    read_optional(l, "hidden_act", &act, w);
    if (act != "silu") throw InputError(w + ": hidden_act '" + act + "' is not supported (LLaMA uses silu)");
    bool tied = false;
    read_optional(l, "tie_word_embeddings", &tied, w);
    if (tied) throw InputError(w + ": tie_word_embeddings true is not supported (the LLaMA head is untied)");
  }
  if (j.contains("lora")) {
    const json& l = j["lora"];
    read_optional(l, "r", &config.lora.r, where + ": lora");
    read_optional(l, "alpha", &config.lora.alpha, where + ": lora");
  }
  if (config.protocol != "multitask" && config.protocol != "chat") {
    throw InputError(fmt::format("{}: protocol '{}' is unknown; hint: use \"multitask\" or \"chat\"", where,
                                 config.protocol));
  }
  return config;
}

void ModelConfig::validate() const {
  auto fail = [&](const std::string& what) { throw InputError(source + ": " + what); };
  if (vision.heads <= 0 || vision.width % vision.heads != 0) fail("vision width must be a multiple of heads");
  if (vision.patch_size <= 0 || image_size % vision.patch_size != 0) {
    fail(fmt::format("image_size {} is not a multiple of the patch size {}", image_size, vision.patch_size));
  }
  if (pool_out_size <= 0 || grid_size() % pool_out_size != 0) {
    fail(fmt::format("the {}x{} patch grid (image_size {} / patch {}) does not divide into a {}x{} pooled grid; "
                     "hint: choose image_size and pool_out_size so that image_size/patch is a multiple of "
                     "pool_out_size (e.g. 448 and 16)",
                     grid_size(), grid_size(), image_size, vision.patch_size, pool_out_size, pool_out_size));
  }
  if (lm.num_heads <= 0 || lm.hidden_size % lm.num_heads != 0) fail("lm hidden_size must be a multiple of heads");
  if (lm.num_kv_heads != lm.num_heads) fail("grouped-query attention (num_key_value_heads != heads) is not supported");
  if (lm.head_dim() % 2 != 0) fail("lm head_dim must be even (rotary embedding)");
}

json ModelConfig::to_json() const {
  return json{{"name", name},
              {"protocol", protocol},
              {"checkpoint", checkpoint},
              {"image_size", image_size},
              {"pool_out_size", pool_out_size},
              {"image_mean", image_mean},
              {"image_std", image_std},
              {"vision",
               {{"patch_size", vision.patch_size},
                {"width", vision.width},
                {"depth", vision.depth},
                {"heads", vision.heads},
                {"mlp_dim", vision.mlp_dim},
                {"layer_norm_eps", vision.layer_norm_eps}}},
              {"ln_vision_eps", ln_vision_eps},
              {"lm",
               {{"vocab_size", lm.vocab_size},
                {"hidden_size", lm.hidden_size},
                {"intermediate_size", lm.intermediate_size},
                {"num_hidden_layers", lm.num_layers},
                {"num_attention_heads", lm.num_heads},
                {"num_key_value_heads", lm.num_kv_heads},
                {"rms_norm_eps", lm.rms_norm_eps},
                {"rope_theta", lm.rope_theta},
                {"max_position_embeddings", lm.max_position_embeddings},
                {"bos_token_id", lm.bos_token_id},
                {"eos_token_id", lm.eos_token_id},
                {"pad_token_id", lm.pad_token_id}}},
              {"lora", {{"r", lora.r}, {"alpha", lora.alpha}}}};
}

ModelConfig load_model_config(const std::string& model) {
  if (model.empty()) throw InputError("--model is empty; hint: give a name in configs/models or a checkpoint directory");
  const std::string source_dir = INFEVAL_SOURCE_DIR;
  json merged;
  std::string where;
  std::string checkpoint;
  if (is_directory(model)) {
    checkpoint = model;
    merged = json::object();
    std::string name = model;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    merged["name"] = name.substr(name.find_last_of('/') + 1);
    where = join_path(model, "config.json");
    if (!path_exists(where)) {
      throw InputError(fmt::format("{}: missing; hint: a checkpoint directory needs config.json (sizes), "
                                   "tokenizer.model and *.safetensors", where));
    }
  } else {
    std::string file = model;
    if (!path_exists(file) || is_directory(file)) file = join_path(source_dir, "configs/models/" + model + ".json");
    if (!path_exists(file)) {
      throw InputError(fmt::format("model '{}': neither a checkpoint directory nor a config ({} does not exist); "
                                   "hint: use a name from configs/models/ or a directory with config.json, "
                                   "tokenizer.model and *.safetensors", model, file));
    }
    merged = read_json_file(file);
    if (!merged.is_object()) throw InputError(file + ": a model config must be a JSON object");
    where = file;
    if (!merged.contains("name")) merged["name"] = model;
    if (!merged.contains("checkpoint")) {
      throw InputError(file + ": field 'checkpoint' is missing; hint: the directory with the weights");
    }
    checkpoint = merged["checkpoint"].get<std::string>();
    if (!checkpoint.empty() && checkpoint[0] != '/') checkpoint = join_path(source_dir, checkpoint);
  }
  // The checkpoint's own config.json: it decides image_size / pool_out_size and fills the other fields.
  const std::string checkpoint_config = join_path(checkpoint, "config.json");
  if (is_directory(checkpoint) && path_exists(checkpoint_config)) {
    const json c = read_json_file(checkpoint_config);
    if (c.is_object()) {
      for (auto it = c.begin(); it != c.end(); ++it) {
        const bool overrides = it.key() == "image_size" || it.key() == "pool_out_size";
        if (overrides || !merged.contains(it.key())) merged[it.key()] = it.value();
      }
      if (checkpoint_config != where) where += " + " + checkpoint_config;
    }
  }
  merged["checkpoint"] = checkpoint;
  ModelConfig config = parse_model_config(merged, where);
  if (config.tokenizer.empty()) {
    const std::string dir = is_directory(checkpoint) ? checkpoint : checkpoint.substr(0, checkpoint.find_last_of('/'));
    config.tokenizer = join_path(dir, "tokenizer.model");
  } else if (config.tokenizer[0] != '/') {
    config.tokenizer = join_path(source_dir, config.tokenizer);
  }
  config.validate();
  return config;
}

}  // namespace infeval

// The whole InfMLLM model loaded for one device and precision: config, weights, tokenizer, ViT -> ln_vision ->
// pool-adapter -> LLaMA. Internal to model/ (the harness reaches it through native_backend.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "model/llama.h"
#include "model/model_config.h"
#include "model/tokenizer.h"
#include "model/weights.h"

namespace infeval {

class InfMllmModel {
 public:
  // InputError on a bad config, checkpoint or tokenizer.
  InfMllmModel(const ModelConfig& config, const LoadOptions& options);
  ~InfMllmModel();

  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  const Llama& llama() const { return *llama_; }
  // Loaded on first use (the weights-only paths, e.g. the parity tests of ViT and LLaMA, never need it); a load
  // failure is rethrown on every later call.
  const Tokenizer& tokenizer() const;
  const std::vector<std::string>& weight_files() const { return weight_files_; }
  at::Device device() const;
  at::ScalarType dtype() const;

  // pixels [B, 3, S, S] -> ViT output after ln_vision [B, 1 + s*s, W].
  at::Tensor vision_features(const at::Tensor& pixels) const;
  // ln_vision output -> visual tokens [B, P*P, hidden].
  at::Tensor visual_tokens(const at::Tensor& features) const;

 private:
  ModelConfig config_;
  ModelWeights weights_;
  std::unique_ptr<Llama> llama_;
  mutable std::unique_ptr<Tokenizer> tokenizer_;
  mutable std::string tokenizer_error_;
  std::vector<std::string> weight_files_;
};

}  // namespace infeval

#include "model/infmllm_model.h"

#include <torch/torch.h>

#include "core/error.h"
#include "model/device.h"
#include "model/pool_adapter.h"
#include "model/safetensors.h"
#include "model/vit.h"

namespace infeval {

InfMllmModel::InfMllmModel(const ModelConfig& config, const LoadOptions& options) : config_(config) {
  torch::NoGradGuard no_grad;
  parse_device(options.device);
  std::unique_ptr<Checkpoint> checkpoint = Checkpoint::open(config.checkpoint);
  weight_files_ = checkpoint->files();
  weights_ = load_model_weights(*checkpoint, config, options);
  llama_ = std::make_unique<Llama>(weights_.llama, config.lm);
}

const Tokenizer& InfMllmModel::tokenizer() const {
  if (tokenizer_) return *tokenizer_;
  if (!tokenizer_error_.empty()) throw InputError(tokenizer_error_);
  try {
    auto tokenizer = std::make_unique<Tokenizer>(config_.tokenizer);
    if (tokenizer->vocab_size() > config_.lm.vocab_size) {
      throw InputError(config_.tokenizer + ": the tokenizer has more pieces than the model's vocab_size; hint: the "
                       "tokenizer does not belong to this checkpoint");
    }
    tokenizer_ = std::move(tokenizer);
  } catch (const std::exception& e) {
    tokenizer_error_ = e.what();
    throw InputError(tokenizer_error_);
  }
  return *tokenizer_;
}

InfMllmModel::~InfMllmModel() = default;

at::Device InfMllmModel::device() const { return weights_.llama.embed_tokens.device(); }

at::ScalarType InfMllmModel::dtype() const { return weights_.llama.embed_tokens.scalar_type(); }

at::Tensor InfMllmModel::vision_features(const at::Tensor& pixels) const {
  torch::NoGradGuard no_grad;
  return ln_vision_forward(weights_, config_.ln_vision_eps, vit_forward(weights_.vit, config_.vision, pixels));
}

at::Tensor InfMllmModel::visual_tokens(const at::Tensor& features) const {
  torch::NoGradGuard no_grad;
  return pool_adapter_forward(weights_.pooler, config_.pool_out_size, features);
}

}  // namespace infeval

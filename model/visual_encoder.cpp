#include "model/visual_encoder.h"

#include <new>

#include <chrono>
#include <map>

#include <torch/torch.h>

#include "core/error.h"
#include "model/image.h"
#include "model/pool_adapter.h"
#include "model/timing.h"
#include "model/vit.h"

namespace infeval {
namespace {

ImageNormalization normalization_of(const ModelConfig& config) {
  ImageNormalization norm;
  norm.mean = config.image_mean;
  norm.std = config.image_std;
  return norm;
}

}  // namespace

VisualEncoder::VisualEncoder(const ModelWeights& weights, const ModelConfig& config, int preprocess_threads,
                             int64_t cache_bytes)
    : weights_(weights),
      config_(config),
      pipeline_(std::make_unique<ImagePipeline>(preprocess_threads, config.image_size, normalization_of(config))),
      cache_(cache_bytes) {}

void VisualEncoder::prefetch(const std::vector<Image>& images) {
  for (const Image& image : images) {
    if (!cache_.contains(image.key)) pipeline_->start(image.key, image.pixels);
  }
}

VisualEncoder::Encoded VisualEncoder::encode(const std::vector<Image>& images) {
  torch::NoGradGuard no_grad;
  Encoded out;
  out.tokens.resize(images.size());
  out.errors.resize(images.size());

  // Distinct keys: cached ones are looked up once; the others are produced once, in first-appearance order.
  std::map<std::string, at::Tensor> tokens_of;
  std::map<std::string, size_t> first_of;  // missing key -> the image whose job produces it
  std::vector<std::string> missing;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& key = images[i].key;
    if (tokens_of.count(key) || first_of.count(key)) continue;
    const at::Tensor cached = cache_.find(key);
    if (cached.defined()) {
      tokens_of[key] = cached;
      pipeline_->discard(key);  // prefetched before it was cached
    } else {
      first_of[key] = i;
      missing.push_back(key);
    }
  }
  for (const std::string& key : missing) pipeline_->start(key, images[first_of[key]].pixels);

  const int64_t S = config_.image_size;
  std::map<std::string, std::string> failure_of;
  std::vector<std::string> produced;
  at::Tensor pixels = torch::empty({static_cast<int64_t>(missing.size()), 3, S, S}, torch::kFloat);
  auto start = Clock::now();
  for (const std::string& key : missing) {
    try {
      const std::vector<float> p = pipeline_->take(key, images[first_of[key]].pixels);
      if (static_cast<int64_t>(p.size()) != 3 * S * S)
        throw InputError("image " + key + ": preprocessing gave " + std::to_string(p.size()) + " values, expected 3 x " +
                         std::to_string(S) + " x " + std::to_string(S));
      std::copy(p.begin(), p.end(), pixels[static_cast<int64_t>(produced.size())].data_ptr<float>());
      produced.push_back(key);
    } catch (const ImageError& e) {
      failure_of[key] = e.what();
    } catch (const InputError& e) {
      failure_of[key] = e.what();
    } catch (const std::bad_alloc&) {
      failure_of[key] = "image " + key + ": out of memory while preparing the image";
    }
  }
  times_.preprocess_wait += seconds_since(start);

  if (!produced.empty()) {
    const at::Device device = weights_.llama.embed_tokens.device();
    const int64_t n = static_cast<int64_t>(produced.size());
    start = Clock::now();
    const at::Tensor device_pixels = pixels.narrow(0, 0, n).to(device);
    synchronize_device(device);
    times_.upload += seconds_since(start);
    start = Clock::now();
    const at::Tensor features =
        ln_vision_forward(weights_, config_.ln_vision_eps, vit_forward(weights_.vit, config_.vision, device_pixels));
    synchronize_device(device);
    times_.vit += seconds_since(start);
    times_.vit_images += n;
    start = Clock::now();
    const at::Tensor tokens = pool_adapter_forward(weights_.pooler, config_.pool_out_size, features);
    synchronize_device(device);
    times_.adapter += seconds_since(start);
    for (int64_t k = 0; k < n; ++k) {
      tokens_of[produced[k]] = tokens[k];
      cache_.insert(produced[k], tokens[k]);
    }
  }

  for (size_t i = 0; i < images.size(); ++i) {
    auto failed = failure_of.find(images[i].key);
    if (failed != failure_of.end()) out.errors[i] = failed->second;
    else out.tokens[i] = tokens_of.at(images[i].key);
  }
  return out;
}

nlohmann::json VisualEncoder::stats() const {
  return nlohmann::json{{"vit_images", times_.vit_images},
                        {"feature_cache", cache_.stats()},
                        {"preprocess", pipeline_->stats()}};
}

}  // namespace infeval

// The vision side of the engine for a batch of images: ViT -> ln_vision -> pool-adapter once per distinct image,
// with the visual tokens kept across batches (VisualTokenCache) and the pixels produced on worker threads, ahead
// of time when the caller announces the next batch (ImagePipeline). Used by the native backend and `infeval bench`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "model/image_pipeline.h"
#include "model/model_config.h"
#include "model/visual_cache.h"
#include "model/weights.h"

namespace infeval {

class VisualEncoder {
 public:
  struct Image {
    std::string key;                 // identity: equal keys have equal visual tokens
    ImagePipeline::PixelsJob pixels;  // produces its preprocessed pixels (3 x S x S)
  };
  struct Encoded {
    std::vector<at::Tensor> tokens;   // per image: [T, hidden] on the weights' device; undefined when it failed
    std::vector<std::string> errors;  // per image: why it failed (ImageError / InputError text); empty when not
  };
  // Cumulative stage times (seconds) and counts.
  struct Times {
    double preprocess_wait = 0.0;  // blocked waiting for pixels (preprocessing the workers did not hide)
    double upload = 0.0;           // pixels to the device
    double vit = 0.0;              // ViT + ln_vision
    double adapter = 0.0;          // pool-adapter
    int64_t vit_images = 0;        // images through the ViT
  };

  // weights and config must outlive the encoder. cache_bytes 0: reuse inside one encode() call only.
  VisualEncoder(const ModelWeights& weights, const ModelConfig& config, int preprocess_threads, int64_t cache_bytes);

  // Starts producing the pixels of the images not already cached.
  void prefetch(const std::vector<Image>& images);
  // Visual tokens for every image, running each distinct uncached key through the model once.
  Encoded encode(const std::vector<Image>& images);

  const Times& times() const { return times_; }
  ImagePipeline& pipeline() { return *pipeline_; }
  // {"vit_images", "feature_cache": {...}, "preprocess": {...}}
  nlohmann::json stats() const;

 private:
  const ModelWeights& weights_;
  const ModelConfig& config_;
  std::unique_ptr<ImagePipeline> pipeline_;
  VisualTokenCache cache_;
  Times times_;
};

}  // namespace infeval

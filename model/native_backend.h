// The `native` backend: InfMLLM run in-process through LibTorch (model/). Torch-free factory header for the harness.
#pragma once
#include <memory>
#include <string>

#include "core/backend.h"

namespace infeval {

struct NativeBackendOptions {
  std::string model;  // config name in configs/models, a config .json path, or a checkpoint dir
  std::string device = "cpu";
  std::string precision = "fp32";
  int threads = 0;        // CPU threads for LibTorch; 0 = LibTorch's default
  std::string protocol;   // empty: the model config's protocol (requests name theirs; this is what info() reports)
  int feature_cache_mb = -1;    // visual tokens kept across batches (MiB); -1: 4096 on cuda, 1024 on cpu; 0: off
  int preprocess_threads = -1;  // image decode + resize workers; -1: min(8, cores); 0: on the calling thread
  // Response::diagnostics = {"tokens": [...], "margins": [...], "margin_kind": ...} per answer (see generate.h).
  bool record_margins = false;
};

// Loads the model (InputError on a bad config or checkpoint). Per-sample failures (a corrupt image, a prompt
// without its image marker) become Response::error; the run goes on.
// Throughput: schedule() buckets prompts by token length within windows of 16 batches; prefetch() decodes the next
// batch's images on the preprocess threads; each distinct image goes through the ViT once (model/visual_encoder.h)
// and its visual tokens stay in the feature cache for later batches. Answers do not depend on any of this (in fp32; in
// bf16 a different batch composition may change the last bits of the activations).
std::unique_ptr<Backend> make_native_backend(const NativeBackendOptions& options);

}  // namespace infeval

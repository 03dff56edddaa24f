// The `native` backend: InfMLLM run in-process through LibTorch (model/). Torch-free factory header for the harness.
#pragma once
#include <memory>
#include <string>

#include "harness/core/backend.h"

namespace infeval {

struct NativeBackendOptions {
  std::string model;  // config name in configs/models, a config .json path, or a checkpoint dir
  std::string device = "cpu";
  std::string precision = "fp32";
  int threads = 0;        // CPU threads for LibTorch; 0 = LibTorch's default
  std::string protocol;   // empty: the model config's protocol (requests name theirs; this is what info() reports)
};

// Loads the model (InputError on a bad config or checkpoint). Per-sample failures (a corrupt image, a prompt
// without its image marker) become Response::error; the run goes on.
std::unique_ptr<Backend> make_native_backend(const NativeBackendOptions& options);

}  // namespace infeval

#include "model/timing.h"

#include <torch/cuda.h>

namespace infeval {

void synchronize_device(const c10::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

}  // namespace infeval

#include "model/device.h"

#include <torch/torch.h>

#include "core/error.h"

namespace infeval {

c10::Device parse_device(const std::string& name, const std::string& hint) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const std::exception&) {
    throw InputError("--device '" + name + "' is not a device name; hint: use cpu, cuda or cuda:N");
  }
  if (device.is_cuda() && !torch::cuda::is_available()) {
    throw InputError("--device " + name + ": CUDA is not available in this build or on this machine; hint: " + hint);
  }
  return device;
}

}  // namespace infeval

// One reader of --device for everything that runs a model (the native backend and `infeval bench`), so a bad name
// is the same clear InputError (exit 2) everywhere instead of a c10::Error from at::Device (exit 3).
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace infeval {

// "cpu", "cuda" or "cuda:N" -> a device; CUDA must be available. `hint` ends the CUDA-missing message.
c10::Device parse_device(const std::string& name, const std::string& hint = "use --device cpu");

}  // namespace infeval

// Wall-clock stage timing for the engine. CUDA kernels run asynchronously, so a stage's end is only known after
// synchronize_device().
#pragma once
#include <chrono>

#include <c10/core/Device.h>

namespace infeval {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Waits for the device's queued work (no-op on the CPU).
void synchronize_device(const c10::Device& device);

}  // namespace infeval

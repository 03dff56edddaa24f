#include "harness/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace infeval {

Progress::Progress(std::string label, size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), terminal_(isatty(STDERR_FILENO) != 0) {
  start_ = last_print_ = std::chrono::steady_clock::now();
}

void Progress::advance(size_t count) {
  done_ += count;
  const auto now = std::chrono::steady_clock::now();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (terminal_ ? since_print >= 0.2 : since_print >= 10.0) {
    print(false);
    last_print_ = now;
  }
}

void Progress::finish() { print(true); }

void Progress::print(bool final_line) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done_, total_)) / rate : 0.0;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (terminal_) {
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar = std::string(filled, '#') + std::string(width - filled, '.');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu %.1f samples/s ETA %.0fs%s", label_.c_str(), bar.c_str(), done_, total_,
                 rate, eta, final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s: %zu/%zu (%.0f%%) %.1f samples/s ETA %.0fs\n", label_.c_str(), done_, total_,
                 100.0 * fraction, rate, eta);
  }
  std::fflush(stderr);
}

}  // namespace infeval

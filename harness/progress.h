// Progress on stderr: a bar with samples/s and ETA on a terminal, a one-line update every 10 s otherwise.
#pragma once
#include <chrono>
#include <string>

namespace infeval {

class Progress {
 public:
  Progress(std::string label, size_t total, bool enabled);
  void advance(size_t count);
  void finish();

 private:
  void print(bool final_line);
  std::string label_;
  size_t total_ = 0, done_ = 0;
  bool enabled_ = true, terminal_ = false;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace infeval

// Request images decoded and preprocessed on a pool of CPU threads, so that the next batch's images are ready
// while the model runs the current one. Work is keyed by the image's identity: an image several requests ask for
// is read once while in flight. Plain C++ (no Torch); called from the backend's thread only.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/backend.h"
#include "core/thread_pool.h"
#include "model/image.h"

namespace infeval {

class ImagePipeline {
 public:
  // Produces one model input: 3 x S x S float32, CHW, normalized. Runs on a worker thread.
  using PixelsJob = std::function<std::vector<float>()>;

  // threads 0: every job runs on the calling thread, when taken. image_size and norm: the model's, for
  // request_job().
  ImagePipeline(int threads, int image_size, const ImageNormalization& norm);
  ~ImagePipeline();

  // The identity of a request's image and preprocessing (everything the visual tokens depend on for one model):
  // "file:<path>:<size>:<mtime>" or "bytes:<sha256>", plus ":square" when padded to square. Empty without an image.
  static std::string image_key(const Request& request);
  // Decode the request's file or inline bytes, then preprocess_image() for this model. Throws ImageError.
  PixelsJob request_job(const Request& request) const;

  // Starts `job` under `key` unless that key is already in flight. At most `max_in_flight` jobs are queued;
  // further starts are ignored (take() then runs the job itself).
  void start(const std::string& key, PixelsJob job);
  // The pixels for `key`: waits for the job started earlier or runs `job` now. Rethrows the job's exception.
  // Forgets the key.
  std::vector<float> take(const std::string& key, const PixelsJob& job);
  // Forgets in-flight work whose result is no longer needed (e.g. the image's tokens were cached meanwhile).
  void discard(const std::string& key);

  // {"threads", "images", "worker_seconds", "wait_seconds", "discarded"}: jobs run, their total time on the
  // workers (or the calling thread), and the time take() blocked (the part the caller did not overlap).
  nlohmann::json stats() const;
  double wait_seconds() const { return wait_seconds_; }
  double worker_seconds() const { return static_cast<double>(worker_nanoseconds_.load()) * 1e-9; }

  static constexpr size_t max_in_flight = 1024;

 private:
  std::vector<float> run_timed(const PixelsJob& job);

  int image_size_;
  ImageNormalization norm_;
  std::unique_ptr<ThreadPool> pool_;
  std::unordered_map<std::string, std::future<std::vector<float>>> in_flight_;
  std::atomic<int64_t> images_{0};
  std::atomic<int64_t> worker_nanoseconds_{0};
  double wait_seconds_ = 0.0;
  int64_t discarded_ = 0;
};

}  // namespace infeval

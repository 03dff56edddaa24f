// Request images decoded and preprocessed on a pool of CPU threads, so that the next batch's images are ready
// while the model runs the current one. Work is keyed by the image's identity: an image several requests ask for
// is read once while in flight. Plain C++ (no Torch); called from the backend's thread only.
#pragma once
#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/core/backend.h"
#include "harness/core/thread_pool.h"
#include "model/image.h"

namespace infeval {

class ImagePipeline {
 public:
  // threads 0: every image is processed on the calling thread, when taken. image_size: the model's S.
  ImagePipeline(int threads, int image_size, const ImageNormalization& norm);
  ~ImagePipeline();

  // The identity of a request's image and preprocessing (everything the visual tokens depend on for one model):
  // "file:<path>:<size>:<mtime>" or "bytes:<sha256>", plus ":square" when padded to square. Empty without an image.
  static std::string image_key(const Request& request);

  // Starts decoding + preprocessing `request`'s image under `key` unless it is already in flight. At most
  // `max_in_flight` images are queued; further starts are ignored (take() then does the work itself).
  void start(const std::string& key, const Request& request);
  // The pixels (3 x S x S, CHW float32) for `key`: waits for the work started earlier or does it now. Throws what
  // decoding throws (ImageError for a corrupt file, InputError naming the request). Forgets the key.
  std::vector<float> take(const std::string& key, const Request& request);
  // Forgets in-flight work whose result is no longer needed (e.g. the image's tokens were cached meanwhile).
  void discard(const std::string& key);

  // {"threads", "images", "worker_seconds", "wait_seconds", "discarded"}: images preprocessed, their total time on
  // the workers (or the calling thread), and the time take() blocked.
  nlohmann::json stats() const;

  static constexpr size_t max_in_flight = 1024;

 private:
  std::vector<float> process(const Request& request);

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

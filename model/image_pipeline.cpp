#include "model/image_pipeline.h"

#include <chrono>
#include <filesystem>
#include <new>
#include <system_error>

#include "core/error.h"
#include "core/sha256.h"

namespace fs = std::filesystem;

namespace infeval {

using Clock = std::chrono::steady_clock;

ImagePipeline::ImagePipeline(int threads, int image_size, const ImageNormalization& norm)
    : image_size_(image_size), norm_(norm) {
  if (threads > 0) pool_ = std::make_unique<ThreadPool>(threads);
}

ImagePipeline::~ImagePipeline() {
  // Queued jobs refer to this object's settings: let the pool finish them before the members go.
  pool_.reset();
}

std::string ImagePipeline::image_key(const Request& request) {
  std::string key;
  if (!request.image_bytes.empty()) {
    key = "bytes:" + sha256_hex(request.image_bytes);
  } else if (!request.image_path.empty()) {
    // Size and modification time: a file rewritten during a run is not served from the cache.
    std::error_code error;
    const auto size = fs::file_size(request.image_path, error);
    const auto mtime = fs::last_write_time(request.image_path, error);
    key = "file:" + request.image_path;
    if (!error) {
      key += ":" + std::to_string(size) + ":" + std::to_string(mtime.time_since_epoch().count());
    }
  } else {
    return "";
  }
  return request.expand_to_square ? key + ":square" : key;
}

ImagePipeline::PixelsJob ImagePipeline::request_job(const Request& request) const {
  const int size = image_size_;
  const ImageNormalization norm = norm_;
  return [request, size, norm] {
    const std::string name = request.image_bytes.empty() ? request.image_path
                                                         : request.task + ":" + request.sample_id + " (inline image)";
    try {
      const RgbImage image = request.image_bytes.empty()
                                 ? decode_image_file(request.image_path, request.expand_to_square)
                                 : decode_image_bytes(request.image_bytes, name, request.expand_to_square);
      return preprocess_image(image, size, request.expand_to_square, norm);
    } catch (const std::bad_alloc&) {
      // One sample's allocation failure fails that sample, never the run (issue 14).
      throw ImageError(name + ": out of memory while preparing the image");
    }
  };
}

std::vector<float> ImagePipeline::run_timed(const PixelsJob& job) {
  const auto start = Clock::now();
  std::vector<float> pixels = job();
  worker_nanoseconds_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  ++images_;
  return pixels;
}

void ImagePipeline::start(const std::string& key, PixelsJob job) {
  if (!pool_ || in_flight_.count(key) != 0 || in_flight_.size() >= max_in_flight) return;
  in_flight_.emplace(key, pool_->submit([this, job = std::move(job)] { return run_timed(job); }));
}

std::vector<float> ImagePipeline::take(const std::string& key, const PixelsJob& job) {
  const auto start = Clock::now();
  auto it = in_flight_.find(key);
  std::vector<float> pixels;
  if (it == in_flight_.end()) {
    pixels = run_timed(job);
  } else {
    std::future<std::vector<float>> pending = std::move(it->second);
    in_flight_.erase(it);
    pixels = pending.get();  // rethrows the worker's exception
  }
  wait_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  return pixels;
}

void ImagePipeline::discard(const std::string& key) {
  if (in_flight_.erase(key) != 0) ++discarded_;
}

nlohmann::json ImagePipeline::stats() const {
  return nlohmann::json{{"threads", pool_ ? pool_->size() : 0},
                        {"images", images_.load()},
                        {"worker_seconds", worker_seconds()},
                        {"wait_seconds", wait_seconds_},
                        {"discarded", discarded_}};
}

}  // namespace infeval

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "harness/backends/builtin_backends.h"
#include "core/error.h"
#include "core/sha256.h"
#include "harness/prediction_formats.h"
#include "harness/predictions_store.h"

namespace fs = std::filesystem;

namespace infeval {

namespace {

class ReplayBackend : public Backend {
 public:
  ReplayBackend(const std::string& path, std::string protocol) : path_(path), protocol_(std::move(protocol)) {
    if (!fs::exists(path)) throw InputError(fmt::format("--replay {}: no such file or directory", path));
    format_ = detect_prediction_format(path);
    Sha256 hasher;
    if (format_ == "harness") {
      std::vector<std::string> files;
      if (fs::is_directory(path)) {
        const std::string dir = fs::is_directory(path + "/predictions") ? path + "/predictions" : path;
        for (const auto& e : fs::directory_iterator(dir))
          if (e.path().extension() == ".jsonl") files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
      } else {
        files = {path};
      }
      for (const auto& f : files) {
        hasher.update(sha256_file_hex(f));
        for (const auto& r : read_prediction_records(f)) by_task_and_id_[r.task + '\x1f' + r.sample_id] = r.prediction;
      }
    } else {
      if (fs::is_directory(path)) throw InputError(fmt::format("--replay {}: a {} directory cannot be replayed", path, format_));
      hasher.update(sha256_file_hex(path));
      for (const auto& p : read_predictions(path, format_, "", {})) by_id_[p.id] = p.text;
    }
    digest_ = hasher.hex_digest();
  }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = "replay";
    i.model_name = "replay:" + fs::path(path_).filename().string();
    i.model_digest = digest_;
    i.precision = "n/a";
    i.device = "n/a";
    i.protocol = protocol_;
    i.extra = {{"replayed_file", path_}, {"format", format_}};
    return i;
  }

  std::vector<Response> generate(const std::vector<Request>& batch) override {
    std::vector<Response> out;
    for (const auto& r : batch) {
      Response response;
      auto it = by_task_and_id_.find(r.task + '\x1f' + r.sample_id);
      if (it != by_task_and_id_.end()) {
        response.text = it->second;
      } else if (auto id = by_id_.find(r.sample_id); id != by_id_.end()) {
        response.text = id->second;
      } else {
        response.error = fmt::format("no prediction for {} sample {} in {}", r.task, r.sample_id, path_);
      }
      out.push_back(response);
    }
    return out;
  }

 private:
  std::string path_, protocol_, format_, digest_;
  std::map<std::string, std::string> by_task_and_id_;
  std::map<std::string, std::string> by_id_;
};

}  // namespace

std::unique_ptr<Backend> make_replay_backend(const std::string& path, const std::string& protocol) {
  return std::make_unique<ReplayBackend>(path, protocol);
}

}  // namespace infeval

#include "model/native_backend.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>
#include <torch/torch.h>

#include "harness/core/error.h"
#include "harness/core/sha256.h"
#include "harness/core/json_io.h"
#include "model/generate.h"
#include "model/image.h"
#include "model/infmllm_model.h"
#include "model/prompting.h"

namespace infeval {
namespace {

using Clock = std::chrono::steady_clock;

// sha256 of the single weight file, or of the lines "<sha256>  <file name>" of sorted shards.
std::string weights_digest(std::vector<std::string> files) {
  std::sort(files.begin(), files.end());
  if (files.size() == 1) return sha256_file_hex(files[0]);
  std::string lines;
  for (const std::string& f : files) lines += sha256_file_hex(f) + "  " + f.substr(f.find_last_of('/') + 1) + "\n";
  return sha256_hex(lines);
}

std::string strip(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\n\r\f\v");
  return s.substr(begin, end - begin + 1);
}

// The chat scripts: strip, drop a trailing "</s>", strip again.
std::string chat_postprocess(const std::string& text) {
  std::string out = strip(text);
  const std::string stop = "</s>";
  if (out.size() >= stop.size() && out.compare(out.size() - stop.size(), stop.size(), stop) == 0) {
    out = strip(out.substr(0, out.size() - stop.size()));
  }
  return out;
}

class NativeBackend : public Backend {
 public:
  explicit NativeBackend(const NativeBackendOptions& options) : options_(options) {
    if (options.threads > 0) at::set_num_threads(options.threads);
    const ModelConfig config = load_model_config(options.model);
    LoadOptions load;
    load.device = options.device;
    load.precision = options.precision;
    const auto start = Clock::now();
    model_ = std::make_unique<InfMllmModel>(config, load);
    model_->tokenizer();  // load now: a bad tokenizer fails the run, not every sample
    load_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    digest_ = weights_digest(model_->weight_files());
    protocol_ = options.protocol.empty() ? config.protocol : options.protocol;
    norm_.mean = config.image_mean;
    norm_.std = config.image_std;
  }

  BackendInfo info() const override {
    BackendInfo info;
    info.name = "native";
    info.model_name = model_->config().name;
    info.model_digest = digest_;
    info.precision = options_.precision;
    info.device = options_.device;
    info.protocol = protocol_;
    info.extra = json{{"config", model_->config().to_json()},
                      {"weight_files", model_->weight_files()},
                      {"tokenizer", model_->config().tokenizer},
                      {"threads", at::get_num_threads()}};
    return info;
  }

  json stats() const override {
    return json{{"stage_seconds",
                 {{"load", load_seconds_},
                  {"preprocess", preprocess_s_},
                  {"vit", vit_s_},
                  {"adapter", adapter_s_},
                  {"prefill", times_.prefill_s},
                  {"decode", times_.decode_s}}},
                {"samples", samples_},
                {"failed_samples", failed_},
                {"model_batches", batches_}};
  }

  std::vector<Response> generate(const std::vector<Request>& batch) override {
    torch::NoGradGuard no_grad;
    std::vector<Response> responses(batch.size());
    std::vector<Prepared> prepared(batch.size());
    auto start = Clock::now();
    for (size_t i = 0; i < batch.size(); ++i) prepare(batch[i], &prepared[i], &responses[i]);
    preprocess_s_ += seconds_since(start);

    // Group by generation settings (first-appearance order), one model batch per group.
    std::map<std::string, std::vector<size_t>> groups;
    std::vector<std::string> order;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!responses[i].error.empty()) continue;
      const std::string key = batch[i].generation.to_json().dump();
      if (groups.count(key) == 0) order.push_back(key);
      groups[key].push_back(i);
    }
    for (const std::string& key : order) run_group(batch, groups[key], prepared, &responses);
    samples_ += static_cast<int64_t>(batch.size());
    for (const Response& r : responses) failed_ += r.error.empty() ? 0 : 1;
    return responses;
  }

 private:
  struct Prepared {
    PromptIds ids;
    std::vector<float> pixels;  // 3 x S x S when the prompt has an image
    std::string protocol;
  };

  static double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  void synchronize() const {
#ifdef INFEVAL_HAVE_CUDA
    if (model_->device().is_cuda()) torch::cuda::synchronize();
#endif
  }

  void prepare(const Request& request, Prepared* out, Response* response) const {
    const std::string where = request.task + ":" + request.sample_id;
    const ModelConfig& config = model_->config();
    try {
      out->protocol = request.protocol.empty() ? protocol_ : request.protocol;
      if (out->protocol == "multitask") {
        out->ids = multitask_prompt_ids(model_->tokenizer(), request.prompt, config.lm.bos_token_id, where);
      } else if (out->protocol == "chat") {
        out->ids = chat_prompt_ids(model_->tokenizer(), chat_prompt(request.prompt), config.lm.bos_token_id, where);
      } else {
        throw InputError(where + ": unknown protocol '" + out->protocol + "'");
      }
      if (!out->ids.has_image) return;
      if (request.image_path.empty() && request.image_bytes.empty()) {
        throw InputError(where + ": the prompt has an image marker but the request has no image");
      }
      const RgbImage image = request.image_bytes.empty()
                                 ? decode_image_file(request.image_path)
                                 : decode_image_bytes(request.image_bytes, where + " (inline image)");
      out->pixels = preprocess_image(image, config.image_size, request.expand_to_square, norm_);
    } catch (const ImageError& e) {
      response->error = e.what();
    } catch (const InputError& e) {
      response->error = e.what();
    }
  }

  void run_group(const std::vector<Request>& batch, const std::vector<size_t>& items,
                 const std::vector<Prepared>& prepared, std::vector<Response>* responses) {
    const ModelConfig& config = model_->config();
    const GenerationSettings& settings = batch[items[0]].generation;
    const int64_t Q = static_cast<int64_t>(items.size()), S = config.image_size;
    ++batches_;

    // Visual tokens for the items with an image; rows of the others stay zero (unused).
    std::vector<int64_t> with_image;
    for (int64_t q = 0; q < Q; ++q) {
      if (prepared[items[q]].ids.has_image) with_image.push_back(q);
    }
    at::Tensor visual;
    if (!with_image.empty()) {
      auto start = Clock::now();
      at::Tensor pixels = torch::empty({static_cast<int64_t>(with_image.size()), 3, S, S}, torch::kFloat);
      for (size_t k = 0; k < with_image.size(); ++k) {
        const std::vector<float>& p = prepared[items[with_image[k]]].pixels;
        std::copy(p.begin(), p.end(), pixels[static_cast<int64_t>(k)].data_ptr<float>());
      }
      const at::Tensor features = model_->vision_features(pixels.to(model_->device()));
      synchronize();
      vit_s_ += seconds_since(start);
      start = Clock::now();
      const at::Tensor tokens = model_->visual_tokens(features);
      synchronize();
      adapter_s_ += seconds_since(start);
      visual = torch::zeros({Q, tokens.size(1), tokens.size(2)}, tokens.options());
      visual.index_copy_(0, torch::tensor(with_image, torch::kLong).to(model_->device()), tokens);
    }

    std::vector<PromptIds> prompts;
    for (size_t i : items) prompts.push_back(prepared[i].ids);
    const PromptBatch inputs = assemble_prompt_batch(model_->llama(), prompts, visual, config.lm.pad_token_id);
    const GenerationOutput output = generate_tokens(model_->llama(), inputs.embeds, inputs.mask, settings,
                                                    config.lm.eos_token_id, config.lm.pad_token_id, &times_);
    for (int64_t q = 0; q < Q; ++q) {
      const size_t i = items[q];
      const std::string text = model_->tokenizer().decode(output.sequences[q]);
      (*responses)[i].text = prepared[i].protocol == "chat" ? chat_postprocess(text) : strip(text);
    }
  }

  NativeBackendOptions options_;
  std::unique_ptr<InfMllmModel> model_;
  std::string digest_;
  std::string protocol_;
  ImageNormalization norm_;
  double load_seconds_ = 0.0, preprocess_s_ = 0.0, vit_s_ = 0.0, adapter_s_ = 0.0;
  GenerationTimes times_;
  int64_t samples_ = 0, failed_ = 0, batches_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend(const NativeBackendOptions& options) {
  return std::make_unique<NativeBackend>(options);
}

}  // namespace infeval

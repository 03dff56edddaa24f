#include "model/native_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/sha256.h"
#include "core/json_io.h"
#include "core/schedule.h"
#include "core/thread_pool.h"
#include "model/generate.h"
#include "model/image.h"
#include "model/infmllm_model.h"
#include "model/prompting.h"
#include "model/timing.h"
#include "model/visual_encoder.h"
#ifdef INFEVAL_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace infeval {
namespace {

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

// Peak memory of the CUDA caching allocator on `device` since the backend was created (bytes); {} on the CPU.
json device_memory_stats(const at::Device& device) {
#ifdef INFEVAL_HAVE_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    return json{{"peak_device_memory_bytes", stats.allocated_bytes[0].peak},
                {"peak_device_reserved_bytes", stats.reserved_bytes[0].peak}};
  }
#else
  (void)device;
#endif
  return json::object();
}

int default_preprocess_threads() { return default_worker_threads(); }

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
    load_seconds_ = seconds_since(start);
    digest_ = weights_digest(model_->weight_files());
    protocol_ = options.protocol.empty() ? config.protocol : options.protocol;
    const int threads = options.preprocess_threads >= 0 ? options.preprocess_threads : default_preprocess_threads();
    const int64_t cache_mb = options.feature_cache_mb >= 0 ? options.feature_cache_mb
                             : model_->device().is_cuda() ? 4096
                                                          : 1024;
    encoder_ = std::make_unique<VisualEncoder>(model_->weights(), model_->config(), threads, cache_mb * 1024 * 1024);
#ifdef INFEVAL_HAVE_CUDA
    if (model_->device().is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(model_->device().index());
#endif
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
                      {"threads", at::get_num_threads()},
                      {"record_margins", options_.record_margins}};
    return info;
  }

  json stats() const override {
    const VisualEncoder::Times& vision = encoder_->times();
    // preprocess: decode + resize time on the workers (overlaps the model); preprocess_wait: the part the model
    // thread waited for.
    json stats = {{"stage_seconds",
                   {{"load", load_seconds_},
                    {"preprocess", encoder_->pipeline().worker_seconds()},
                    {"preprocess_wait", vision.preprocess_wait},
                    {"upload", vision.upload},
                    {"vit", vision.vit},
                    {"adapter", vision.adapter},
                    {"prefill", times_.prefill_s},
                    {"decode", times_.decode_s}}},
                  {"samples", samples_},
                  {"failed_samples", failed_},
                  {"model_batches", batches_}};
    stats.update(encoder_->stats());
    stats.update(device_memory_stats(model_->device()));
    return stats;
  }

  // Length buckets (prompt tokens, visual tokens included) per generation setting, windows of 16 batches.
  std::vector<size_t> schedule(const std::vector<Request>& pending, int batch_size) const override {
    scheduled_ids_.clear();
    std::vector<int64_t> lengths;
    std::vector<std::string> groups;
    for (const Request& request : pending) {
      Prepared prepared;
      Response ignored;
      prepare_prompt(request, &prepared, &ignored);  // a failing prompt gets length 0; generate() reports it
      if (ignored.error.empty()) scheduled_ids_[prompt_key(request)] = prepared.ids;  // generate() reuses them
      const int64_t visual = prepared.ids.has_image ? model_->config().num_visual_tokens() : 0;
      lengths.push_back(static_cast<int64_t>(prepared.ids.before.size() + prepared.ids.after.size()) + visual);
      groups.push_back(prepared.protocol + '\x1f' + request.generation.to_json().dump());
    }
    return length_bucketed_order(lengths, groups, static_cast<size_t>(std::max(1, batch_size)) * 16);
  }

  void prefetch(const std::vector<Request>& upcoming) override {
    std::vector<VisualEncoder::Image> images;
    for (const Request& request : upcoming) {
      std::string key = ImagePipeline::image_key(request);
      if (!key.empty()) images.push_back({std::move(key), encoder_->pipeline().request_job(request)});
    }
    encoder_->prefetch(images);
  }

  std::vector<Response> generate(const std::vector<Request>& batch) override {
    torch::NoGradGuard no_grad;
    std::vector<Response> responses(batch.size());
    std::vector<Prepared> prepared(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) prepare_prompt(batch[i], &prepared[i], &responses[i]);
    visual_tokens_for(batch, &prepared, &responses);

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
    std::string protocol;
    at::Tensor visual;      // [T, hidden] on the model's device, when the prompt has an image
  };

  // Everything the prompt ids depend on (and the sample, which errors name).
  static std::string prompt_key(const Request& request) {
    return request.task + '\x1f' + request.sample_id + '\x1f' + request.protocol + '\x1f' + request.prompt;
  }

  void prepare_prompt(const Request& request, Prepared* out, Response* response) const {
    const std::string where = request.task + ":" + request.sample_id;
    const ModelConfig& config = model_->config();
    try {
      out->protocol = request.protocol.empty() ? protocol_ : request.protocol;
      auto scheduled = scheduled_ids_.find(prompt_key(request));
      if (scheduled != scheduled_ids_.end()) {
        out->ids = scheduled->second;  // tokenized once, by schedule()
      } else if (out->protocol == "multitask") {
        out->ids = multitask_prompt_ids(model_->tokenizer(), request.prompt, config.lm.bos_token_id, where);
      } else if (out->protocol == "chat") {
        out->ids = chat_prompt_ids(model_->tokenizer(), chat_prompt(request.prompt), config.lm.bos_token_id, where);
      } else {
        throw InputError(where + ": unknown protocol '" + out->protocol + "'");
      }
      if (out->ids.has_image && request.image_path.empty() && request.image_bytes.empty()) {
        throw InputError(where + ": the prompt has an image marker but the request has no image");
      }
      // Positions past max_position_embeddings are outside what the model was built for (and a very long prompt
      // would cost minutes and gigabytes before failing later): refuse before running it.
      const int64_t visual = out->ids.has_image ? config.num_visual_tokens() : 0;
      const int64_t tokens = static_cast<int64_t>(out->ids.before.size() + out->ids.after.size()) + visual;
      if (tokens > config.lm.max_position_embeddings) {
        throw InputError(fmt::format("{}: the prompt has {} tokens ({} of them visual), more than the model's {} "
                                     "positions (max_position_embeddings); hint: shorten the question",
                                     where, tokens, visual, config.lm.max_position_embeddings));
      }
    } catch (const InputError& e) {
      response->error = e.what();
    }
  }

  // Fills Prepared::visual for every request with an image (the encoder runs each distinct image once); a failing
  // image fails the requests that need it.
  void visual_tokens_for(const std::vector<Request>& batch, std::vector<Prepared>* prepared,
                         std::vector<Response>* responses) {
    std::vector<VisualEncoder::Image> images;
    std::vector<size_t> request_of;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!(*responses)[i].error.empty() || !(*prepared)[i].ids.has_image) continue;
      images.push_back({ImagePipeline::image_key(batch[i]), encoder_->pipeline().request_job(batch[i])});
      request_of.push_back(i);
    }
    if (images.empty()) return;
    const VisualEncoder::Encoded encoded = encoder_->encode(images);
    for (size_t k = 0; k < images.size(); ++k) {
      if (!encoded.errors[k].empty()) (*responses)[request_of[k]].error = encoded.errors[k];
      else (*prepared)[request_of[k]].visual = encoded.tokens[k];
    }
  }

  void run_group(const std::vector<Request>& batch, const std::vector<size_t>& items,
                 const std::vector<Prepared>& prepared, std::vector<Response>* responses) {
    const ModelConfig& config = model_->config();
    const GenerationSettings& settings = batch[items[0]].generation;
    ++batches_;

    // Visual tokens [Q, T, hidden]; rows of prompts without an image are zeros (assemble_prompt_batch skips them).
    at::Tensor visual;
    for (size_t i : items) {
      if (prepared[i].visual.defined()) {
        visual = prepared[i].visual;
        break;
      }
    }
    if (visual.defined()) {
      std::vector<at::Tensor> rows;
      for (size_t i : items) rows.push_back(prepared[i].visual.defined() ? prepared[i].visual : torch::zeros_like(visual));
      visual = torch::stack(rows);
    }

    std::vector<PromptIds> prompts;
    for (size_t i : items) prompts.push_back(prepared[i].ids);
    const PromptBatch inputs = assemble_prompt_batch(model_->llama(), prompts, visual, config.lm.pad_token_id);
    const GenerationOutput output = generate_tokens(model_->llama(), inputs.embeds, inputs.mask, settings,
                                                    config.lm.eos_token_id, config.lm.pad_token_id, &times_,
                                                    options_.record_margins);
    for (size_t q = 0; q < items.size(); ++q) {
      const size_t i = items[q];
      if (!output.errors[q].empty()) {  // a numerical fault of this sample (generate.h)
        (*responses)[i].error = batch[i].task + ":" + batch[i].sample_id + ": " + output.errors[q];
        continue;
      }
      const std::string text = model_->tokenizer().decode(output.sequences[q]);
      (*responses)[i].text = prepared[i].protocol == "chat" ? chat_postprocess(text) : strip(text);
      if (options_.record_margins) {
        json& d = (*responses)[i].diagnostics;
        const auto rounded = [](float m) { return std::round(static_cast<double>(m) * 1e6) / 1e6; };  // short lines
        std::vector<double> margins;
        for (const float m : output.margins[q]) margins.push_back(rounded(m));
        d = {{"tokens", output.sequences[q]}, {"margins", margins},
             {"margin_kind", settings.num_beams == 1 ? "greedy_logit_gap" : "beam_boundary_logprob_gap"}};
        if (!output.final_margins.empty())
          d["final_margin"] = rounded(output.final_margins[q]);
      }
    }
  }

  NativeBackendOptions options_;
  std::unique_ptr<InfMllmModel> model_;
  std::string digest_;
  std::string protocol_;
  std::unique_ptr<VisualEncoder> encoder_;
  // Prompt ids of the requests the last schedule() ordered, keyed by prompt_key(): not tokenized twice.
  mutable std::unordered_map<std::string, PromptIds> scheduled_ids_;
  double load_seconds_ = 0.0;
  GenerationTimes times_;
  int64_t samples_ = 0, failed_ = 0, batches_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend(const NativeBackendOptions& options) {
  return std::make_unique<NativeBackend>(options);
}

}  // namespace infeval

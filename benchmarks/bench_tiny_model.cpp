// Throughput of the bundled tiny InfMLLM (tests/fixtures/tiny-infmllm) on this machine's CPU in fp32, batch 8,
// max_new_tokens 10, greedy and beam 5, at two levels:
//   model:   the fixture's golden normalized pixels and VQA prompt ids (cycled to 8) through ViT, pool-adapter,
//            prefill and decoding (model/infmllm_model.h + generate.h);
//   backend: the native backend end to end from image files (decode, resize, ViT, LLaMA; model/native_backend.h).
// A benchmark, not a test: it prints samples/s and asserts nothing. (These were DISABLED_ gtests that only printed.)
// Usage: build/benchmarks/bench_tiny_model [--rounds N] [--output FILE.json]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/json_io.h"
#include "model/generate.h"
#include "model/infmllm_model.h"
#include "model/model_config.h"
#include "model/native_backend.h"
#include "model/prompting.h"
#include "model/safetensors.h"

namespace infeval {
namespace {

const std::string kFixture = std::string(INFEVAL_FIXTURES) + "/tiny-infmllm";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// golden.safetensors' float32 tensor `name` (copied: the mapping may be unaligned).
at::Tensor golden_tensor(const SafetensorsFile& file, const std::string& name) {
  const auto it = file.tensors().find(name);
  if (it == file.tensors().end() || it->second.dtype != ST_F32)
    throw InputError(file.path() + ": no float32 tensor '" + name + "'");
  at::Tensor t = torch::empty(it->second.shape, torch::TensorOptions().dtype(at::kFloat));
  std::memcpy(t.data_ptr(), it->second.data, it->second.size_bytes);
  return t;
}

GenerationSettings settings_for(int beams) {
  GenerationSettings settings;
  settings.num_beams = beams;
  settings.max_new_tokens = 10;
  settings.length_penalty = 0.0;
  return settings;
}

// Golden pixels and VQA prompts, batch 8: ViT -> pool-adapter -> prompt -> generate, `rounds` times after a warm-up.
json model_level(int rounds) {
  torch::NoGradGuard no_grad;
  const ModelConfig config = load_model_config(kFixture);
  const InfMllmModel model(config, LoadOptions{});
  const SafetensorsFile golden(kFixture + "/golden.safetensors");
  const json cases = read_json_file(kFixture + "/golden.json");
  const json& token_ids = cases["cases"]["vqa"]["token_ids"];
  const at::Tensor all_pixels = golden_tensor(golden, "pixel_values");
  const int64_t n = 8, images = all_pixels.size(0);
  std::vector<PromptIds> prompts;
  std::vector<int64_t> image_index;
  for (int64_t i = 0; i < n; ++i) {
    const json& t = token_ids[static_cast<size_t>(i) % token_ids.size()];
    PromptIds ids;
    ids.before = {config.lm.bos_token_id};
    for (const json& id : t["before"]) ids.before.push_back(id.get<int>());
    ids.after = t["after"].get<std::vector<int>>();
    prompts.push_back(ids);
    image_index.push_back(i % images);
  }
  const at::Tensor pixels = all_pixels.index_select(0, torch::tensor(image_index));
  json out = json::object();
  for (const int beams : {1, 5}) {
    auto run = [&] {
      const at::Tensor visual = model.visual_tokens(model.vision_features(pixels));
      const PromptBatch batch = assemble_prompt_batch(model.llama(), prompts, visual, config.lm.pad_token_id);
      generate_tokens(model.llama(), batch.embeds, batch.mask, settings_for(beams), config.lm.eos_token_id,
                      config.lm.pad_token_id);
    };
    run();  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < rounds; ++k) run();
    const double rate = rounds * n / seconds_since(start);
    std::printf("model level, batch 8, %s: %.1f samples/s\n", beams == 1 ? "greedy" : "beam 5", rate);
    out[beams == 1 ? "greedy_samples_per_s" : "beam5_samples_per_s"] = rate;
  }
  return out;
}

// The native backend from image files: 8 VQA requests on the preprocessing fixtures, `rounds` times after a warm-up.
json backend_level(int rounds) {
  NativeBackendOptions options;
  options.model = kFixture;
  const std::unique_ptr<Backend> backend = make_native_backend(options);
  const std::vector<std::string> images = {"photo.jpg",    "rgba.png",        "gray.jpg",         "palette.png",
                                           "portrait.jpg", "progressive.jpg", "tiny_upscale.png", "photo.jpg"};
  json out = json::object();
  for (const int beams : {1, 5}) {
    std::vector<Request> batch;
    for (size_t i = 0; i < images.size(); ++i) {
      Request r;
      r.task = "bench_vqa";
      r.sample_id = std::to_string(i);
      r.image_path = std::string(INFEVAL_FIXTURES) + "/preprocess/" + images[i];
      r.prompt = "<image><ImageHere>Question:what is in the picture number " + std::to_string(i) + " Short answer:";
      r.protocol = "multitask";
      r.generation = settings_for(beams);
      batch.push_back(r);
    }
    backend->generate(batch);  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < rounds; ++k) backend->generate(batch);
    const double rate = rounds * static_cast<double>(batch.size()) / seconds_since(start);
    std::printf("backend level (images from files), batch 8, %s: %.1f samples/s\n",
                beams == 1 ? "greedy" : "beam 5", rate);
    out[beams == 1 ? "greedy_samples_per_s" : "beam5_samples_per_s"] = rate;
  }
  out["backend_stats"] = backend->stats();
  return out;
}

int run(int argc, char** argv) {
  int rounds = 10;
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::stoi(argv[++i]);
    } else if (arg == "--output" && i + 1 < argc) {
      output = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench_tiny_model [--rounds N] [--output FILE.json]\n");
      return 2;
    }
  }
  if (rounds < 1) throw InputError("--rounds must be >= 1");
  std::printf("tiny-infmllm fp32 cpu (%d LibTorch threads)\n", at::get_num_threads());
  const json result{{"benchmark", "bench_tiny_model"},
                    {"threads", at::get_num_threads()},
                    {"rounds", rounds},
                    {"model_level", model_level(rounds)},
                    {"backend_level", backend_level(rounds)}};
  if (!output.empty()) write_text_file_atomic(output, result.dump(2) + "\n");
  return 0;
}

}  // namespace
}  // namespace infeval

int main(int argc, char** argv) {
  try {
    return infeval::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}

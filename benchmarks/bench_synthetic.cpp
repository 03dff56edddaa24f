#include "benchmarks/bench_synthetic.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/backend.h"
#include "core/error.h"
#include "core/json_io.h"
#include "model/device.h"
#include "model/generate.h"
#include "model/image.h"
#include "model/llama.h"
#include "model/model_config.h"
#include "model/pool_adapter.h"
#include "model/prompting.h"
#include "model/safetensors.h"
#include "model/timing.h"
#include "model/visual_encoder.h"
#include "model/vit.h"
#include "model/weights.h"

namespace infeval {
namespace {


at::ScalarType precision_dtype(const std::string& precision) {
  if (precision == "fp32") return at::kFloat;
  if (precision == "bf16") return at::kBFloat16;
  if (precision == "fp16") return at::kHalf;
  throw InputError("--precision '" + precision + "' is unknown; hint: use fp32, bf16 or fp16");
}

int64_t dtype_bytes(at::ScalarType dtype) { return dtype == at::kFloat ? 4 : 2; }

at::Device checked_device(const std::string& name) { return parse_device(name, "use --device cpu (with --small)"); }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The InfMLLM-7B shapes (ModelConfig's defaults) at 448 px (pool 16 -> 256 visual tokens) or 224 px (pool 8 -> 64,
// as the measured baseline); --small: the bundled fixture's sizes (ViT head dim 88, LLaMA head dim 128).
ModelConfig bench_config(const SyntheticBenchOptions& o) {
  ModelConfig c;
  c.source = "infeval bench";
  if (o.small) {
    c.name = "synthetic-small";
    c.image_size = 112;
    c.pool_out_size = 4;
    c.vision.width = 176;
    c.vision.depth = 2;
    c.vision.heads = 2;
    c.vision.mlp_dim = 768;
    c.lm.vocab_size = 1000;
    c.lm.hidden_size = 256;
    c.lm.intermediate_size = 688;
    c.lm.num_layers = 2;
    c.lm.num_heads = 2;
    c.lm.num_kv_heads = 2;
  } else {
    if (o.image_size != 448 && o.image_size != 224) throw InputError("--image-size must be 448 or 224");
    c.name = "synthetic-infmllm-7b";
    c.image_size = o.image_size;
    c.pool_out_size = o.image_size == 448 ? 16 : 8;
  }
  c.validate();
  return c;
}

// Random weights straight into the engine's weight table (no checkpoint): norm weights 1, biases N(0, 0.02),
// matrices N(0, 1/fan_in) so that activations stay near unit size through every layer; cls/pos N(0, 0.02).
ModelWeights random_weights(const ModelConfig& config, const at::Device& device, at::ScalarType dtype) {
  ModelWeights w;
  const auto options = torch::TensorOptions().device(device).dtype(at::kFloat);
  for (const WeightSlot& slot : weight_table(config, &w)) {
    at::Tensor t;
    const bool norm = ends_with(slot.name, "norm.weight") || ends_with(slot.name, "norm1.weight") ||
                      ends_with(slot.name, "norm2.weight") || slot.name == "ln_vision.weight";
    if (slot.shape.size() == 1) {
      t = norm ? torch::ones(slot.shape, options) : torch::randn(slot.shape, options) * 0.02;
    } else if (ends_with(slot.name, "cls_token") || ends_with(slot.name, "pos_embed")) {
      t = torch::randn(slot.shape, options) * 0.02;
    } else {
      int64_t fan_in = 1;
      for (size_t i = 1; i < slot.shape.size(); ++i) fan_in *= slot.shape[i];
      t = torch::randn(slot.shape, options) * (1.0 / std::sqrt(static_cast<double>(fan_in)));
    }
    *slot.target = t.to(slot.keep_fp32 ? at::kFloat : dtype).contiguous();
  }
  finish_weights(&w);  // as the loader does
  return w;
}

// The synthetic questions. Lengths follow one formula shared with benchmarks/reference_pipeline.py so both sides
// do equal work: prompt = [bos + 4 tokens] + visual tokens + [3 + (6..20 question tokens) + 3].
struct SyntheticQuestion {
  int image = 0;
  PromptIds ids;
};

int question_tokens(int q) { return 6 + static_cast<int>((static_cast<int64_t>(q) * 7919) % 15); }

std::vector<SyntheticQuestion> make_questions(int count, int per_image, int vocab, int bos, uint64_t seed) {
  std::vector<SyntheticQuestion> out(count);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> token(3, vocab - 1);  // 0 pad, 1 bos, 2 eos stay out
  for (int q = 0; q < count; ++q) {
    SyntheticQuestion& s = out[q];
    s.image = q / per_image;
    s.ids.before = {bos};
    for (int i = 0; i < 4; ++i) s.ids.before.push_back(token(rng));
    const int after = 3 + question_tokens(q) + 3;
    for (int i = 0; i < after; ++i) s.ids.after.push_back(token(rng));
  }
  return out;
}

// A random 640x480 RGB image (COCO-like size), deterministic per image id.
RgbImage random_image(int id, uint64_t seed) {
  RgbImage image;
  image.width = 640;
  image.height = 480;
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * 3);
  std::mt19937 rng(static_cast<uint32_t>(seed * 1000003u + static_cast<uint64_t>(id)));
  for (size_t i = 0; i + 4 <= image.pixels.size(); i += 4) {
    const uint32_t r = rng();
    std::memcpy(&image.pixels[i], &r, 4);
  }
  return image;
}

// Random normalized pixels (3 x size x size, N(0, 1)), deterministic per image id: --no-preprocess.
std::vector<float> random_pixels(int id, int size, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed * 1000003u + static_cast<uint64_t>(id)));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> pixels(static_cast<size_t>(3) * size * size);
  for (float& p : pixels) p = normal(rng);
  return pixels;
}

// ---- FLOP and byte counts (performance-anchors.md section 3 conventions) ----

struct WorkModel {
  double vit_flops = 0;      // per image
  double adapter_flops = 0;  // per image
  double llm_weight_bytes = 0;
  double kv_bytes_per_token = 0;
  const ModelConfig* config = nullptr;

  // Prefill of one prompt of `len` tokens, logits at the last position only; causal attention counted as half.
  double prefill_flops(double len) const {
    const LmConfig& l = config->lm;
    const double H = l.hidden_size, I = l.intermediate_size;
    return l.num_layers * (2.0 * len * (4.0 * H * H + 3.0 * H * I) + 2.0 * len * len * H) +
           2.0 * H * l.vocab_size;
  }
  // One decode step of one sequence over a context of `ctx` tokens.
  double decode_flops(double ctx) const {
    const LmConfig& l = config->lm;
    const double H = l.hidden_size, I = l.intermediate_size;
    return l.num_layers * (2.0 * (4.0 * H * H + 3.0 * H * I) + 4.0 * ctx * H) + 2.0 * H * l.vocab_size;
  }
};

WorkModel work_model(const ModelConfig& c, at::ScalarType dtype) {
  WorkModel m;
  m.config = &c;
  const double W = c.vision.width, M = c.vision.mlp_dim, g = c.grid_size(), N = 1 + g * g;
  const double p = c.vision.patch_size;
  m.vit_flops = c.vision.depth * (2.0 * N * (4.0 * W * W + 2.0 * W * M) + 4.0 * N * N * W) +
                2.0 * g * g * W * 3.0 * p * p;
  const double H = c.lm.hidden_size, P2 = c.num_visual_tokens();
  m.adapter_flops = 2.0 * P2 * (W * H + H * H);
  const double I = c.lm.intermediate_size, V = c.lm.vocab_size;
  const double params = c.lm.num_layers * (4.0 * H * H + 3.0 * H * I) + 2.0 * V * H;  // embed + head included
  m.llm_weight_bytes = params * dtype_bytes(dtype);
  m.kv_bytes_per_token = 2.0 * c.lm.num_layers * H * dtype_bytes(dtype);
  return m;
}

// ---- measured ceilings ----

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// bf16 (or the run's dtype) GEMM n^3 on random data: median of 10 after 3 warm-ups, TFLOP/s.
double measure_gemm_tflops(const at::Device& device, at::ScalarType dtype, int64_t n) {
  torch::NoGradGuard no_grad;
  const auto options = torch::TensorOptions().device(device).dtype(dtype);
  const at::Tensor a = torch::randn({n, n}, options), b = torch::randn({n, n}, options);
  for (int i = 0; i < 3; ++i) torch::matmul(a, b);
  synchronize_device(device);
  std::vector<double> times;
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    at::Tensor c = torch::matmul(a, b);
    synchronize_device(device);
    times.push_back(seconds_since(start));
  }
  return 2.0 * n * n * n / median(times) / 1e12;
}

// Device-to-device copy of `bytes`, counting bytes read + written: median of 10 after 2 warm-ups, GB/s.
double measure_copy_gbps(const at::Device& device, int64_t bytes) {
  torch::NoGradGuard no_grad;
  const auto options = torch::TensorOptions().device(device).dtype(at::kFloat);
  const at::Tensor src = torch::randn({bytes / 4}, options);
  at::Tensor dst = torch::empty_like(src);
  for (int i = 0; i < 2; ++i) dst.copy_(src);
  synchronize_device(device);
  std::vector<double> times;
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    dst.copy_(src);
    synchronize_device(device);
    times.push_back(seconds_since(start));
  }
  return 2.0 * static_cast<double>(bytes) / median(times) / 1e9;
}

// ---- the timed passes ----

struct PassResult {
  VisualEncoder::Times vision;
  double preprocess = 0;  // pixel production on the workers (overlapped; the model waited vision.preprocess_wait)
  double assemble = 0;
  GenerationTimes generation;
  double wall_s = 0;
  double prefill_flops = 0;
  int64_t feature_cache_hits = 0;
  bool all_full_length = true;
};

class BenchRunner {
 public:
  BenchRunner(const SyntheticBenchOptions& options, const ModelConfig& config, const ModelWeights& weights,
              const Llama& llama, const at::Device& device)
      : o_(options), config_(config), weights_(weights), llama_(llama), device_(device), work_(work_model(config, weights.llama.embed_tokens.scalar_type())) {
    norm_.mean = config.image_mean;
    norm_.std = config.image_std;
  }

  // Questions [first, last) as one model batch, the way the native backend runs one: the visual encoder (ViT once
  // per distinct image, visual tokens cached across the pass's batches when reuse is on) -> prompt assembly ->
  // generate_tokens. The next batch's images are announced first, as the runner does.
  void run_batch(VisualEncoder* encoder, const std::vector<SyntheticQuestion>& questions, size_t first, size_t last,
                 size_t next_last, int beams, PassResult* result) {
    torch::NoGradGuard no_grad;
    encoder->prefetch(images_of(questions, last, next_last));
    const VisualEncoder::Encoded encoded = encoder->encode(images_of(questions, first, last));
    for (const std::string& error : encoded.errors) {
      if (!error.empty()) throw RuntimeFailure("infeval bench: synthetic image failed: " + error);
    }
    const at::Tensor visual = torch::stack(encoded.tokens);

    auto start = Clock::now();
    std::vector<PromptIds> prompts;
    for (size_t q = first; q < last; ++q) {
      prompts.push_back(questions[q].ids);
      const double len = static_cast<double>(questions[q].ids.before.size() + questions[q].ids.after.size()) +
                         static_cast<double>(config_.num_visual_tokens());
      result->prefill_flops += work_.prefill_flops(len);
    }
    const PromptBatch batch = assemble_prompt_batch(llama_, prompts, visual, config_.lm.pad_token_id);
    synchronize_device(device_);
    result->assemble += seconds_since(start);

    GenerationSettings settings;
    settings.num_beams = beams;
    settings.max_new_tokens = o_.max_new_tokens;
    settings.min_length = o_.max_new_tokens;  // EOS masked throughout: every question decodes max_new_tokens
    const GenerationOutput out = generate_tokens(llama_, batch.embeds, batch.mask, settings,
                                                 config_.lm.eos_token_id, config_.lm.pad_token_id,
                                                 &result->generation);
    synchronize_device(device_);
    for (const auto& sequence : out.sequences) {
      if (static_cast<int>(sequence.size()) != o_.max_new_tokens) result->all_full_length = false;
    }
  }

  // One pass over the questions with a fresh encoder (an empty feature cache: the warm-up pass does not feed the
  // timed one).
  PassResult run_pass(const std::vector<SyntheticQuestion>& questions, int beams, bool timed) {
    const int64_t cache_bytes = o_.reuse_image_features ? int64_t{4096} << 20 : 0;
    VisualEncoder encoder(weights_, config_, o_.preprocess_threads, cache_bytes);
    PassResult result;
    const size_t batch = static_cast<size_t>(o_.batch);
    const size_t count = timed ? questions.size() : std::min(questions.size(), batch * o_.warmup_batches);
    synchronize_device(device_);
    const auto start = Clock::now();
    for (size_t first = 0; first < count; first += batch) {
      const size_t last = std::min(count, first + batch);
      run_batch(&encoder, questions, first, last, std::min(count, last + batch), beams, &result);
    }
    synchronize_device(device_);
    result.wall_s = seconds_since(start);
    result.vision = encoder.times();
    result.preprocess = encoder.pipeline().worker_seconds();
    result.feature_cache_hits = encoder.stats()["feature_cache"]["hits"].get<int64_t>();
    return result;
  }

  const WorkModel& work() const { return work_; }

 private:
  // The images of questions [first, last): with reuse, keyed by image id (questions of one image share it);
  // without, one key per question so every question runs the ViT.
  std::vector<VisualEncoder::Image> images_of(const std::vector<SyntheticQuestion>& questions, size_t first,
                                              size_t last) const {
    std::vector<VisualEncoder::Image> images;
    const int size = config_.image_size;
    const ImageNormalization norm = norm_;
    const uint64_t seed = o_.seed;
    const bool preprocess = o_.preprocess;
    for (size_t q = first; q < last; ++q) {
      const int id = questions[q].image;
      const std::string key = o_.reuse_image_features ? fmt::format("image:{}", id) : fmt::format("question:{}", q);
      images.push_back({key, [id, size, norm, seed, preprocess] {
                          // A random 640x480 image standing in for a decoded JPEG, then the real preprocessing;
                          // --no-preprocess: random normalized pixels.
                          if (!preprocess) return random_pixels(id, size, seed);
                          return preprocess_image(random_image(id, seed), size, false, norm);
                        }});
    }
    return images;
  }

  const SyntheticBenchOptions& o_;
  const ModelConfig& config_;
  const ModelWeights& weights_;
  const Llama& llama_;
  at::Device device_;
  WorkModel work_;
  ImageNormalization norm_;
};

// Lower bound of the pass's work (performance-anchors.md section 3), fed with the run's measured ceilings.
// A: ViT per question, full prefill per question, per-beam KV reads. B: ViT once per distinct image, the image
// prefix ([bos + 4] + visual tokens) prefilled once per image, beams read their question's prompt KV once.
// Decode batches of min(Q, batch) questions; each decode forward costs max(bytes / BW, FLOPs / peak).
json physical_limit(const WorkModel& m, const std::vector<SyntheticQuestion>& questions, int beams, int batch,
                    int max_new_tokens, double peak_flops, double bandwidth) {
  const ModelConfig& c = *m.config;
  const double prefix_len = 5.0 + c.num_visual_tokens();
  std::map<int, int> per_image;
  double vit_a = 0, prefill_a = 0, prefill_b = 0;
  std::vector<double> lengths;
  for (const SyntheticQuestion& q : questions) {
    const double len = static_cast<double>(q.ids.before.size() + q.ids.after.size()) + c.num_visual_tokens();
    lengths.push_back(len);
    vit_a += m.vit_flops + m.adapter_flops;
    prefill_a += m.prefill_flops(len);
    prefill_b += m.prefill_flops(len) - m.prefill_flops(prefix_len);
    per_image[q.image] += 1;
  }
  const double images = static_cast<double>(per_image.size());
  const double vit_b = images * (m.vit_flops + m.adapter_flops);
  prefill_b += images * m.prefill_flops(prefix_len);

  double decode_a = 0, decode_b = 0;
  const size_t group = static_cast<size_t>(std::max(1, batch));
  for (size_t first = 0; first < lengths.size(); first += group) {
    const size_t last = std::min(lengths.size(), first + group);
    const double qn = static_cast<double>(last - first), seqs = qn * beams;
    double prompt_tokens = 0;
    for (size_t i = first; i < last; ++i) prompt_tokens += lengths[i];
    for (int step = 1; step < max_new_tokens; ++step) {  // the first token comes from the prefill
      const double flops = seqs * m.decode_flops(prompt_tokens / qn + step);
      const double bytes_a = m.llm_weight_bytes + m.kv_bytes_per_token * (prompt_tokens * beams + seqs * step);
      const double bytes_b = m.llm_weight_bytes + m.kv_bytes_per_token * (prompt_tokens + seqs * step);
      decode_a += std::max(bytes_a / bandwidth, flops / peak_flops);
      decode_b += std::max(bytes_b / bandwidth, flops / peak_flops);
    }
  }
  const double a = (vit_a + prefill_a) / peak_flops + decode_a;
  const double b = (vit_b + prefill_b) / peak_flops + decode_b;
  return json{{"case_a_seconds", a},
              {"case_a_parts", {{"vit_adapter", vit_a / peak_flops}, {"prefill", prefill_a / peak_flops},
                                {"decode", decode_a}}},
              {"case_b_seconds", b},
              {"case_b_parts", {{"vit_adapter", vit_b / peak_flops}, {"prefill", prefill_b / peak_flops},
                                {"decode", decode_b}}},
              {"distinct_images", images}};
}

}  // namespace

json run_synthetic_bench(const SyntheticBenchOptions& o, const std::function<void(const std::string&)>& log_fn) {
  auto log = [&](const std::string& line) {
    if (log_fn) log_fn(line);
  };
  if (o.questions < 1 || o.batch < 1 || o.max_new_tokens < 1 || o.questions_per_image < 1 || o.warmup_batches < 0) {
    throw InputError("infeval bench: --questions, --batch, --max-new-tokens and --questions-per-image must be >= 1");
  }
  for (int b : o.beams) {
    if (b < 1) throw InputError("infeval bench: --beams values must be >= 1");
  }
  torch::NoGradGuard no_grad;
  const at::Device device = checked_device(o.device);
  const at::ScalarType dtype = precision_dtype(o.precision);
  const ModelConfig config = bench_config(o);
  torch::manual_seed(o.seed);

  auto start = Clock::now();
  const double gemm_tflops = measure_gemm_tflops(device, dtype, o.small ? 256 : 8192);
  const double copy_gbps = measure_copy_gbps(device, o.small ? (int64_t{16} << 20) : (int64_t{2} << 30));
  log(fmt::format("ceilings: {} GEMM {:.4g} TFLOP/s, copy {:.4g} GB/s ({:.1f} s)", o.precision, gemm_tflops,
                  copy_gbps, seconds_since(start)));

  start = Clock::now();
  const ModelWeights weights = random_weights(config, device, dtype);
  const Llama llama(weights.llama, config.lm);
  synchronize_device(device);
  const double init_s = seconds_since(start);
  log(fmt::format("random weights for {} on {} in {}: {:.1f} s", config.name, o.device, o.precision, init_s));

  const std::vector<SyntheticQuestion> questions =
      make_questions(o.questions, o.questions_per_image, config.lm.vocab_size, config.lm.bos_token_id, o.seed);
  BenchRunner runner(o, config, weights, llama, device);

  json runs = json::array();
  for (int beams : o.beams) {
    if (o.warmup_batches > 0) runner.run_pass(questions, beams, false);
    const PassResult r = runner.run_pass(questions, beams, true);
    const VisualEncoder::Times& t = r.vision;
    // The reference feeds ready tensors: the time the model thread waited for pixels is not model time.
    const double model_s = r.wall_s - t.preprocess_wait;
    const double qps = o.questions / model_s;
    const double peak = gemm_tflops * 1e12;
    const double vit_eff = t.vit > 0 ? t.vit_images * runner.work().vit_flops / t.vit / peak : 0.0;
    const double prefill_eff = r.generation.prefill_s > 0 ? r.prefill_flops / r.generation.prefill_s / peak : 0.0;
    const json limit = physical_limit(runner.work(), questions, beams, o.batch, o.max_new_tokens, peak,
                                      copy_gbps * 1e9);
    json run{{"beams", beams},
             {"questions", o.questions},
             {"batch", o.batch},
             {"max_new_tokens", o.max_new_tokens},
             {"all_questions_decoded_max_new_tokens", r.all_full_length},
             {"wall_seconds", r.wall_s},
             {"model_seconds", model_s},
             {"questions_per_s", qps},
             {"questions_per_s_including_preprocess", o.questions / r.wall_s},
             {"vit_images", t.vit_images},
             {"feature_cache_hits", r.feature_cache_hits},
             {"stage_seconds",
              {{"preprocess", r.preprocess},
               {"preprocess_wait", t.preprocess_wait},
               {"upload", t.upload},
               {"vit", t.vit},
               {"adapter", t.adapter},
               {"assemble", r.assemble},
               {"prefill", r.generation.prefill_s},
               {"decode", r.generation.decode_s}}},
             {"gemm_efficiency",
              {{"vit", vit_eff},
               {"prefill", prefill_eff},
               {"vit_tflops", vit_eff * gemm_tflops},
               {"prefill_tflops", prefill_eff * gemm_tflops}}},
             {"physical_limit", limit},
             {"fraction_of_physical_limit_a", limit["case_a_seconds"].get<double>() / model_s},
             {"fraction_of_physical_limit_b", limit["case_b_seconds"].get<double>() / model_s}};
    log(fmt::format("beams {}: {} questions in {:.2f} s (+{:.2f} s preprocess) = {:.2f} questions/s; vit {:.2f} s "
                    "({:.0f}% of GEMM peak), adapter {:.3f} s, prefill {:.2f} s ({:.0f}%), decode {:.2f} s; "
                    "physical limit A {:.2f} s ({:.0f}%), B {:.2f} s ({:.0f}%)",
                    beams, o.questions, model_s, t.preprocess_wait, qps, t.vit, 100 * vit_eff, t.adapter,
                    r.generation.prefill_s, 100 * prefill_eff, r.generation.decode_s,
                    limit["case_a_seconds"].get<double>(), 100 * run["fraction_of_physical_limit_a"].get<double>(),
                    limit["case_b_seconds"].get<double>(), 100 * run["fraction_of_physical_limit_b"].get<double>()));
    runs.push_back(run);
  }

  return json{{"benchmark", "infeval bench (synthetic InfMLLM evaluation, random weights)"},
              {"card", o.card},
              {"device", o.device},
              {"precision", o.precision},
              {"model", config.to_json()},
              {"workload",
               {{"questions", o.questions},
                {"questions_per_image", o.questions_per_image},
                {"image_size", config.image_size},
                {"visual_tokens", config.num_visual_tokens()},
                {"prompt", "[bos + 4] + visual + [3 + (6 + (q*7919) % 15) + 3] tokens"},
                {"min_length", "= max_new_tokens (EOS masked, equal work on both sides)"},
                {"seed", o.seed}}},
              {"optimizations",
               {{"vit_once_per_distinct_image", o.reuse_image_features},
                {"feature_cache_across_batches", o.reuse_image_features},
                {"preprocess_threads", o.preprocess_threads},
                {"preprocess_in_timing", "the model thread's wait for pixels is reported apart (preprocess_wait); "
                                         "questions_per_s excludes it (the reference feeds tensors)"},
                {"beam_shared_prompt_kv", true},
                {"custom_cuda_kernels", device.is_cuda() && dtype != at::kFloat},
                {"cuda_graphs", false},
                {"beam_search", "log_softmax and top-k on the device; hypotheses on the host ([Q, 2 x beams] per step)"}}},
              {"ceilings", {{"gemm_tflops", gemm_tflops}, {"copy_gbps", copy_gbps}, {"gemm_n", o.small ? 256 : 8192}}},
              {"weights_init_seconds", init_s},
              {"runs", runs}};
}

// ---- first-step logits against the Hugging Face reference export ----

namespace {

at::Tensor view_to_cpu_tensor(const TensorView& view) {
  at::ScalarType dtype;
  switch (view.dtype) {
    case ST_F32: dtype = at::kFloat; break;
    case ST_BF16: dtype = at::kBFloat16; break;
    case ST_F16: dtype = at::kHalf; break;
    case ST_I64: dtype = at::kLong; break;
    case ST_I32: dtype = at::kInt; break;
    default:
      throw InputError(fmt::format("{}: tensor '{}' has dtype {}; hint: expected F32, BF16, F16, I64 or I32",
                                   view.file, view.name, safetensors_dtype_name(view.dtype)));
  }
  at::Tensor t = torch::empty(view.shape, torch::TensorOptions().dtype(dtype));
  if (static_cast<size_t>(t.nbytes()) != view.size_bytes) {
    throw InputError(fmt::format("{}: tensor '{}' has {} bytes for its shape's {}", view.file, view.name,
                                 view.size_bytes, t.nbytes()));
  }
  if (view.size_bytes > 0) std::memcpy(t.data_ptr(), view.data, view.size_bytes);
  return t;
}

double rel_l2(const at::Tensor& value, const at::Tensor& reference) {
  const at::Tensor a = value.to(torch::kCPU, at::kDouble), b = reference.to(torch::kCPU, at::kDouble);
  return (a - b).norm().item<double>() / std::max(b.norm().item<double>(), 1e-300);
}

double argmax_agreement(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(torch::kCPU).argmax(-1), y = b.to(torch::kCPU).argmax(-1);
  return x.eq(y).to(at::kDouble).mean().item<double>();
}

// [B, V] or [B, L, V] (last position) as fp32.
at::Tensor last_position(const at::Tensor& logits) {
  const at::Tensor t = logits.dim() == 3 ? logits.select(1, logits.size(1) - 1) : logits;
  return t.to(at::kFloat);
}

}  // namespace

json compare_reference_logits(const LogitsCompareOptions& o) {
  torch::NoGradGuard no_grad;
  const at::Device device = checked_device(o.device);
  const std::string config_path = o.dir + "/config.json";
  ModelConfig config = parse_model_config(read_json_file(config_path), config_path);
  config.checkpoint = o.dir;
  config.source = config_path;
  config.validate();
  auto start = Clock::now();
  const std::unique_ptr<Checkpoint> checkpoint = Checkpoint::open(o.dir);
  LoadOptions load;
  load.device = o.device;
  load.precision = o.precision;
  const ModelWeights weights = load_model_weights(*checkpoint, config, load);
  const Llama llama(weights.llama, config.lm);
  synchronize_device(device);
  const double load_s = seconds_since(start);

  const std::string ref_path = o.dir + "/reference.safetensors";
  const SafetensorsFile ref(ref_path);
  auto tensor = [&](const std::string& name) {
    auto it = ref.tensors().find(name);
    if (it == ref.tensors().end()) {
      throw InputError(fmt::format("{}: no tensor '{}'; hint: write it with benchmarks/reference_pipeline.py "
                                   "--export DIR",
                                   ref_path, name));
    }
    return view_to_cpu_tensor(it->second);
  };
  auto has = [&](const std::string& name) { return ref.tensors().count(name) != 0; };

  // Vision path: pixels -> ViT -> ln_vision -> pool-adapter.
  const at::Tensor pixels = tensor("pixel_values").to(at::kFloat);
  const at::Tensor visual =
      pool_adapter_forward(weights.pooler, config.pool_out_size,
                           ln_vision_forward(weights, config.ln_vision_eps,
                                             vit_forward(weights.vit, config.vision, pixels.to(device))));

  // Prompts: before_ids [B, nb] (with bos), after_ids [B, na] right-padded, after_lengths [B].
  const at::Tensor before = tensor("before_ids").to(at::kLong), after = tensor("after_ids").to(at::kLong);
  const at::Tensor after_len = tensor("after_lengths").to(at::kLong);
  const int64_t B = before.size(0);
  if (after.size(0) != B || after_len.size(0) != B || pixels.size(0) != B) {
    throw InputError(ref_path + ": pixel_values, before_ids, after_ids and after_lengths disagree on the batch");
  }
  std::vector<PromptIds> prompts(B);
  for (int64_t q = 0; q < B; ++q) {
    for (int64_t i = 0; i < before.size(1); ++i) prompts[q].before.push_back(static_cast<int>(before[q][i].item<int64_t>()));
    for (int64_t i = 0; i < after_len[q].item<int64_t>(); ++i) {
      prompts[q].after.push_back(static_cast<int>(after[q][i].item<int64_t>()));
    }
  }
  const PromptBatch batch = assemble_prompt_batch(llama, prompts, visual, config.lm.pad_token_id);
  const at::Tensor logits = llama.prefill(batch.embeds, batch.mask, nullptr, false).to(torch::kCPU);  // [B, V]
  const at::Tensor ref_logits = last_position(tensor("logits"));

  json rel{{"visual_tokens", rel_l2(visual.to(at::kFloat), tensor("visual_tokens").to(at::kFloat))},
           {"logits_end_to_end", rel_l2(logits, ref_logits)}};
  json out{{"dir", o.dir},
           {"device", o.device},
           {"precision", o.precision},
           {"load_seconds", load_s},
           {"batch", B},
           {"vocab", ref_logits.size(-1)}};
  if (has("attention_mask")) {
    const at::Tensor ref_mask = tensor("attention_mask").to(at::kLong);
    out["mask_matches"] = ref_mask.sizes() == batch.mask.sizes() &&
                          ref_mask.equal(batch.mask.to(torch::kCPU, at::kLong));
    if (has("inputs_embeds")) {
      // The LLaMA alone on the reference's own input embeddings: separates LLM from vision differences.
      const at::Tensor embeds = tensor("inputs_embeds").to(device, weights.llama.embed_tokens.scalar_type());
      const at::Tensor llm_logits = llama.prefill(embeds, ref_mask, nullptr, false).to(torch::kCPU);
      rel["logits_llm_on_reference_embeds"] = rel_l2(llm_logits, ref_logits);
    }
  }
  if (has("logits_fp32")) {
    const at::Tensor fp32 = last_position(tensor("logits_fp32"));
    rel["engine_vs_reference_fp32"] = rel_l2(logits, fp32);
    rel["reference_vs_reference_fp32"] = rel_l2(ref_logits, fp32);
  }
  out["rel_l2"] = rel;
  out["argmax_agreement"] = argmax_agreement(logits, ref_logits);
  out["tolerance"] = o.tolerance;
  const double e2e = rel["logits_end_to_end"].get<double>();
  out["pass"] = std::isfinite(e2e) && e2e < o.tolerance;
  return out;
}

}  // namespace infeval

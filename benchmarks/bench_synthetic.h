// `infeval bench`: a synthetic evaluation at InfMLLM-7B shapes with random weights built in memory (nothing to
// download), run through the native engine's own model code (vit.h, pool_adapter.h, prompting.h, generate.h), and
// the first-step logits comparison against the Hugging Face reference pipeline's export
// (benchmarks/reference_pipeline.py --export DIR). Plain C++ header (no Torch): the harness calls it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace infeval {

struct SyntheticBenchOptions {
  std::string device = "cuda";
  std::string precision = "bf16";   // fp32 | bf16 | fp16
  int questions = 256;              // per decoding mode
  int image_size = 448;             // 448 (pool 16 -> 256 visual tokens) or 224 (pool 8 -> 64), as the baseline
  std::vector<int> beams = {5};     // one timed pass per entry, e.g. {1, 5}
  int batch = 64;                   // questions per model batch
  int max_new_tokens = 10;          // every question decodes exactly this many tokens (min_length = max)
  int questions_per_image = 3;      // VQAv2 has ~2.9 questions per image
  bool reuse_image_features = true; // ViT once per distinct image (visual tokens cached across the pass's batches)
  bool preprocess = true;           // decode-free preprocessing of a random 640x480 RGB image per distinct image
  int preprocess_threads = 0;       // workers producing pixels ahead of the model (0: on the model's thread)
  bool small = false;               // tiny shapes (the bundled fixture's sizes): a CPU smoke test
  int warmup_batches = 1;           // untimed batches before each timed pass
  uint64_t seed = 1234;
  std::string card;                 // the card's name for the report (e.g. from nvidia-smi); free text
};

// Runs the benchmark; `log` (may be empty) receives one line per stage. Returns the result JSON:
// {"config", "card", "optimizations", "ceilings": {gemm_tflops, copy_gbps}, "runs": [{beams, questions_per_s,
//  stage_seconds, gemm_efficiency, physical_limit, ...}]}. InputError on bad options.
nlohmann::json run_synthetic_bench(const SyntheticBenchOptions& options,
                                   const std::function<void(const std::string&)>& log);

struct LogitsCompareOptions {
  std::string dir;                  // config.json + model.safetensors + reference.safetensors
  std::string device = "cuda";
  std::string precision = "bf16";
  double tolerance = 1e-2;          // rel-L2 bound of the end-to-end first-step logits
};

// Loads DIR's checkpoint through the normal loader, runs DIR/reference.safetensors' inputs (pixel_values,
// before_ids, after_ids, after_lengths) through ViT -> ln_vision -> pool-adapter -> prompt -> LLaMA prefill and
// compares with the reference's visual_tokens and last-position logits; also feeds the reference's own
// inputs_embeds / attention_mask to the LLaMA alone. Returns {"rel_l2": {...}, "argmax_agreement", "pass", ...}.
nlohmann::json compare_reference_logits(const LogitsCompareOptions& options);

}  // namespace infeval

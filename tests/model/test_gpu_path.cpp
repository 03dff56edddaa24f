// The GPU inference path (issue 7) against the bundled reference fixture, plus CPU checks of `infeval bench`'s
// engine side. GpuPath.* skip cleanly without CUDA; on a GPU machine they run under `ctest -L reference`
// (and directly: test_model --gtest_filter='GpuPath.*').
//   - bf16 on CUDA: last-position logits within rel-L2 1e-2 of the fp32 CPU path and of the reference's fp32 logits.
//   - fp32 on CUDA: the reference generate() token sequences of golden.json (greedy and beam 5) exactly.
//   - compare_reference_logits on a directory laid out like reference_pipeline.py's export, built from the
//     fixture's golden tensors: the fp32 CPU engine reproduces the reference's visual tokens and logits.
//   - run_synthetic_bench --small on the CPU: counts derived by hand from the workload definition.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "benchmarks/bench_synthetic.h"
#include "model/generate.h"
#include "model/prompting.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

using namespace testing_fixture;

bool cuda_ready() { return torch::cuda::is_available(); }

double rel_l2(const at::Tensor& value, const at::Tensor& reference) {
  const at::Tensor a = value.to(torch::kCPU, at::kDouble), b = reference.to(torch::kCPU, at::kDouble);
  return (a - b).norm().item<double>() / b.norm().item<double>();
}

const InfMllmModel& cuda_model(const std::string& precision) {
  static std::map<std::string, std::unique_ptr<InfMllmModel>> models;
  auto& slot = models[precision];
  if (!slot) slot = std::make_unique<InfMllmModel>(fixture_config(), LoadOptions{"cuda", precision});
  return *slot;
}

// Last-position logits [Q, V] of the VQA case's prompts through `model`'s whole path from the golden pixels.
at::Tensor vqa_first_step_logits(const InfMllmModel& model) {
  torch::NoGradGuard no_grad;
  const json& c = golden_json()["cases"]["vqa"];
  std::vector<PromptIds> prompts;
  for (const json& p : c["prompts"]) prompts.push_back(multitask_prompt_ids(model.tokenizer(), p, 1, "vqa"));
  const int64_t Q = static_cast<int64_t>(prompts.size());
  const at::Tensor pixels = golden_tensor("pixel_values").narrow(0, 0, Q).to(model.device());
  const at::Tensor visual = model.visual_tokens(model.vision_features(pixels));
  const PromptBatch batch = assemble_prompt_batch(model.llama(), prompts, visual, 0);
  return model.llama().prefill(batch.embeds, batch.mask, nullptr, false).to(torch::kCPU, at::kFloat);
}

TEST(GpuPath, Bf16LogitsNearFp32) {
  if (!cuda_ready()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor gpu = vqa_first_step_logits(cuda_model("bf16"));
  const at::Tensor cpu = vqa_first_step_logits(fixture_model());
  const at::Tensor golden = golden_tensor("vqa/logits");
  const at::Tensor reference = golden.select(1, golden.size(1) - 1);
  ASSERT_FALSE(torch::isnan(gpu).any().item<bool>());
  EXPECT_LT(rel_l2(gpu, cpu), 1e-2) << "bf16 CUDA vs fp32 CPU";
  EXPECT_LT(rel_l2(gpu, reference), 1e-2) << "bf16 CUDA vs the reference's fp32 logits";
  std::fprintf(stderr, "bf16 cuda vs fp32 cpu rel-L2 %.3g, vs reference %.3g\n", rel_l2(gpu, cpu),
               rel_l2(gpu, reference));
}

// Golden sequences are padded with pad 0 after EOS; ours stop at EOS.
std::vector<int> unpadded(const json& sequence, int eos) {
  std::vector<int> out;
  for (const json& id : sequence) {
    out.push_back(id.get<int>());
    if (out.back() == eos) break;
  }
  while (!out.empty() && out.back() == 0) out.pop_back();
  return out;
}

void check_golden_sequences(const InfMllmModel& model, const std::string& name, const std::string& mode) {
  torch::NoGradGuard no_grad;
  const json& c = golden_json()["cases"][name];
  const json& g = c["generate"][mode];
  std::vector<PromptIds> prompts;
  for (const json& p : c["prompts"]) prompts.push_back(multitask_prompt_ids(model.tokenizer(), p, 1, name));
  const int64_t Q = static_cast<int64_t>(prompts.size());
  const at::Tensor pixels = golden_tensor("pixel_values").narrow(0, 0, Q).to(model.device());
  const PromptBatch batch =
      assemble_prompt_batch(model.llama(), prompts, model.visual_tokens(model.vision_features(pixels)), 0);
  GenerationSettings s;
  s.num_beams = g["kwargs"].value("num_beams", 1);
  s.max_new_tokens = g["kwargs"].value("max_new_tokens", 10);
  s.length_penalty = g["kwargs"].value("length_penalty", 1.0);
  s.min_length = g["kwargs"].value("min_length", 1);
  const GenerationOutput out = generate_tokens(model.llama(), batch.embeds, batch.mask, s, 2, 0);
  ASSERT_EQ(out.sequences.size(), static_cast<size_t>(Q));
  for (int64_t q = 0; q < Q; ++q) {
    EXPECT_EQ(out.sequences[q], unpadded(g["sequences"][q], 2)) << name << " " << mode << " sample " << q;
  }
}

TEST(GpuPath, Fp32ReproducesGoldenSequences) {
  if (!cuda_ready()) GTEST_SKIP() << "no CUDA device";
  const InfMllmModel& model = cuda_model("fp32");
  for (const std::string name : {"vqa", "grounding"}) {
    for (const std::string mode : {"greedy", "beam5"}) check_golden_sequences(model, name, mode);
  }
}

// ---- compare_reference_logits on a fixture-made export directory ----

std::string make_export_dir() {
  const std::string dir = std::string(INFEVAL_BINARY_DIR) + "/test_gpu_path_export";
  std::filesystem::create_directories(dir);
  const std::string fixture = reference_fixture_dir();
  std::filesystem::copy_file(fixture + "/config.json", dir + "/config.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(fixture + "/model.safetensors", dir + "/model.safetensors",
                             std::filesystem::copy_options::overwrite_existing);
  const json& ids = golden_json()["cases"]["vqa"]["token_ids"];
  const int64_t Q = static_cast<int64_t>(ids.size());
  int64_t nb = 0, na = 0;
  for (const json& p : ids) {
    nb = std::max<int64_t>(nb, 1 + static_cast<int64_t>(p["before"].size()));
    na = std::max<int64_t>(na, static_cast<int64_t>(p["after"].size()));
  }
  at::Tensor before = torch::zeros({Q, nb}, torch::kLong), after = torch::zeros({Q, na}, torch::kLong);
  at::Tensor after_lengths = torch::zeros({Q}, torch::kLong);
  for (int64_t q = 0; q < Q; ++q) {
    const json& b = ids[q]["before"];
    before[q][0] = 1;  // bos
    for (size_t i = 0; i < b.size(); ++i) before[q][static_cast<int64_t>(i) + 1] = b[i].get<int64_t>();
    const json& a = ids[q]["after"];
    for (size_t i = 0; i < a.size(); ++i) after[q][static_cast<int64_t>(i)] = a[i].get<int64_t>();
    after_lengths[q] = static_cast<int64_t>(a.size());
  }
  write_safetensors(dir + "/reference.safetensors",
                    {{"pixel_values", golden_tensor("pixel_values").narrow(0, 0, Q)},
                     {"visual_tokens", golden_tensor("pooled").narrow(0, 0, Q)},
                     {"inputs_embeds", golden_tensor("vqa/inputs_embeds")},
                     {"attention_mask", golden_tensor("vqa/attention_mask").to(torch::kLong)},
                     {"logits", golden_tensor("vqa/logits")},
                     {"before_ids", before},
                     {"after_ids", after},
                     {"after_lengths", after_lengths}});
  return dir;
}

TEST(BenchCompareLogits, Fp32CpuMatchesTheReferenceExport) {
  // All VQA prompts of the fixture share the same 'before' length, so before_ids needs no padding.
  const json& ids = golden_json()["cases"]["vqa"]["token_ids"];
  for (const json& p : ids) ASSERT_EQ(p["before"].size(), ids[0]["before"].size());
  LogitsCompareOptions options;
  options.dir = make_export_dir();
  options.device = "cpu";
  options.precision = "fp32";
  options.tolerance = 1e-4;
  const json result = compare_reference_logits(options);
  EXPECT_TRUE(result["pass"].get<bool>()) << result.dump(2);
  EXPECT_TRUE(result["mask_matches"].get<bool>());
  EXPECT_LT(result["rel_l2"]["visual_tokens"].get<double>(), 1e-4);
  EXPECT_LT(result["rel_l2"]["logits_end_to_end"].get<double>(), 1e-4);
  EXPECT_LT(result["rel_l2"]["logits_llm_on_reference_embeds"].get<double>(), 1e-4);
  EXPECT_EQ(result["argmax_agreement"].get<double>(), 1.0);

  // The comparison can fail: a tolerance below the fp32 rounding level is not met.
  options.tolerance = 1e-12;
  EXPECT_FALSE(compare_reference_logits(options)["pass"].get<bool>());
}

// ---- the synthetic benchmark, tiny shapes on the CPU ----

TEST(BenchSynthetic, SmallRunOnCpuDecodesEveryTokenAndReusesImages) {
  SyntheticBenchOptions o;
  o.device = "cpu";
  o.precision = "fp32";
  o.small = true;
  o.questions = 7;
  o.batch = 4;
  o.beams = {1, 3};
  o.max_new_tokens = 4;
  o.warmup_batches = 0;
  std::vector<std::string> lines;
  const json result = run_synthetic_bench(o, [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(result["runs"].size(), 2u);
  for (const json& r : result["runs"]) {
    EXPECT_TRUE(r["all_questions_decoded_max_new_tokens"].get<bool>());
    // 3 questions per image: batch [0,4) holds images {0, 1}, batch [4,7) images {1, 2}; image 1's tokens are
    // cached from the first batch: 3 ViT images, 1 cache hit.
    EXPECT_EQ(r["vit_images"].get<int>(), 3);
    EXPECT_EQ(r["feature_cache_hits"].get<int>(), 1);
    EXPECT_GT(r["questions_per_s"].get<double>(), 0.0);
    EXPECT_GT(r["stage_seconds"]["prefill"].get<double>(), 0.0);
    EXPECT_GT(r["stage_seconds"]["decode"].get<double>(), 0.0);
    // Reuse can only shorten the bound: B (3 distinct images) <= A (7 ViT passes).
    EXPECT_LT(r["physical_limit"]["case_b_seconds"].get<double>(), r["physical_limit"]["case_a_seconds"].get<double>());
    EXPECT_EQ(r["physical_limit"]["distinct_images"].get<double>(), 3.0);
  }
  EXPECT_EQ(result["runs"][0]["beams"].get<int>(), 1);
  EXPECT_EQ(result["runs"][1]["beams"].get<int>(), 3);
  EXPECT_GT(result["ceilings"]["gemm_tflops"].get<double>(), 0.0);
  EXPECT_FALSE(lines.empty());

  o.reuse_image_features = false;
  o.beams = {1};
  const json no_reuse = run_synthetic_bench(o, nullptr);
  EXPECT_EQ(no_reuse["runs"][0]["vit_images"].get<int>(), 7);

  // Pixels produced ahead on worker threads: the same work (3 ViT images, every token decoded).
  o.reuse_image_features = true;
  o.preprocess_threads = 2;
  const json threaded = run_synthetic_bench(o, nullptr);
  EXPECT_EQ(threaded["runs"][0]["vit_images"].get<int>(), 3);
  EXPECT_TRUE(threaded["runs"][0]["all_questions_decoded_max_new_tokens"].get<bool>());
  EXPECT_GT(threaded["runs"][0]["stage_seconds"]["preprocess"].get<double>(), 0.0);
}

}  // namespace
}  // namespace infeval

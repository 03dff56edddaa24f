// infeval bench: the synthetic throughput benchmark at InfMLLM-7B shapes, and the first-step logits comparison
// against the Hugging Face reference pipeline's export (see --help). The work happens in benchmarks/bench_synthetic.*
// (a benchmark, not part of the inference library; reached through its plain C++ header).
#include <cstdio>
#include <limits>

#include <fmt/format.h>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "harness/flag_numbers.h"
#ifdef INFEVAL_HAVE_NATIVE
#include "benchmarks/bench_synthetic.h"
#endif

namespace infeval {

static const char* kBenchHelp =
    "usage: infeval bench [--device cuda] [--precision bf16] [--questions N] [--image-size 448|224]\n"
    "                     [--beams 1,5] [--batch N] [--max-new-tokens 10] [--output FILE.json] [--small]\n"
    "       infeval bench --compare-logits DIR [--device cuda] [--precision bf16] [--tolerance 1e-2]\n"
    "\n"
    "A synthetic evaluation at the real InfMLLM-7B shapes with random weights built in memory (nothing to\n"
    "download), through the native engine's model code: random 640x480 images shared by ~3 questions each (as\n"
    "in VQAv2), prompts [bos + 4] + visual tokens + [12..26 text tokens], greedy and/or beam search, every question\n"
    "decoding exactly --max-new-tokens tokens (EOS masked, as min_new_tokens in the reference). Reports\n"
    "questions/s, stage times (preprocess, ViT, adapter, prefill, decode), ViT and prefill GEMM efficiency (FLOPs /\n"
    "stage time / this run's measured GEMM peak, n=8192) and the fraction of the physical limit\n"
    "(performance-anchors.md section 3, fed with this run's measured GEMM TFLOP/s and copy GB/s).\n"
    "\n"
    "Options:\n"
    "  --device D             cpu | cuda | cuda:N (default cuda)\n"
    "  --precision P          fp32 | bf16 | fp16 (default bf16)\n"
    "  --questions N          questions per decoding mode (default 256)\n"
    "  --image-size S         448 (256 visual tokens) or 224 (64) (default 448)\n"
    "  --beams LIST           comma-separated beam counts, one timed pass each (default 5)\n"
    "  --batch N              questions per model batch (default 64)\n"
    "  --max-new-tokens N     tokens decoded per question (default 10)\n"
    "  --questions-per-image N (default 3)\n"
    "  --warmup-batches N     untimed batches before each pass (default 1)\n"
    "  --no-reuse             run the ViT once per question instead of once per distinct image (the visual\n"
    "                         tokens of an image are otherwise cached across the pass's batches)\n"
    "  --preprocess-threads N produce the next batch's pixels on N worker threads while the model runs (default\n"
    "                         0: on the model's thread; the time the model waits is reported, not counted)\n"
    "  --no-preprocess        random normalized pixels instead of preprocessing a random RGB image\n"
    "  --seed S               (default 1234)\n"
    "  --card NAME            the card's name for the report (e.g. from nvidia-smi)\n"
    "  --output FILE.json     write the full result JSON\n"
    "  --small                tiny shapes (the bundled fixture's sizes): a smoke test on a CPU\n"
    "  --compare-logits DIR   instead of timing: load DIR (config.json, model.safetensors, reference.safetensors\n"
    "                         from benchmarks/reference_pipeline.py --export DIR) through the normal loader and\n"
    "                         compare the first-step logits; exit 1 when rel-L2 >= --tolerance\n";

int run_bench_command(const std::vector<std::string>& args) {
  CliArgs cli("bench", args,
              {"--device", "--precision", "--questions", "--image-size", "--beams", "--batch", "--max-new-tokens",
               "--questions-per-image", "--warmup-batches", "--seed", "--card", "--output", "--compare-logits",
               "--tolerance", "--preprocess-threads"},
              {"--small", "--no-reuse", "--no-preprocess"});
  if (cli.help()) {
    std::printf("%s", kBenchHelp);
    return EXIT_CODE_OK;
  }
#ifndef INFEVAL_HAVE_NATIVE
  std::fprintf(stderr,
               "infeval bench needs the native backend, which this build does not have (LibTorch was not found at "
               "configure time); hint: run scripts/setup.sh and rebuild\n");
  return EXIT_CODE_BAD_INPUT;
#else
  const std::string output = cli.value_or("--output", "");
  auto write_output = [&](const json& result) {
    if (!output.empty()) {
      write_text_file_atomic(output, result.dump(2) + "\n");
      std::fprintf(stderr, "wrote %s\n", output.c_str());
    }
  };

  if (cli.has("--compare-logits")) {
    LogitsCompareOptions options;
    options.dir = cli.required("--compare-logits");
    options.device = cli.value_or("--device", options.device);
    options.precision = cli.value_or("--precision", options.precision);
    options.tolerance = cli.real_value("--tolerance", 0.01, 0.0, std::numeric_limits<double>::max());
    const json result = compare_reference_logits(options);
    write_output(result);
    std::printf("%s\n", result.dump(2).c_str());
    return result["pass"].get<bool>() ? EXIT_CODE_OK : EXIT_CODE_CHECK_FAILED;
  }

  SyntheticBenchOptions options;
  options.device = cli.value_or("--device", options.device);
  options.precision = cli.value_or("--precision", options.precision);
  options.questions = cli.int_value("--questions", options.questions);
  options.image_size = cli.int_value("--image-size", options.image_size);
  options.batch = cli.int_value("--batch", options.batch);
  options.max_new_tokens = cli.int_value("--max-new-tokens", options.max_new_tokens);
  options.questions_per_image = cli.int_value("--questions-per-image", options.questions_per_image);
  options.warmup_batches = cli.int_value("--warmup-batches", options.warmup_batches);
  options.seed = static_cast<uint64_t>(cli.int_value("--seed", static_cast<int>(options.seed)));
  options.card = cli.value_or("--card", "");
  options.small = cli.has("--small");
  options.reuse_image_features = !cli.has("--no-reuse");
  options.preprocess = !cli.has("--no-preprocess");
  options.preprocess_threads = cli.int_value("--preprocess-threads", options.preprocess_threads);
  if (options.preprocess_threads < 0) throw InputError("--preprocess-threads must be >= 0");
  if (cli.has("--beams")) {
    options.beams.clear();
    for (const std::string& b : split(cli.required("--beams"), ','))
      options.beams.push_back(static_cast<int>(parse_integer(b, "--beams (a comma-separated list like 1,5)",
                                                             std::numeric_limits<int>::min(),
                                                             std::numeric_limits<int>::max())));
  }
  const json result = run_synthetic_bench(options, [](const std::string& line) {
    std::fprintf(stderr, "bench: %s\n", line.c_str());
  });
  write_output(result);

  std::printf("| beams | questions/s | ViT s (GEMM eff.) | adapter s | prefill s (GEMM eff.) | decode s | "
              "limit A / B (fraction) |\n|---|---|---|---|---|---|---|\n");
  for (const json& r : result["runs"]) {
    const json& s = r["stage_seconds"];
    const json& e = r["gemm_efficiency"];
    std::printf("%s", fmt::format("| {} | {:.2f} | {:.3f} ({:.0f}%) | {:.3f} | {:.3f} ({:.0f}%) | {:.3f} | {:.0f}% / "
                                  "{:.0f}% |\n",
                                  r["beams"].get<int>(), r["questions_per_s"].get<double>(), s["vit"].get<double>(),
                                  100 * e["vit"].get<double>(), s["adapter"].get<double>(),
                                  s["prefill"].get<double>(), 100 * e["prefill"].get<double>(),
                                  s["decode"].get<double>(), 100 * r["fraction_of_physical_limit_a"].get<double>(),
                                  100 * r["fraction_of_physical_limit_b"].get<double>())
                          .c_str());
  }
  for (const json& r : result["runs"]) {
    if (!r["all_questions_decoded_max_new_tokens"].get<bool>()) {
      std::fprintf(stderr, "error: some questions decoded fewer than --max-new-tokens tokens (beams %d)\n",
                   r["beams"].get<int>());
      return EXIT_CODE_CHECK_FAILED;
    }
  }
  return EXIT_CODE_OK;
#endif
}

}  // namespace infeval

// bench_kernels: times the custom CUDA kernels (model/kernels/ops.h) against the LibTorch alternatives on identical
// inputs in one run on one card, next to that run's own ceilings (8192^3 bf16 GEMM, large D2D copy).
// Usage: bench_kernels [results.json]   (prints a table; writes every row to the JSON file)
// Method: CUDA events around each call on the current stream, 3 warm-up calls, median of 20, L2 flushed (memset of
// 2 x L2 size) before every timed call. A LibTorch backend that throws (not built, shape unsupported) is reported
// as unavailable, never fatal. "vs_best_alt" = best alternative's time / our time (> 1: we are faster).
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "model/kernels/ops.h"

namespace {

namespace k = infeval::kernels;

struct Row {
  std::string group;   // op and shape, e.g. "vit_attention B16 H16 S1025 D88"
  std::string impl;    // "infeval", "sdpa_flash", ...
  bool ours = false;   // one of our kernels (gets vs_best_alt)
  bool ok = false;     // ran; otherwise `note` says why
  double ms = 0.0;
  double rate = 0.0;           // TFLOP/s or GB/s
  std::string unit;            // "TFLOP/s" or "GB/s"
  double frac_ceiling = 0.0;   // rate / the run's measured GEMM or copy ceiling
  double vs_best_alt = 0.0;    // best alternative ms / our ms
  double max_abs_diff = -1.0;  // our output vs the first available alternative's (-1: not compared)
  std::string note;
};

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  for (char& c : line) {
    if (c == '"' || c == '\\') c = '\'';
  }
  return line.substr(0, 200);
}

class Timer {
 public:
  explicit Timer(int64_t l2_bytes)
      : flush_(at::empty({std::max<int64_t>(2 * l2_bytes, 1 << 20)}, at::TensorOptions().dtype(at::kByte).device(at::kCUDA))) {
    C10_CUDA_CHECK(cudaEventCreate(&start_));
    C10_CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~Timer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  double median_ms(const std::function<void()>& fn, int iters = 20, int warmup = 3) {
    for (int i = 0; i < warmup; ++i) fn();
    const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
    std::vector<float> times;
    for (int i = 0; i < iters; ++i) {
      flush_.zero_();
      C10_CUDA_CHECK(cudaEventRecord(start_, stream));
      fn();
      C10_CUDA_CHECK(cudaEventRecord(stop_, stream));
      C10_CUDA_CHECK(cudaEventSynchronize(stop_));
      float ms = 0.0f;
      C10_CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
      times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }

 private:
  at::Tensor flush_;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

struct Ceilings {
  double gemm_tflops = 0.0;
  double copy_gbps = 0.0;
};

Ceilings measure_ceilings(Timer& timer) {
  Ceilings c;
  const auto bf16 = at::TensorOptions().dtype(at::kBFloat16).device(at::kCUDA);
  const int64_t n = 8192;
  const at::Tensor a = at::randn({n, n}, bf16), b = at::randn({n, n}, bf16);
  const double gemm_ms = timer.median_ms([&] { at::matmul(a, b); }, 10);
  c.gemm_tflops = 2.0 * n * n * n / (gemm_ms * 1e-3) / 1e12;
  const int64_t bytes = int64_t{1} << 30;
  const at::Tensor src = at::randn({bytes / 2}, bf16);
  at::Tensor dst = at::empty_like(src);
  const double copy_ms = timer.median_ms([&] { dst.copy_(src); }, 10);
  c.copy_gbps = 2.0 * bytes / (copy_ms * 1e-3) / 1e9;
  return c;
}

// One implementation of an op: a callable returning its output.
struct Impl {
  std::string name;
  bool ours;
  std::function<at::Tensor()> run;
};

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor d = (a.to(at::kFloat) - b.to(at::kFloat)).abs();
  if (!at::isfinite(d).all().item<bool>()) return std::numeric_limits<double>::infinity();
  return d.max().item<double>();
}

// Times every impl of one group. work: FLOPs (unit TFLOP/s) or bytes (GB/s) per call; `work_of` may give
// per-impl work (e.g. per-beam decode moves more bytes), else `work` is used. A mask `compare` selects which
// outputs to diff (rows whose output is garbage by design, e.g. fully masked rows, are excluded by the caller).
void run_group(const std::string& group, const std::vector<Impl>& impls, double work, bool flops, double ceiling,
               Timer& timer, std::vector<Row>& rows,
               const std::function<double(const std::string&)>& work_of = nullptr,
               const std::function<at::Tensor(const at::Tensor&)>& compare_view = nullptr) {
  const size_t first = rows.size();
  at::Tensor reference_out;  // first available alternative
  std::vector<at::Tensor> ours_out;
  for (const Impl& impl : impls) {
    Row r;
    r.group = group;
    r.impl = impl.name;
    r.ours = impl.ours;
    r.unit = flops ? "TFLOP/s" : "GB/s";
    try {
      at::Tensor out = impl.run();
      C10_CUDA_CHECK(cudaDeviceSynchronize());
      if (compare_view) out = compare_view(out);
      if (impl.ours) {
        ours_out.push_back(out);
      } else if (!reference_out.defined()) {
        reference_out = out;
        r.note = "reference for max_abs_diff";
      }
      r.ms = timer.median_ms([&] { impl.run(); });
      const double w = work_of ? work_of(impl.name) : work;
      r.rate = w / (r.ms * 1e-3) / (flops ? 1e12 : 1e9);
      r.frac_ceiling = r.rate / ceiling;
      r.ok = true;
    } catch (const std::exception& e) {
      r.note = "unavailable: " + first_line(e.what());
      (void)cudaGetLastError();  // clear a sticky launch-configuration error, if any
    }
    rows.push_back(r);
  }
  double best_alt = 0.0;
  for (size_t i = first; i < rows.size(); ++i) {
    if (rows[i].ok && !rows[i].ours && (best_alt == 0.0 || rows[i].ms < best_alt)) best_alt = rows[i].ms;
  }
  size_t ours_index = 0;
  for (size_t i = first; i < rows.size(); ++i) {
    if (!rows[i].ours || !rows[i].ok) continue;
    if (best_alt > 0.0) rows[i].vs_best_alt = best_alt / rows[i].ms;
    if (reference_out.defined() && ours_index < ours_out.size()) {
      rows[i].max_abs_diff = max_abs_diff(ours_out[ours_index], reference_out);
    }
    ++ours_index;
  }
}

void attention_groups(Timer& timer, const Ceilings& ceil, std::vector<Row>& rows) {
  const auto bf16 = at::TensorOptions().dtype(at::kBFloat16).device(at::kCUDA);
  struct Shape {
    int64_t B, H, S, D;
    bool causal;
    const char* name;
  };
  const Shape shapes[] = {{16, 16, 1025, 88, false, "vit_attention_448px"},
                          {64, 16, 257, 88, false, "vit_attention_224px"},
                          {16, 32, 320, 128, true, "llm_prefill_causal"}};
  for (const Shape& s : shapes) {
    const at::Tensor q = at::randn({s.B, s.H, s.S, s.D}, bf16);
    const at::Tensor kk = at::randn({s.B, s.H, s.S, s.D}, bf16);
    const at::Tensor v = at::randn({s.B, s.H, s.S, s.D}, bf16);
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.D));
    // Attention FLOPs 4 B H S^2 D, causal counted as half.
    const double flops = 4.0 * s.B * s.H * s.S * s.S * s.D * (s.causal ? 0.5 : 1.0);
    std::vector<Impl> impls;
    impls.push_back({"infeval", true, [=] { return k::attention_prefill(q, kk, v, c10::nullopt, s.causal, scale); }});
    at::Tensor key_start;
    if (s.causal) {
      // Ragged ~300-token prompts, left-padded to S: pad = (b * 37) % 65 -> lengths 256..320.
      std::vector<int64_t> pads;
      for (int64_t b = 0; b < s.B; ++b) pads.push_back((b * 37) % 65);
      key_start = at::tensor(pads, at::kLong).to(at::kInt).to(at::kCUDA);
      impls.push_back({"infeval_leftpad", true, [=] { return k::attention_prefill(q, kk, v, key_start, true, scale); }});
    }
    impls.push_back({"sdpa_flash", false, [=] {
                       return std::get<0>(at::_scaled_dot_product_flash_attention(q, kk, v, 0.0, s.causal, false, scale));
                     }});
    impls.push_back({"sdpa_cudnn", false, [=] {
                       return std::get<0>(at::_scaled_dot_product_cudnn_attention(q, kk, v, c10::nullopt, false, 0.0,
                                                                                  s.causal, false, scale));
                     }});
    impls.push_back({"sdpa_efficient", false, [=] {
                       return std::get<0>(at::_scaled_dot_product_efficient_attention(q, kk, v, c10::nullopt, false,
                                                                                      0.0, s.causal, scale));
                     }});
    impls.push_back({"sdpa_math", false, [=] {
                       return std::get<0>(at::_scaled_dot_product_attention_math(q, kk, v, c10::nullopt, 0.0, s.causal,
                                                                                 c10::nullopt, scale));
                     }});
    impls.push_back({"sdpa_default", false, [=] {
                       return at::scaled_dot_product_attention(q, kk, v, c10::nullopt, 0.0, s.causal, scale);
                     }});
    std::ostringstream g;
    g << s.name << " B" << s.B << " H" << s.H << " S" << s.S << " D" << s.D;
    // Causal: the left-padded run differs from the unpadded alternatives by design, except in batch row 0 (pad 0),
    // so outputs are diffed on row 0 only.
    run_group(g.str(), impls, flops, true, ceil.gemm_tflops, timer, rows, nullptr,
              s.causal ? std::function<at::Tensor(const at::Tensor&)>([](const at::Tensor& t) { return t[0]; })
                       : nullptr);
  }
}

void decode_group(Timer& timer, const Ceilings& ceil, std::vector<Row>& rows) {
  const auto bf16 = at::TensorOptions().dtype(at::kBFloat16).device(at::kCUDA);
  const int64_t Q = 64, beams = 5, S = Q * beams, H = 32, P = 300, T = 16, L = 5, D = 128;
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const at::Tensor q = at::randn({S, H, D}, bf16);
  const at::Tensor pk = at::randn({Q, H, P, D}, bf16), pv = at::randn({Q, H, P, D}, bf16);
  const at::Tensor sk = at::randn({S, H, T, D}, bf16), sv = at::randn({S, H, T, D}, bf16);
  std::vector<int64_t> starts_host, starts_per_seq;
  int64_t valid_prefix_keys = 0;
  for (int64_t g = 0; g < Q; ++g) {
    starts_host.push_back((g * 13) % 45);  // left padding 0..44: prompts of 256..300 tokens
    valid_prefix_keys += P - starts_host.back();
  }
  for (int64_t s = 0; s < S; ++s) starts_per_seq.push_back(starts_host[s / beams]);
  const at::Tensor starts = at::tensor(starts_host, at::kLong).to(at::kInt).to(at::kCUDA);
  const at::Tensor starts_seq = at::tensor(starts_per_seq, at::kLong).to(at::kInt).to(at::kCUDA);
  const at::Tensor group_of_seq = at::arange(S, at::TensorOptions().dtype(at::kLong).device(at::kCUDA)).div(beams, "floor");
  // Per-beam layout (what a beam-unaware cache holds): the prefix copied per sequence.
  const at::Tensor pk_seq = pk.index_select(0, group_of_seq).contiguous();
  const at::Tensor pv_seq = pv.index_select(0, group_of_seq).contiguous();
  // LibTorch reference layout: one [S, H, P + T, D] cache per sequence plus an additive mask.
  const at::Tensor k_full = at::cat({pk_seq, sk}, 2), v_full = at::cat({pv_seq, sv}, 2);
  const at::Tensor pos = at::arange(P + T, at::TensorOptions().dtype(at::kLong).device(at::kCUDA)).view({1, 1, 1, P + T});
  const at::Tensor visible = pos.ge(starts_seq.to(at::kLong).view({S, 1, 1, 1})).logical_and(pos.lt(P + L));
  const at::Tensor mask = at::zeros({S, 1, 1, P + T}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA))
                              .masked_fill(visible.logical_not(), -std::numeric_limits<float>::infinity());

  const double elem = 2.0;  // bf16 bytes
  const double io = 2.0 * S * H * D * elem;  // q in, out
  const double suffix_bytes = 2.0 * S * H * L * D * elem;
  const double shared_bytes = 2.0 * valid_prefix_keys * H * D * elem + suffix_bytes + io;
  const double per_beam_bytes = 2.0 * beams * valid_prefix_keys * H * D * elem + suffix_bytes + io;
  std::vector<Impl> impls;
  impls.push_back({"infeval_shared_prefix", true,
                   [=] { return k::attention_decode(q, pk, pv, starts, sk, sv, L, beams, scale); }});
  impls.push_back({"infeval_per_beam", true,
                   [=] { return k::attention_decode(q, pk_seq, pv_seq, starts_seq, sk, sv, L, 1, scale); }});
  impls.push_back({"torch_matmul_softmax_matmul", false, [=] {
                     const at::Tensor s = at::matmul(q.unsqueeze(2), k_full.transpose(-2, -1)).to(at::kFloat) * scale + mask;
                     return at::matmul(at::softmax(s, -1).to(at::kBFloat16), v_full).squeeze(2);
                   }});
  impls.push_back({"sdpa_default_masked", false, [=] {
                     return at::scaled_dot_product_attention(q.unsqueeze(2), k_full, v_full, visible, 0.0, false, scale)
                         .squeeze(2);
                   }});
  std::ostringstream g;
  g << "decode Q" << Q << "x" << beams << " beams H" << H << " P" << P << " L" << L << " D" << D;
  run_group(g.str(), impls, shared_bytes, false, ceil.copy_gbps, timer, rows, [=](const std::string& name) {
    return name == "infeval_shared_prefix" ? shared_bytes : per_beam_bytes;
  });
}

void pool_group(Timer& timer, const Ceilings& ceil, std::vector<Row>& rows) {
  const auto bf16 = at::TensorOptions().dtype(at::kBFloat16).device(at::kCUDA);
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(at::kCUDA);
  const int64_t B = 64, s = 32, P = 16, C = 1408, N = s * s, E = 4096;
  const at::Tensor x = at::randn({B, 1 + N, C}, bf16);
  const at::Tensor w = at::rand({C}, f32) + 0.5, b = at::randn({C}, f32) * 0.1;
  const at::Tensor w1 = at::randn({E, C}, bf16) * 0.02, b1 = at::randn({E}, bf16) * 0.02;
  const at::Tensor w2 = at::randn({E, E}, bf16) * 0.02, b2 = at::randn({E}, bf16) * 0.02;
  auto torch_pool = [=](const at::Tensor& y) {
    const at::Tensor grid = y.narrow(1, 1, N).view({B, s, s, C}).permute({0, 3, 1, 2});
    return at::adaptive_avg_pool2d(grid, {P, P}).flatten(2).transpose(1, 2).contiguous();  // [B, P*P, C]
  };
  auto torch_ln = [=](const at::Tensor& y) { return at::layer_norm(y.to(at::kFloat), {C}, w, b, 1e-5).to(at::kBFloat16); };
  auto mlp = [=](const at::Tensor& t) { return at::linear(at::gelu(at::linear(t, w1, b1)), w2, b2); };
  const double pool_bytes = (static_cast<double>(B) * N * C + static_cast<double>(B) * P * P * C) * 2.0;

  run_group("pool B64 32x32->16x16 C1408", {{"infeval_pool", true, [=] { return k::pool_tokens(x, P, c10::nullopt, c10::nullopt, 1e-5); }},
                                            {"torch_adaptive_avg_pool2d", false, [=] { return torch_pool(x); }}},
            pool_bytes, false, ceil.copy_gbps, timer, rows);
  run_group("ln_vision+pool B64 32x32->16x16 C1408",
            {{"infeval_ln_pool", true, [=] { return k::pool_tokens(x, P, w, b, 1e-5); }},
             {"torch_layer_norm+adaptive_avg_pool2d", false, [=] { return torch_pool(torch_ln(x)); }}},
            pool_bytes, false, ceil.copy_gbps, timer, rows);
  const double mlp_flops = 2.0 * B * P * P * (static_cast<double>(C) * E + static_cast<double>(E) * E);
  run_group("pool-adapter (ln+pool+MLP 1408->4096->4096) B64",
            {{"infeval_ln_pool+cublas_mlp", true, [=] { return mlp(k::pool_tokens(x, P, w, b, 1e-5)); }},
             {"torch_eager", false, [=] { return mlp(torch_pool(torch_ln(x))); }}},
            mlp_flops, true, ceil.gemm_tflops, timer, rows);
}

void write_json(const std::string& path, const std::string& card, const Ceilings& c, const std::vector<Row>& rows) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << "{\n  \"card\": \"" << first_line(card) << "\",\n  \"gemm_bf16_8192_tflops\": " << c.gemm_tflops
    << ",\n  \"copy_gbps\": " << c.copy_gbps << ",\n  \"rows\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    f << "    {\"group\": \"" << r.group << "\", \"impl\": \"" << r.impl << "\", \"ours\": " << (r.ours ? "true" : "false")
      << ", \"ok\": " << (r.ok ? "true" : "false") << ", \"ms\": " << r.ms << ", \"rate\": " << r.rate
      << ", \"unit\": \"" << r.unit << "\", \"frac_ceiling\": " << r.frac_ceiling << ", \"vs_best_alt\": " << r.vs_best_alt
      << ", \"max_abs_diff\": " << (std::isfinite(r.max_abs_diff) ? r.max_abs_diff : 1e30) << ", \"note\": \"" << r.note
      << "\"}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  f << "  ]\n}\n";
}

void print_table(const std::string& card, const Ceilings& c, const std::vector<Row>& rows) {
  std::printf("\ncard: %s | GEMM 8192^3 bf16: %.0f TFLOP/s | D2D copy: %.0f GB/s\n", card.c_str(), c.gemm_tflops,
              c.copy_gbps);
  std::string last;
  for (const Row& r : rows) {
    if (r.group != last) {
      std::printf("\n%s\n", r.group.c_str());
      last = r.group;
    }
    if (!r.ok) {
      std::printf("  %-38s %s\n", r.impl.c_str(), r.note.c_str());
      continue;
    }
    std::printf("  %-38s %9.4f ms %8.1f %-7s %5.1f%% of ceiling", r.impl.c_str(), r.ms, r.rate, r.unit.c_str(),
                100.0 * r.frac_ceiling);
    if (r.ours) std::printf("  vs best alt %.2fx  max|diff| %.3g", r.vs_best_alt, r.max_abs_diff);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string json_path = argc > 1 ? argv[1] : "bench_kernels.json";
    if (!at::cuda::is_available()) {
      std::fprintf(stderr, "bench_kernels: no CUDA device\n");
      return 3;
    }
    const cudaDeviceProp* prop = at::cuda::getCurrentDeviceProperties();
    const std::string card = prop->name;
    std::printf("bench_kernels on %s (%d SMs, L2 %d MB)\n", card.c_str(), prop->multiProcessorCount,
                prop->l2CacheSize >> 20);
    at::manual_seed(0);
    Timer timer(prop->l2CacheSize);
    const Ceilings ceil = measure_ceilings(timer);
    std::vector<Row> rows;
    attention_groups(timer, ceil, rows);
    decode_group(timer, ceil, rows);
    pool_group(timer, ceil, rows);
    print_table(card, ceil, rows);
    write_json(json_path, card, ceil, rows);
    std::printf("\nwrote %s\n", json_path.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_kernels: %s\n", e.what());
    return 3;
  }
}

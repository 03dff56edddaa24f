#include "model/attention.h"

#include <limits>

#include <torch/torch.h>
#include <torch/version.h>

#include "model/kv_cache.h"
#ifdef INFEVAL_HAVE_CUDA
#include "model/kernels/ops.h"
#endif

namespace infeval {
namespace {

// The fused kernels take bf16/fp16 CUDA tensors with head_dim <= 128.
bool use_kernels(const at::Tensor& q) {
#ifdef INFEVAL_HAVE_CUDA
  return q.is_cuda() && (q.scalar_type() == at::kBFloat16 || q.scalar_type() == at::kHalf) && q.size(-1) <= 128;
#else
  (void)q;
  return false;
#endif
}

double finfo_min(at::ScalarType dtype) {
  switch (dtype) {
    case at::kHalf: return -65504.0;
    case at::kBFloat16: return -3.3895313892515355e38;
    case at::kDouble: return std::numeric_limits<double>::lowest();
    default: return std::numeric_limits<float>::lowest();
  }
}

}  // namespace

at::Tensor attention_full(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
#ifdef INFEVAL_HAVE_CUDA
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  // Unmasked attention (the ViT: 1025 keys, head_dim 88): LibTorch's fused attention (cuDNN on Hopper) ran 1.9x
  // faster than kernels::attention_prefill at this shape on an H200 (bench_kernels: 0.305 vs 0.577 ms, B16 H16).
  if (use_kernels(q)) return at::scaled_dot_product_attention(q, k, v, c10::nullopt, 0.0, false, scale);
#endif
  if (use_kernels(q)) return kernels::attention_prefill(q, k, v, c10::nullopt, false, scale);
#endif
  at::Tensor scores = torch::matmul(q * scale, k.transpose(-2, -1));
  at::Tensor probs = torch::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return torch::matmul(probs, v);
}

at::Tensor attention_prefill(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& prefix_start, double scale) {
#ifdef INFEVAL_HAVE_CUDA
  if (use_kernels(q)) return kernels::attention_prefill(q, k, v, prefix_start, true, scale);
#endif
  const int64_t P = q.size(2);
  const auto index_options = torch::TensorOptions().dtype(at::kLong).device(q.device());
  const at::Tensor i = torch::arange(P, index_options).view({1, P, 1});
  const at::Tensor j = torch::arange(P, index_options).view({1, 1, P});
  const at::Tensor start = prefix_start.to(q.device(), at::kLong).view({-1, 1, 1});
  const at::Tensor allowed = (j <= i).logical_and(j >= start).unsqueeze(1);  // [Q, 1, P, P]
  // HF eager: scores + (0 or finfo.min); softmax in fp32.
  at::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  at::Tensor mask = torch::zeros(allowed.sizes(), scores.options()).masked_fill(allowed.logical_not(),
                                                                              finfo_min(scores.scalar_type()));
  at::Tensor probs = torch::softmax(scores + mask, -1, at::kFloat).to(q.scalar_type());
  return torch::matmul(probs, v);
}

at::Tensor attention_decode(const at::Tensor& q, const KvCache& cache, int layer, int64_t suffix_len, double scale) {
  const int64_t Q = cache.questions(), B = cache.beams(), S = q.size(0), H = q.size(1), D = q.size(2);
  const at::Tensor& pk = cache.prefix_k(layer);
  const at::Tensor& pv = cache.prefix_v(layer);
  const at::Tensor sk = cache.suffix_k(layer).narrow(2, 0, suffix_len);
  const at::Tensor sv = cache.suffix_v(layer).narrow(2, 0, suffix_len);
#ifdef INFEVAL_HAVE_CUDA
  if (use_kernels(q)) {
    return kernels::attention_decode(q, pk, pv, cache.prefix_start(), cache.suffix_k(layer), cache.suffix_v(layer),
                                     suffix_len, B, scale);
  }
#endif
  const int64_t P = pk.size(2);
  // Prefix scores without copying the prefix per beam: a question's beams form the rows of one matmul.
  const at::Tensor qg = q.view({Q, B, H, D}).permute({0, 2, 1, 3});                   // [Q, H, B, D]
  at::Tensor prefix_scores = torch::matmul(qg, pk.transpose(-2, -1)) * scale;         // [Q, H, B, P]
  const auto index_options = torch::TensorOptions().dtype(at::kLong).device(q.device());
  const at::Tensor pad = torch::arange(P, index_options).view({1, 1, 1, P}) <
                         cache.prefix_start().to(at::kLong).view({Q, 1, 1, 1});
  prefix_scores = prefix_scores.masked_fill(pad, finfo_min(prefix_scores.scalar_type()));
  prefix_scores = prefix_scores.permute({0, 2, 1, 3}).reshape({S, H, P});
  const at::Tensor suffix_scores = (torch::matmul(q.unsqueeze(2), sk.transpose(-2, -1)) * scale).squeeze(2);  // [S,H,T]
  const at::Tensor probs =
      torch::softmax(torch::cat({prefix_scores, suffix_scores}, -1), -1, at::kFloat).to(q.scalar_type());
  const at::Tensor prefix_probs = probs.narrow(-1, 0, P).view({Q, B, H, P}).permute({0, 2, 1, 3});  // [Q,H,B,P]
  const at::Tensor suffix_probs = probs.narrow(-1, P, suffix_len).unsqueeze(2);                     // [S,H,1,T]
  const at::Tensor out_prefix = torch::matmul(prefix_probs, pv).permute({0, 2, 1, 3}).reshape({S, H, D});
  const at::Tensor out_suffix = torch::matmul(suffix_probs, sv).squeeze(2);
  return out_prefix + out_suffix;
}

}  // namespace infeval


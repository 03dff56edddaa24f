// Torch adapter of the prefill attention kernel: checks shapes/dtypes/devices, fills AttentionPrefillParams,
// launches on the current stream of q's device.
#ifdef INFEVAL_HAVE_CUDA

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include "model/kernels/attention_prefill.h"
#include "model/kernels/ops.h"
#include "model/kernels/ops_common.h"

namespace infeval::kernels {

at::Tensor attention_prefill(const at::Tensor& q_in, const at::Tensor& k_in, const at::Tensor& v_in,
                             const c10::optional<at::Tensor>& key_start, bool causal, double scale) {
  TORCH_CHECK(q_in.dim() == 4, "attention_prefill: q must be [B, H, S, D], got ", q_in.sizes());
  TORCH_CHECK(k_in.sizes() == q_in.sizes() && v_in.sizes() == q_in.sizes(),
              "attention_prefill: q, k, v must have the same shape [B, H, S, D]; got ", q_in.sizes(), ", ",
              k_in.sizes(), ", ", v_in.sizes());
  TORCH_CHECK(k_in.scalar_type() == q_in.scalar_type() && v_in.scalar_type() == q_in.scalar_type(),
              "attention_prefill: q, k, v must have the same dtype");
  check_cuda_tensor(q_in, "attention_prefill: q", q_in);
  check_cuda_tensor(k_in, "attention_prefill: k", q_in);
  check_cuda_tensor(v_in, "attention_prefill: v", q_in);
  const DataType dtype = kernel_dtype(q_in, "attention_prefill: q", /*allow_fp32=*/false);
  const int64_t B = q_in.size(0), H = q_in.size(1), S = q_in.size(2), D = q_in.size(3);
  TORCH_CHECK(D % 8 == 0 && D > 0 && D <= 128, "attention_prefill: head dim must be a multiple of 8 in [8, 128], got ", D);
  TORCH_CHECK(B <= 65535 && H <= 65535 && S < (int64_t{1} << 30), "attention_prefill: shape too large: ", q_in.sizes());

  c10::cuda::CUDAGuard guard(q_in.device());
  const at::Tensor q = vector_loadable(q_in);
  const at::Tensor k = vector_loadable(k_in);
  const at::Tensor v = vector_loadable(v_in);
  at::Tensor out = at::empty({B, H, S, D}, q.options());  // contiguous
  at::Tensor starts;
  if (key_start.has_value()) {
    starts = *key_start;
    TORCH_CHECK(starts.dim() == 1 && starts.size(0) == B && starts.scalar_type() == at::kInt,
                "attention_prefill: key_start must be int32 [B] = [", B, "], got ", starts.scalar_type(), " ",
                starts.sizes());
    check_cuda_tensor(starts, "attention_prefill: key_start", q_in);
    starts = starts.contiguous();
  }
  if (B == 0 || H == 0 || S == 0) return out;

  AttentionPrefillParams p;
  p.q = q.data_ptr();
  p.k = k.data_ptr();
  p.v = v.data_ptr();
  p.out = out.data_ptr();
  p.q_batch_stride = q.stride(0), p.q_head_stride = q.stride(1), p.q_row_stride = q.stride(2);
  p.k_batch_stride = k.stride(0), p.k_head_stride = k.stride(1), p.k_row_stride = k.stride(2);
  p.v_batch_stride = v.stride(0), p.v_head_stride = v.stride(1), p.v_row_stride = v.stride(2);
  p.out_batch_stride = out.stride(0), p.out_head_stride = out.stride(1), p.out_row_stride = out.stride(2);
  p.key_start = starts.defined() ? starts.data_ptr<int32_t>() : nullptr;
  p.batch = static_cast<int>(B);
  p.heads = static_cast<int>(H);
  p.seqlen = static_cast<int>(S);
  p.head_dim = static_cast<int>(D);
  p.scale = static_cast<float>(scale);
  p.causal = causal;
  C10_CUDA_CHECK(attention_prefill_launch(p, dtype, at::cuda::getCurrentCUDAStream()));
  return out;
}

}  // namespace infeval::kernels

#endif  // INFEVAL_HAVE_CUDA

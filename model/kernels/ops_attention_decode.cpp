// Torch adapter of the decode attention kernel: checks the KV-cache layout, plans the KV split from the SM count,
// allocates the fp32 split workspace, launches on the current stream of q's device.
#ifdef INFEVAL_HAVE_CUDA

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include "model/kernels/attention_decode.h"
#include "model/kernels/ops.h"
#include "model/kernels/ops_common.h"

namespace infeval::kernels {

at::Tensor attention_decode(const at::Tensor& q_in, const at::Tensor& prefix_k_in, const at::Tensor& prefix_v_in,
                            const at::Tensor& prefix_start_in, const at::Tensor& suffix_k_in,
                            const at::Tensor& suffix_v_in, int64_t suffix_len, int64_t beams, double scale) {
  TORCH_CHECK(q_in.dim() == 3, "attention_decode: q must be [S, H, D], got ", q_in.sizes());
  const int64_t S = q_in.size(0), H = q_in.size(1), D = q_in.size(2);
  TORCH_CHECK(beams >= 1 && beams <= kDecodeMaxBeams, "attention_decode: beams must be in [1, ", kDecodeMaxBeams,
              "], got ", beams);
  TORCH_CHECK(S % beams == 0, "attention_decode: S = ", S, " sequences is not a multiple of beams = ", beams);
  const int64_t Q = S / beams;
  TORCH_CHECK(D % 8 == 0 && D > 0 && D <= kDecodeMaxHeadDim, "attention_decode: head dim must be a multiple of 8 in [8, ",
              kDecodeMaxHeadDim, "], got ", D);
  TORCH_CHECK(prefix_k_in.dim() == 4 && prefix_k_in.size(0) == Q && prefix_k_in.size(1) == H &&
                  prefix_k_in.size(3) == D && prefix_v_in.sizes() == prefix_k_in.sizes(),
              "attention_decode: prefix_k/prefix_v must be [Q, H, P, D] = [", Q, ", ", H, ", P, ", D, "], got ",
              prefix_k_in.sizes(), " and ", prefix_v_in.sizes());
  const int64_t P = prefix_k_in.size(2);
  TORCH_CHECK(suffix_k_in.dim() == 4 && suffix_k_in.size(0) == S && suffix_k_in.size(1) == H &&
                  suffix_k_in.size(3) == D && suffix_v_in.sizes() == suffix_k_in.sizes(),
              "attention_decode: suffix_k/suffix_v must be [S, H, T, D] = [", S, ", ", H, ", T, ", D, "], got ",
              suffix_k_in.sizes(), " and ", suffix_v_in.sizes());
  TORCH_CHECK(suffix_len >= 0 && suffix_len <= suffix_k_in.size(2), "attention_decode: suffix_len ", suffix_len,
              " outside [0, T = ", suffix_k_in.size(2), "]");
  TORCH_CHECK(prefix_start_in.dim() == 1 && prefix_start_in.size(0) == Q && prefix_start_in.scalar_type() == at::kInt,
              "attention_decode: prefix_start must be int32 [Q] = [", Q, "], got ", prefix_start_in.scalar_type(), " ",
              prefix_start_in.sizes());
  for (const at::Tensor* t : {&prefix_k_in, &prefix_v_in, &suffix_k_in, &suffix_v_in}) {
    TORCH_CHECK(t->scalar_type() == q_in.scalar_type(), "attention_decode: K/V dtype ", t->scalar_type(),
                " differs from q's ", q_in.scalar_type());
    check_cuda_tensor(*t, "attention_decode: K/V cache", q_in);
  }
  check_cuda_tensor(q_in, "attention_decode: q", q_in);
  check_cuda_tensor(prefix_start_in, "attention_decode: prefix_start", q_in);
  const DataType dtype = kernel_dtype(q_in, "attention_decode: q", /*allow_fp32=*/false);
  TORCH_CHECK(S <= 65535 && H <= 65535 && P < (int64_t{1} << 30), "attention_decode: shape too large: S = ", S,
              ", H = ", H, ", P = ", P);

  c10::cuda::CUDAGuard guard(q_in.device());
  const at::Tensor q = vector_loadable(q_in);
  const at::Tensor pk = vector_loadable(prefix_k_in);
  const at::Tensor pv = vector_loadable(prefix_v_in);
  const at::Tensor sk = vector_loadable(suffix_k_in);
  const at::Tensor sv = vector_loadable(suffix_v_in);
  const at::Tensor starts = prefix_start_in.contiguous();
  at::Tensor out = at::empty({S, H, D}, q.options());
  if (S == 0 || H == 0) return out;

  AttentionDecodeParams p;
  p.q = q.data_ptr();
  p.q_seq_stride = q.stride(0), p.q_head_stride = q.stride(1);
  p.prefix_k = pk.data_ptr();
  p.prefix_v = pv.data_ptr();
  p.pk_group_stride = pk.stride(0), p.pk_head_stride = pk.stride(1), p.pk_row_stride = pk.stride(2);
  p.pv_group_stride = pv.stride(0), p.pv_head_stride = pv.stride(1), p.pv_row_stride = pv.stride(2);
  p.prefix_start = starts.data_ptr<int32_t>();
  p.suffix_k = sk.data_ptr();
  p.suffix_v = sv.data_ptr();
  p.sk_seq_stride = sk.stride(0), p.sk_head_stride = sk.stride(1), p.sk_row_stride = sk.stride(2);
  p.sv_seq_stride = sv.stride(0), p.sv_head_stride = sv.stride(1), p.sv_row_stride = sv.stride(2);
  p.out = out.data_ptr();
  p.out_seq_stride = out.stride(0), p.out_head_stride = out.stride(1);
  p.groups = static_cast<int>(Q);
  p.beams = static_cast<int>(beams);
  p.heads = static_cast<int>(H);
  p.head_dim = static_cast<int>(D);
  p.prefix_len = static_cast<int>(P);
  p.suffix_len = static_cast<int>(suffix_len);
  p.scale = static_cast<float>(scale);

  // About 4 resident CTAs (41 KB shared memory each) per SM.
  const int sms = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
  attention_decode_plan(p, 4 * sms);
  at::Tensor workspace;
  const int64_t floats = attention_decode_workspace_floats(p);
  if (floats > 0) {
    workspace = at::empty({floats}, q.options().dtype(at::kFloat));
    const int64_t rows = S * H * p.splits;
    p.partial_out = workspace.data_ptr<float>();
    p.partial_lse = p.partial_out + rows * D;
  }
  C10_CUDA_CHECK(attention_decode_launch(p, dtype, at::cuda::getCurrentCUDAStream()));
  return out;
}

}  // namespace infeval::kernels

#endif  // INFEVAL_HAVE_CUDA

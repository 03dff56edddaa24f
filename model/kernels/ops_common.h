// Tensor checks shared by the Torch adapters (ops_*.cpp) of the CUDA kernels. Only built with CUDA LibTorch.
#pragma once

#ifdef INFEVAL_HAVE_CUDA

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

#include "model/kernels/attention_prefill.h"  // DataType

namespace infeval::kernels {

inline DataType kernel_dtype(const at::Tensor& t, const char* name, bool allow_fp32) {
  if (t.scalar_type() == at::kBFloat16) return DataType::BF16;
  if (t.scalar_type() == at::kHalf) return DataType::FP16;
  if (allow_fp32 && t.scalar_type() == at::kFloat) return DataType::FP32;
  TORCH_CHECK(false, name, ": dtype ", t.scalar_type(), " is not supported (bf16", allow_fp32 ? ", fp16 or fp32)" : " or fp16)");
  return DataType::BF16;
}

// The kernels load 16-byte vectors: last dim contiguous, other strides multiples of 16 bytes, 16-byte aligned
// base. Returns `t` itself when it qualifies, else a contiguous copy (which always qualifies).
inline at::Tensor vector_loadable(const at::Tensor& t) {
  const int64_t elems_per_16b = 16 / static_cast<int64_t>(t.element_size());
  bool ok = t.dim() == 0 || t.stride(t.dim() - 1) == 1;
  for (int64_t i = 0; ok && i + 1 < t.dim(); ++i) ok = t.size(i) == 1 || t.stride(i) % elems_per_16b == 0;
  ok = ok && reinterpret_cast<std::uintptr_t>(t.data_ptr()) % 16 == 0;
  return ok ? t : t.contiguous();
}

inline void check_cuda_tensor(const at::Tensor& t, const char* name, const at::Tensor& like) {
  TORCH_CHECK(t.is_cuda(), name, " must be a CUDA tensor");
  TORCH_CHECK(t.device() == like.device(), name, " must be on ", like.device(), ", got ", t.device());
}

}  // namespace infeval::kernels

#endif  // INFEVAL_HAVE_CUDA

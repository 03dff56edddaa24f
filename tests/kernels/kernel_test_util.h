// Helpers for the kernel tests: CPU float vectors <-> tensors, the max-error comparison with the location of the
// worst element, and a GPU allocator "poison" so that unwritten kernel outputs show up as NaN.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace infeval::kernels::test {

inline std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU).to(torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

inline torch::Tensor from_vector(const std::vector<float>& v, torch::IntArrayRef sizes) {
  return torch::from_blob(const_cast<float*>(v.data()), sizes, torch::kFloat).clone();
}

struct ErrorStats {
  double max_abs = 0.0;
  int64_t worst_index = -1;  // flat index of the worst element (or of the first NaN)
  int64_t nan_count = 0;
};

// max |a - ref| over all elements; NaN/inf in `a` are counted and make max_abs infinite.
inline ErrorStats max_error(const torch::Tensor& a, const torch::Tensor& ref) {
  const std::vector<float> x = to_vector(a);
  const std::vector<float> r = to_vector(ref);
  ErrorStats st;
  for (size_t i = 0; i < x.size() && i < r.size(); ++i) {
    if (!std::isfinite(x[i])) {
      if (st.nan_count++ == 0) st.worst_index = static_cast<int64_t>(i);
      st.max_abs = std::numeric_limits<double>::infinity();
      continue;
    }
    const double e = std::fabs(static_cast<double>(x[i]) - r[i]);
    if (st.nan_count == 0 && e > st.max_abs) {
      st.max_abs = e;
      st.worst_index = static_cast<int64_t>(i);
    }
  }
  return st;
}

// "[b, h, s, d]"-style coordinates of a flat index in a contiguous tensor of the given sizes.
inline std::string coords(int64_t flat, torch::IntArrayRef sizes) {
  if (flat < 0) return "[]";
  std::vector<int64_t> c(sizes.size());
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    c[i] = flat % sizes[i];
    flat /= sizes[i];
  }
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < c.size(); ++i) os << (i ? ", " : "") << c[i];
  os << "]";
  return os.str();
}

// Fills a freshly allocated block of `bytes` with NaN and frees it; the caching allocator hands the same block to
// the next allocation of that size, so elements a kernel forgets to write read back as NaN.
inline void poison_cuda_allocator(int64_t bytes) {
  const int64_t n = (bytes + 3) / 4;
  torch::Tensor t = torch::full({n}, std::numeric_limits<float>::quiet_NaN(),
                                torch::TensorOptions().dtype(torch::kFloat).device(torch::kCUDA));
  t.reset();
}

// The acceptance rule shared by all kernel tests (flash-attention style): the kernel's error against the fp32
// reference may be at most twice the error of the same math done naively in the kernel's dtype, plus `slack`
// (default 1e-6: covers the exact cases where both errors are 0). NaN always fails.
inline ::testing::AssertionResult within_naive_bound(const char* what, const torch::Tensor& kernel_out,
                                                     const torch::Tensor& naive_out, const torch::Tensor& ref32,
                                                     double slack = 1e-6) {
  const ErrorStats ek = max_error(kernel_out, ref32);
  const ErrorStats en = max_error(naive_out, ref32);
  std::ostringstream os;
  os << what << ": max|kernel - ref32| = " << ek.max_abs << " at " << coords(ek.worst_index, ref32.sizes())
     << ", max|naive - ref32| = " << en.max_abs << " (bound " << 2 * en.max_abs + slack << ")";
  if (ek.worst_index >= 0) {
    const std::vector<float> k = to_vector(kernel_out.flatten()[ek.worst_index]);
    const std::vector<float> r = to_vector(ref32.flatten()[ek.worst_index]);
    os << "; there kernel = " << k[0] << ", ref32 = " << r[0];
  }
  if (ek.nan_count > 0) os << "; " << ek.nan_count << " non-finite kernel outputs (unwritten or NaN)";
  if (en.nan_count > 0) os << "; the naive path produced " << en.nan_count << " non-finite values (test bug)";
  const bool ok = ek.nan_count == 0 && en.nan_count == 0 && ek.max_abs <= 2 * en.max_abs + slack;
  if (ok) return ::testing::AssertionSuccess() << os.str();
  return ::testing::AssertionFailure() << os.str();
}

inline bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace infeval::kernels::test

namespace infeval::kernels::test {

// True when the CUDA kernels are compiled in (CUDA LibTorch) and a device is present; otherwise the GPU tests skip.
inline bool kernels_runnable(std::string* why) {
#ifdef INFEVAL_HAVE_CUDA
  if (torch::cuda::is_available()) return true;
  *why = "no CUDA device available";
#else
  *why = "built without CUDA LibTorch (INFEVAL_HAVE_CUDA unset)";
#endif
  return false;
}

}  // namespace infeval::kernels::test

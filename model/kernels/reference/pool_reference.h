// Plain C++ reference of the pool-adapter pooling (optional LayerNorm, then grid mean-pool), double accumulation,
// no intermediate rounding. Used by tests/kernels; header-only so CPU-only builds can test it.
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace infeval::kernels::reference {

// x: [B, 1 + s*s, C] row-major (token 0 = cls, dropped); ln_weight/ln_bias: empty (no LayerNorm) or [C].
// Returns [B, pool*pool, C]: output (i, j) = mean over the (s/pool)^2 grid cells (i*w + di, j*w + dj).
inline std::vector<float> pool_tokens(const std::vector<float>& x, int B, int s, int C, int pool,
                                      const std::vector<float>& ln_weight, const std::vector<float>& ln_bias,
                                      double eps) {
  const int N = s * s;
  if (x.size() != static_cast<size_t>(B) * (1 + N) * C || pool <= 0 || s % pool != 0 ||
      ln_weight.size() != ln_bias.size() || (!ln_weight.empty() && ln_weight.size() != static_cast<size_t>(C))) {
    throw std::invalid_argument("reference::pool_tokens: sizes do not match [B, 1 + s*s, C] or s % pool != 0");
  }
  const int w = s / pool;
  std::vector<float> out(static_cast<size_t>(B) * pool * pool * C);
  std::vector<double> token(C), acc(C);
  for (int b = 0; b < B; ++b) {
    for (int i = 0; i < pool; ++i) {
      for (int j = 0; j < pool; ++j) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int di = 0; di < w; ++di) {
          for (int dj = 0; dj < w; ++dj) {
            const size_t row = (static_cast<size_t>(b) * (1 + N) + 1 + (i * w + di) * s + (j * w + dj)) * C;
            for (int c = 0; c < C; ++c) token[c] = x[row + c];
            if (!ln_weight.empty()) {
              double mean = 0.0, var = 0.0;
              for (int c = 0; c < C; ++c) mean += token[c];
              mean /= C;
              for (int c = 0; c < C; ++c) var += (token[c] - mean) * (token[c] - mean);
              var /= C;
              const double rstd = 1.0 / std::sqrt(var + eps);
              for (int c = 0; c < C; ++c) token[c] = (token[c] - mean) * rstd * ln_weight[c] + ln_bias[c];
            }
            for (int c = 0; c < C; ++c) acc[c] += token[c];
          }
        }
        const size_t orow = ((static_cast<size_t>(b) * pool + i) * pool + j) * C;
        for (int c = 0; c < C; ++c) out[orow + c] = static_cast<float>(acc[c] / (w * w));
      }
    }
  }
  return out;
}

}  // namespace infeval::kernels::reference

// Plain C++ references of the attention kernels (float inputs, double accumulation), used by tests/kernels.
// Header-only so that CPU-only builds (no CUDA, no kernel sources) can test them too. Masked semantics match the
// kernels: a query with no visible key yields zeros.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace infeval::kernels::reference {

// softmax(scale * q . k_j) weighted sum of v_j over the keys j with visible[j]; q [D], keys/values given as row
// pointers; writes D floats to out (zeros when nothing is visible).
inline void attend_one(const float* q, const std::vector<const float*>& keys, const std::vector<const float*>& values,
                       int D, double scale, float* out) {
  std::vector<double> scores(keys.size());
  double mx = -std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < keys.size(); ++j) {
    double dot = 0.0;
    for (int d = 0; d < D; ++d) dot += static_cast<double>(q[d]) * keys[j][d];
    scores[j] = dot * scale;
    mx = std::max(mx, scores[j]);
  }
  std::vector<double> acc(D, 0.0);
  double sum = 0.0;
  for (size_t j = 0; j < keys.size(); ++j) {
    const double w = std::exp(scores[j] - mx);
    sum += w;
    for (int d = 0; d < D; ++d) acc[d] += w * values[j][d];
  }
  for (int d = 0; d < D; ++d) out[d] = keys.empty() ? 0.0f : static_cast<float>(acc[d] / sum);
}

// q, k, v, result: [B, H, S, D] row-major. key_start: empty or [B] (keys j < key_start[b] masked).
// causal: query i sees keys j <= i.
inline std::vector<float> attention_prefill(const std::vector<float>& q, const std::vector<float>& k,
                                            const std::vector<float>& v, int B, int H, int S, int D,
                                            const std::vector<int32_t>& key_start, bool causal, double scale) {
  const size_t n = static_cast<size_t>(B) * H * S * D;
  if (q.size() != n || k.size() != n || v.size() != n || (!key_start.empty() && key_start.size() != size_t(B))) {
    throw std::invalid_argument("reference::attention_prefill: sizes do not match [B, H, S, D]");
  }
  std::vector<float> out(n);
  for (int b = 0; b < B; ++b) {
    const int start = key_start.empty() ? 0 : key_start[b];
    for (int h = 0; h < H; ++h) {
      const size_t base = (static_cast<size_t>(b) * H + h) * S * D;
      for (int i = 0; i < S; ++i) {
        std::vector<const float*> keys, values;
        for (int j = std::max(start, 0); j < S && (!causal || j <= i); ++j) {
          keys.push_back(&k[base + static_cast<size_t>(j) * D]);
          values.push_back(&v[base + static_cast<size_t>(j) * D]);
        }
        attend_one(&q[base + static_cast<size_t>(i) * D], keys, values, D, scale, &out[base + static_cast<size_t>(i) * D]);
      }
    }
  }
  return out;
}

// q: [S, H, D] with S = Q * beams; prefix_k/v: [Q, H, P, D]; prefix_start: [Q]; suffix_k/v: [S, H, T, D].
// Sequence s attends to prefix keys [prefix_start[s / beams], P) of its group, then its suffix keys [0, suffix_len).
// Returns [S, H, D].
inline std::vector<float> attention_decode(const std::vector<float>& q, const std::vector<float>& prefix_k,
                                           const std::vector<float>& prefix_v, const std::vector<int32_t>& prefix_start,
                                           const std::vector<float>& suffix_k, const std::vector<float>& suffix_v,
                                           int Q, int beams, int H, int P, int T, int D, int suffix_len, double scale) {
  const int S = Q * beams;
  if (q.size() != size_t(S) * H * D || prefix_k.size() != size_t(Q) * H * P * D || prefix_v.size() != prefix_k.size() ||
      prefix_start.size() != size_t(Q) || suffix_k.size() != size_t(S) * H * T * D || suffix_v.size() != suffix_k.size() ||
      suffix_len < 0 || suffix_len > T) {
    throw std::invalid_argument("reference::attention_decode: sizes do not match the documented layout");
  }
  std::vector<float> out(static_cast<size_t>(S) * H * D);
  for (int s = 0; s < S; ++s) {
    const int g = s / beams;
    for (int h = 0; h < H; ++h) {
      std::vector<const float*> keys, values;
      const size_t pbase = (static_cast<size_t>(g) * H + h) * P * D;
      for (int j = std::max(prefix_start[g], 0); j < P; ++j) {
        keys.push_back(&prefix_k[pbase + static_cast<size_t>(j) * D]);
        values.push_back(&prefix_v[pbase + static_cast<size_t>(j) * D]);
      }
      const size_t sbase = (static_cast<size_t>(s) * H + h) * T * D;
      for (int j = 0; j < suffix_len; ++j) {
        keys.push_back(&suffix_k[sbase + static_cast<size_t>(j) * D]);
        values.push_back(&suffix_v[sbase + static_cast<size_t>(j) * D]);
      }
      attend_one(&q[(static_cast<size_t>(s) * H + h) * D], keys, values, D, scale, &out[(static_cast<size_t>(s) * H + h) * D]);
    }
  }
  return out;
}

}  // namespace infeval::kernels::reference

// Paired statistics for comparing two runs on the same samples: McNemar's exact test (per-sample right/wrong
// metrics), a seeded paired bootstrap (any metric, recomputed per resample), Holm-Bonferroni adjustment and the
// Wilson score interval. Everything here is deterministic: the bootstrap draws from xoshiro256** (core/random.h),
// so a result is reproducible from its seed on any platform and with any number of threads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/random.h"

namespace infeval {

// P(X <= k) for X ~ Binomial(n, 1/2). Exact summation from 2^-n for n <= 1000; otherwise the largest term of the
// tail in log space (Loader's saddle-point formula, as R's dbinom) and the others by the ratio recurrence:
// relative error ~1e-13 for any n (no underflow: tails below ~1e-308 come out as 0).
double binomial_half_cdf(uint64_t n, uint64_t k);

// McNemar's exact test on the discordant pairs of two paired binary outcomes.
//   a_only = samples right in A and wrong in B (b in the usual 2x2 table), b_only = the reverse (c).
//   p = min(1, 2 * P(X <= min(b, c))), X ~ Binomial(b + c, 1/2); p = 1 when there is no discordant pair.
double mcnemar_exact_p(uint64_t a_only, uint64_t b_only);

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// Standard normal quantile (inverse CDF), |error| < 1e-12 for p in [1e-300, 1 - 1e-16] (bisection on erfc).
double normal_quantile(double p);

// Wilson score interval for a binomial proportion successes / n at `confidence` (e.g. 0.95); [0, 1] when n = 0.
Interval wilson_interval(uint64_t successes, uint64_t n, double confidence);

// Quantile of sorted values with linear interpolation between order statistics (Hyndman-Fan type 7, numpy's
// default): h = (count - 1) * q, value = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
double sorted_quantile(const std::vector<double>& sorted_values, double q);

// Holm-Bonferroni step-down adjusted p-values, in the input order: with p sorted ascending p_(1..m),
// adj_(i) = max_{j <= i} min(1, (m - j + 1) * p_(j)). Rejecting adj < alpha controls the family-wise error rate.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

struct BootstrapOptions {
  size_t resamples = 10000;
  uint64_t seed = 20240611;
  double confidence = 0.95;
  int threads = 0;  // 0: min(hardware threads, 8); results do not depend on it
};

// Result for one statistic (a delta B - A).
struct BootstrapResult {
  double observed = 0.0;      // the statistic on the original samples
  Interval interval;          // percentile interval of the resampled statistics at options.confidence
  double p_value = 1.0;       // two-sided, see paired_bootstrap
  double standard_error = 0.0;  // sample standard deviation of the resampled statistics
  size_t resamples = 0;       // resamples whose statistic was finite (others are dropped)
};

// Paired bootstrap over n samples. Resample r (0-based) draws n indices uniformly with replacement from
// Xoshiro256StarStar(mix64(seed ^ mix64(r))); the same indices are used for both runs (that is the pairing).
// `statistics(indices)` returns k statistics (k fixed, e.g. one delta per metric); `observed` are their values on
// the identity resample. Two-sided p-value for H0 "statistic = 0", as the smallest level at which the percentile
// interval excludes 0, with the +1 correction that keeps it away from 0:
//   p = min(1, 2 * min((1 + #{t_r <= 0}) / (R + 1), (1 + #{t_r >= 0}) / (R + 1))).
// Degenerate case: every t_r equal to c != 0 gives interval [c, c] and p = 2 / (R + 1); all 0 gives p = 1.
// `statistics` is called from several threads at once, so it must not mutate shared state.
// Cluster bootstrap: n = the number of clusters, and `statistics` expands each drawn index into all the samples of
// that cluster (comparison.h); the seeding, and so the independence from the thread count, stay the same.
std::vector<BootstrapResult> paired_bootstrap(
    size_t n, const std::vector<double>& observed,
    const std::function<std::vector<double>(const std::vector<size_t>& indices)>& statistics,
    const BootstrapOptions& options);

// Fast path for a statistic that is 100 * mean(differences[i]) (MEAN_BINARY metrics): identical resamples and
// result to paired_bootstrap with that statistic, without materializing index vectors per call.
BootstrapResult paired_bootstrap_mean(const std::vector<double>& differences, double scale,
                                      const BootstrapOptions& options);

}  // namespace infeval

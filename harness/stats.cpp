#include "harness/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"

namespace infeval {

// Stirling's error, log(x!) - [(x + 1/2) log x - x + log sqrt(2 pi)], accurate to ~1e-16 (Loader 2000: the
// series for x > 15, the definition through lgamma below, where the terms are small).
static double stirling_error(double x) {
  const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
  if (x <= 15.0) return std::lgamma(x + 1.0) - (x + 0.5) * std::log(x) + x - 0.5 * std::log(2.0 * M_PI);
  const double xx = x * x;
  if (x > 35.0) return (s0 - (s1 - s2 / xx) / xx) / x;
  return (s0 - (s1 - (s2 - (s3 - s4 / xx) / xx) / xx) / xx) / x;
}

// Deviance term x log(x / m) + m - x, by a series when x is close to m (Loader 2000), avoiding cancellation.
static double deviance_term(double x, double m) {
  if (std::fabs(x - m) < 0.1 * (x + m)) {
    double v = (x - m) / (x + m);
    double sum = (x - m) * v;
    double ej = 2.0 * x * v;
    v = v * v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v;
      const double next = sum + ej / (2 * j + 1);
      if (next == sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * std::log(x / m) + m - x;
}

// log P(X = k), X ~ Binomial(n, 1/2), by Loader's saddle-point formula: relative error ~1e-15 for any n.
static double log_binomial_half_pmf(uint64_t n, uint64_t k) {
  const double nd = static_cast<double>(n);
  if (k == 0 || k == n) return -nd * std::log(2.0);
  const double kd = static_cast<double>(k), rest = nd - kd, half = nd / 2.0;
  return stirling_error(nd) - stirling_error(kd) - stirling_error(rest) - deviance_term(kd, half) -
         deviance_term(rest, half) + 0.5 * std::log(nd / (2.0 * M_PI * kd * rest));
}

double binomial_half_cdf(uint64_t n, uint64_t k) {
  if (k >= n) return 1.0;
  if (n <= 1000) {
    // pmf(0) = 2^-n exactly; pmf(i) = pmf(i-1) * (n - i + 1) / i. 2^-1000 is a normal double.
    double term = std::ldexp(1.0, -static_cast<int>(n));
    double sum = term;
    for (uint64_t i = 1; i <= k; ++i) {
      term *= static_cast<double>(n - i + 1) / static_cast<double>(i);
      sum += term;
    }
    return std::min(1.0, sum);
  }
  // Large n: the largest term of the tail is at i = min(k, n/2); sum the tail relative to it.
  if (2 * k >= n) return 1.0 - binomial_half_cdf(n, n - k - 1);  // P(X <= k) = 1 - P(X <= n-k-1) by symmetry
  // k < n/2: terms increase with i, so pmf(k) is the largest. Walk down: pmf(i-1) = pmf(i) * i / (n - i + 1).
  double relative = 1.0;
  double sum = 1.0;
  for (uint64_t i = k; i >= 1; --i) {
    relative *= static_cast<double>(i) / static_cast<double>(n - i + 1);
    sum += relative;
    if (relative < sum * 1e-17) break;
  }
  return std::min(1.0, std::exp(log_binomial_half_pmf(n, k) + std::log(sum)));
}

double mcnemar_exact_p(uint64_t a_only, uint64_t b_only) {
  const uint64_t n = a_only + b_only;
  if (n == 0) return 1.0;
  return std::min(1.0, 2.0 * binomial_half_cdf(n, std::min(a_only, b_only)));
}

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw InputError("normal_quantile: probability must be in (0, 1)");
  // Phi(x) = erfc(-x / sqrt 2) / 2 is increasing; bisect on [-40, 40] to double precision.
  double low = -40.0, high = 40.0;
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double middle = 0.5 * (low + high);
    if (middle == low || middle == high) break;
    const double cdf = 0.5 * std::erfc(-middle / std::sqrt(2.0));
    if (cdf < p) low = middle; else high = middle;
  }
  return 0.5 * (low + high);
}

Interval wilson_interval(uint64_t successes, uint64_t n, double confidence) {
  if (n == 0) return {0.0, 1.0};
  const double z = normal_quantile(0.5 + confidence / 2.0);
  const double nd = static_cast<double>(n);
  const double p = static_cast<double>(successes) / nd;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / nd;
  const double center = (p + z2 / (2.0 * nd)) / denominator;
  const double half = z / denominator * std::sqrt(p * (1.0 - p) / nd + z2 / (4.0 * nd * nd));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

double sorted_quantile(const std::vector<double>& x, double q) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(x.size() - 1) * q;
  const size_t lower = static_cast<size_t>(std::floor(h));
  if (lower + 1 >= x.size()) return x.back();
  return x[lower] + (h - static_cast<double>(lower)) * (x[lower + 1] - x[lower]);
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running_max = 0.0;
  for (size_t rank = 0; rank < m; ++rank) {
    const double scaled = std::min(1.0, static_cast<double>(m - rank) * p_values[order[rank]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[rank]] = running_max;
  }
  return adjusted;
}

static void draw_indices(size_t n, uint64_t seed, size_t resample, std::vector<size_t>* indices) {
  Xoshiro256StarStar rng(mix64(seed ^ mix64(static_cast<uint64_t>(resample))));
  indices->resize(n);
  for (size_t i = 0; i < n; ++i) (*indices)[i] = static_cast<size_t>(rng.uniform_below(n));
}

static BootstrapResult summarize(double observed, std::vector<double> values, double confidence) {
  BootstrapResult result;
  result.observed = observed;
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  result.resamples = values.size();
  if (values.empty()) {
    result.interval = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    result.p_value = std::numeric_limits<double>::quiet_NaN();
    return result;
  }
  size_t at_most_zero = 0, at_least_zero = 0;
  double mean = 0.0;
  for (double v : values) {
    if (v <= 0.0) ++at_most_zero;
    if (v >= 0.0) ++at_least_zero;
    mean += v;
  }
  mean /= static_cast<double>(values.size());
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  result.standard_error = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  const double r_plus_1 = static_cast<double>(values.size()) + 1.0;
  const double lower_tail = (1.0 + static_cast<double>(at_most_zero)) / r_plus_1;
  const double upper_tail = (1.0 + static_cast<double>(at_least_zero)) / r_plus_1;
  result.p_value = std::min(1.0, 2.0 * std::min(lower_tail, upper_tail));
  std::sort(values.begin(), values.end());
  const double alpha = 1.0 - confidence;
  result.interval = {sorted_quantile(values, alpha / 2.0), sorted_quantile(values, 1.0 - alpha / 2.0)};
  return result;
}

static void check_options(const BootstrapOptions& options) {
  if (options.resamples == 0) throw InputError("bootstrap: the number of resamples must be at least 1");
  if (!(options.confidence > 0.0 && options.confidence < 1.0))
    throw InputError("bootstrap: confidence must be in (0, 1), e.g. 0.95");
}

std::vector<BootstrapResult> paired_bootstrap(
    size_t n, const std::vector<double>& observed,
    const std::function<std::vector<double>(const std::vector<size_t>& indices)>& statistics,
    const BootstrapOptions& options) {
  check_options(options);
  const size_t k = observed.size();
  std::vector<std::vector<double>> per_statistic(k, std::vector<double>(options.resamples, 0.0));
  if (n > 0) {
    parallel_for(options.resamples, options.threads, [&](size_t r) {
      std::vector<size_t> indices;
      draw_indices(n, options.seed, r, &indices);
      const std::vector<double> values = statistics(indices);
      if (values.size() != k) throw RuntimeFailure("bootstrap: statistics returned a different number of values");
      for (size_t s = 0; s < k; ++s) per_statistic[s][r] = values[s];
    });
  }
  std::vector<BootstrapResult> results;
  for (size_t s = 0; s < k; ++s) results.push_back(summarize(observed[s], std::move(per_statistic[s]), options.confidence));
  return results;
}

BootstrapResult paired_bootstrap_mean(const std::vector<double>& differences, double scale,
                                      const BootstrapOptions& options) {
  check_options(options);
  const size_t n = differences.size();
  auto mean_of = [&](const std::vector<size_t>& indices) {
    double sum = 0.0;
    for (size_t i : indices) sum += differences[i];
    return scale * sum / static_cast<double>(n);
  };
  std::vector<size_t> identity(n);
  for (size_t i = 0; i < n; ++i) identity[i] = i;
  const double observed = n > 0 ? mean_of(identity) : 0.0;
  std::vector<double> values(options.resamples, 0.0);
  if (n > 0) {
    parallel_for(options.resamples, options.threads, [&](size_t r) {
      Xoshiro256StarStar rng(mix64(options.seed ^ mix64(static_cast<uint64_t>(r))));
      double sum = 0.0;
      for (size_t i = 0; i < n; ++i) sum += differences[static_cast<size_t>(rng.uniform_below(n))];
      values[r] = scale * sum / static_cast<double>(n);
    });
  }
  return summarize(observed, std::move(values), options.confidence);
}

}  // namespace infeval

// Paired statistics against independently computed values (tests/data/stats/expected.json, see its README) and
// bootstrap cases whose distribution is enumerated here by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/json_io.h"
#include "harness/stats.h"

namespace infeval {
namespace {

const json& expected() {
  static const json j = read_json_file(std::string(INFEVAL_TEST_DATA) + "/stats/expected.json");
  return j;
}

TEST(Prng, SplitMix64MatchesPublishedVector) {
  for (const auto& [key, seed] : std::vector<std::pair<std::string, uint64_t>>{{"seed_0", 0}, {"seed_1234567", 1234567}}) {
    SplitMix64 rng(seed);
    for (const auto& value : expected()["splitmix64"][key])
      EXPECT_EQ(rng.next(), std::stoull(value.get<std::string>())) << key;
  }
}

TEST(Prng, Xoshiro256StarStarMatchesReference) {
  Xoshiro256StarStar rng(42);
  for (const auto& value : expected()["xoshiro256starstar_seed_42"])
    EXPECT_EQ(rng.next(), std::stoull(value.get<std::string>()));
}

TEST(Prng, UniformBelowIsUniform) {
  Xoshiro256StarStar rng(7);
  const int draws = 60000;
  std::vector<int> counts(3, 0);
  for (int i = 0; i < draws; ++i) {
    const uint64_t x = rng.uniform_below(3);
    ASSERT_LT(x, 3u);
    ++counts[x];
  }
  // Binomial(60000, 1/3): sd = 115.5; allow 5 sd.
  for (int c : counts) EXPECT_NEAR(c, draws / 3.0, 5 * 115.5);
  EXPECT_EQ(rng.uniform_below(1), 0u);
}

TEST(Binomial, HalfCdfMatchesExactSums) {
  for (const auto& c : expected()["binomial_half_cdf"]) {
    const double want = c["p"].get<double>();
    const double got = binomial_half_cdf(c["n"].get<uint64_t>(), c["k"].get<uint64_t>());
    EXPECT_NEAR(got, want, 1e-9 * want) << "n=" << c["n"] << " k=" << c["k"];
  }
  EXPECT_EQ(binomial_half_cdf(5, 5), 1.0);
  EXPECT_EQ(binomial_half_cdf(5, 9), 1.0);
}

TEST(McNemar, ExactPValuesMatchExactSums) {
  for (const auto& c : expected()["mcnemar"]) {
    const double want = c["p"].get<double>();
    const double got = mcnemar_exact_p(c["a_only"].get<uint64_t>(), c["b_only"].get<uint64_t>());
    EXPECT_NEAR(got, want, 1e-9 * want + 1e-300) << "b=" << c["a_only"] << " c=" << c["b_only"];
  }
}

TEST(McNemar, HandDerivedCases) {
  // No discordant pair: no evidence either way.
  EXPECT_EQ(mcnemar_exact_p(0, 0), 1.0);
  // b=0, c=5: 2 * (1/2)^5 = 1/16.
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 5), 0.0625);
  // b=1, c=9: 2 * (1 + 10) / 1024 = 22/1024.
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(1, 9), 22.0 / 1024.0);
  // Symmetric in b and c.
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(9, 1), mcnemar_exact_p(1, 9));
}

TEST(Wilson, MatchesClosedForm) {
  for (const auto& c : expected()["wilson"]) {
    const Interval got = wilson_interval(c["successes"].get<uint64_t>(), c["n"].get<uint64_t>(),
                                         c["confidence"].get<double>());
    EXPECT_NEAR(got.low, c["low"].get<double>(), 1e-12);
    EXPECT_NEAR(got.high, c["high"].get<double>(), 1e-12);
    EXPECT_NEAR(normal_quantile(0.5 + c["confidence"].get<double>() / 2), c["z"].get<double>(), 1e-12);
  }
}

TEST(Quantile, Type7Interpolation) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(sorted_quantile(x, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(sorted_quantile(x, 0.25), 1.75);  // h = 3 * 0.25 = 0.75
  EXPECT_DOUBLE_EQ(sorted_quantile(x, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(sorted_quantile(x, 1.0), 4.0);
}

TEST(Holm, HandDerivedAdjustment) {
  // Sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> running max 0.06).
  const std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
  // Capped at 1.
  EXPECT_EQ(holm_adjust({0.6, 0.7})[1], 1.0);
  EXPECT_TRUE(holm_adjust({}).empty());
}

double mean_of(const std::vector<double>& d, const std::vector<size_t>& idx) {
  double s = 0;
  for (size_t i : idx) s += d[i];
  return s / static_cast<double>(idx.size());
}

TEST(Bootstrap, DegenerateConstantDifferences) {
  BootstrapOptions options;
  options.resamples = 999;
  // Every resample of constant differences gives the same mean: interval [c, c], p = 2 / (R + 1).
  const BootstrapResult r = paired_bootstrap_mean(std::vector<double>(50, 1.0), 100.0, options);
  EXPECT_DOUBLE_EQ(r.observed, 100.0);
  EXPECT_DOUBLE_EQ(r.interval.low, 100.0);
  EXPECT_DOUBLE_EQ(r.interval.high, 100.0);
  EXPECT_DOUBLE_EQ(r.p_value, 2.0 / 1000.0);
  EXPECT_DOUBLE_EQ(r.standard_error, 0.0);
  // All zero: no evidence, p = 1.
  const BootstrapResult z = paired_bootstrap_mean(std::vector<double>(50, 0.0), 100.0, options);
  EXPECT_DOUBLE_EQ(z.p_value, 1.0);
  EXPECT_DOUBLE_EQ(z.interval.low, 0.0);
  EXPECT_DOUBLE_EQ(z.interval.high, 0.0);
}

TEST(Bootstrap, EnumerableThreeSampleDistribution) {
  // Differences (0, 0, 3): a resample's mean is the number K of draws of the third sample, K ~ Binomial(3, 1/3):
  // P(K=0..3) = 8/27, 12/27, 6/27, 1/27 (all 27 equally likely index triples, enumerated by hand).
  const std::vector<double> d = {0.0, 0.0, 3.0};
  BootstrapOptions options;
  options.resamples = 20000;
  options.seed = 99;
  auto statistic = [&](const std::vector<size_t>& idx) {
    return std::vector<double>{mean_of(d, idx)};
  };
  const auto results = paired_bootstrap(3, {1.0}, [&](const std::vector<size_t>& idx) { return statistic(idx); },
                                        options);
  ASSERT_EQ(results.size(), 1u);
  const BootstrapResult& r = results[0];
  // 2.5% quantile is 0 (P(K=0) = 29.6%), 97.5% quantile is 3 (P(K=3) = 3.7% > 2.5%).
  EXPECT_DOUBLE_EQ(r.interval.low, 0.0);
  EXPECT_DOUBLE_EQ(r.interval.high, 3.0);
  // p = 2 * (1 + #{t <= 0}) / (R + 1) ~ 2 * 8/27; sd of the estimate 2 * sqrt(8/27 * 19/27 / R) = 0.0065.
  EXPECT_NEAR(r.p_value, 16.0 / 27.0, 5 * 0.0065);
  // Standard error: sd of K = sqrt(3 * 1/3 * 2/3) = 0.8165.
  EXPECT_NEAR(r.standard_error, std::sqrt(2.0 / 3.0), 0.02);
  // The fast path draws the same resamples, so it gives the same result exactly.
  const BootstrapResult fast = paired_bootstrap_mean(d, 1.0, options);
  EXPECT_DOUBLE_EQ(fast.p_value, r.p_value);
  EXPECT_DOUBLE_EQ(fast.interval.low, r.interval.low);
  EXPECT_DOUBLE_EQ(fast.standard_error, r.standard_error);
  EXPECT_DOUBLE_EQ(fast.observed, 1.0);
}

TEST(Bootstrap, ResampleFrequenciesMatchEnumeration) {
  const std::vector<double> d = {0.0, 0.0, 3.0};
  const double probability[4] = {8.0 / 27, 12.0 / 27, 6.0 / 27, 1.0 / 27};
  const size_t resamples = 27000;
  std::vector<double> values(resamples);
  BootstrapOptions options;
  options.resamples = resamples;
  options.seed = 5;
  options.threads = 1;
  size_t r = 0;
  paired_bootstrap(3, {0.0}, [&](const std::vector<size_t>& idx) {
    values[r++] = mean_of(d, idx);
    return std::vector<double>{0.0};
  }, options);
  std::vector<double> counts(4, 0);
  for (double v : values) counts[static_cast<size_t>(std::lround(v))] += 1;
  for (int k = 0; k < 4; ++k) {
    const double expected_count = probability[k] * resamples;
    const double sd = std::sqrt(resamples * probability[k] * (1 - probability[k]));
    EXPECT_NEAR(counts[k], expected_count, 5 * sd) << "K=" << k;
  }
}

TEST(Bootstrap, ReproducibleFromSeedWithAnyThreadCount) {
  std::vector<double> d;
  Xoshiro256StarStar gen(3);
  for (int i = 0; i < 300; ++i) d.push_back(static_cast<double>(gen.uniform_below(1000)) / 1000.0 - 0.45);
  BootstrapOptions one;
  one.resamples = 2000;
  one.seed = 11;
  one.threads = 1;
  BootstrapOptions four = one;
  four.threads = 4;
  const BootstrapResult a = paired_bootstrap_mean(d, 100.0, one);
  const BootstrapResult b = paired_bootstrap_mean(d, 100.0, four);
  EXPECT_EQ(a.interval.low, b.interval.low);
  EXPECT_EQ(a.interval.high, b.interval.high);
  EXPECT_EQ(a.p_value, b.p_value);
  // Generic path with four threads equals the fast path.
  const auto g = paired_bootstrap(d.size(), {a.observed}, [&](const std::vector<size_t>& idx) {
    return std::vector<double>{100.0 * mean_of(d, idx)};
  }, four);
  EXPECT_EQ(g[0].interval.low, a.interval.low);
  EXPECT_EQ(g[0].interval.high, a.interval.high);
  // Another seed gives another (continuous-valued) interval.
  BootstrapOptions other = one;
  other.seed = 12;
  const BootstrapResult c = paired_bootstrap_mean(d, 100.0, other);
  EXPECT_NE(c.interval.low, a.interval.low);
  // The interval covers the observed mean and the standard error is near sd(d)/sqrt(n) * 100.
  EXPECT_LT(a.interval.low, a.observed);
  EXPECT_GT(a.interval.high, a.observed);
}

}  // namespace
}  // namespace infeval

// The project's one random number generator, written out (not std:: distributions, whose output differs between
// standard libraries), so that a seeded --limit subset and a seeded bootstrap are the same on every platform.
#pragma once
#include <cstdint>

namespace infeval {

// SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference splitmix64.c): state += 0x9E3779B97F4A7C15, then mix.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();

 private:
  uint64_t state_;
};

// xoshiro256** 1.0 (Blackman, Vigna 2018), its 256-bit state filled from SplitMix64(seed) as the authors advise.
class Xoshiro256StarStar {
 public:
  explicit Xoshiro256StarStar(uint64_t seed);
  uint64_t next();
  // Uniform integer in [0, bound), bound >= 1, unbiased: draws x until x >= (2^64 - bound) mod bound, returns
  // x mod bound. Same sequence on every platform.
  uint64_t uniform_below(uint64_t bound);

 private:
  uint64_t s_[4];
};

// SplitMix64's output function (a bijective 64-bit mix); used to derive one independent seed per resample.
uint64_t mix64(uint64_t x);

}  // namespace infeval

// Numbers the user writes on the command line (flag values, --shard I/N, gate rules): one parser, so every flag
// accepts and refuses the same texts. The whole text must be the number: an optional sign, digits, and for reals
// a fraction and an exponent ("0.05", "1e-2"); no spaces, no trailing characters, no inf or nan, and the value in
// [min, max]. Anything else is an InputError "<what> '<text>': expected <kind>", where `what` names the flag
// ("--batch-size", "--shard count", "gate rule 'pope:f1=abs:x': value").
#pragma once
#include <cstdint>
#include <limits>
#include <string>

namespace infeval {

int64_t parse_integer(const std::string& text, const std::string& what,
                      int64_t min = std::numeric_limits<int64_t>::min(),
                      int64_t max = std::numeric_limits<int64_t>::max());
// 0 .. 2^64 - 1 (seeds).
uint64_t parse_unsigned(const std::string& text, const std::string& what);
double parse_real(const std::string& text, const std::string& what,
                  double min = std::numeric_limits<double>::lowest(),
                  double max = std::numeric_limits<double>::max());

}  // namespace infeval

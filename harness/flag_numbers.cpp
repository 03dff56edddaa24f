#include "harness/flag_numbers.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "core/error.h"

namespace infeval {

namespace {

// from_chars reads no leading '+'; a '+' before a digit (or '.') is allowed and skipped.
const char* number_start(const std::string& text) {
  const char* begin = text.data();
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') ++begin;
  return begin;
}

// " in [min, max]" where a bound is not the type's limit.
template <typename T>
std::string range_text(T min, T max) {
  const bool has_min = min != std::numeric_limits<T>::lowest();
  const bool has_max = max != std::numeric_limits<T>::max();
  if (has_min && has_max) return fmt::format(" in [{}, {}]", min, max);
  if (has_min) return fmt::format(" >= {}", min);
  if (has_max) return fmt::format(" <= {}", max);
  return "";
}

// The range is named only for a number outside it: "expected a whole number" says enough for "abc".
template <typename T>
T parse_whole(const std::string& text, const std::string& what, T min, T max) {
  const char* end = text.data() + text.size();
  T value{};
  const auto [stop, error] = std::from_chars(number_start(text), end, value);
  const bool digits_only = !text.empty() && stop == end;
  if (digits_only && error == std::errc() && value >= min && value <= max) return value;
  // A number beyond the type (result_out_of_range) is outside the range too.
  throw InputError(
      fmt::format("{} '{}': expected a whole number{}", what, text, digits_only ? range_text(min, max) : ""));
}

}  // namespace

int64_t parse_integer(const std::string& text, const std::string& what, int64_t min, int64_t max) {
  return parse_whole<int64_t>(text, what, min, max);
}

uint64_t parse_unsigned(const std::string& text, const std::string& what) {
  return parse_whole<uint64_t>(text, what, 0, std::numeric_limits<uint64_t>::max());
}

double parse_real(const std::string& text, const std::string& what, double min, double max) {
  const char* end = text.data() + text.size();
  double value = 0.0;
  const auto [stop, error] = std::from_chars(number_start(text), end, value);
  const bool is_number = !text.empty() && stop == end && error == std::errc() && std::isfinite(value);
  if (is_number && value >= min && value <= max) return value;
  throw InputError(fmt::format("{} '{}': expected a number{}", what, text, is_number ? range_text(min, max) : ""));
}

}  // namespace infeval

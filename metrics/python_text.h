// More Python str semantics the VQA scorers rely on (Unicode-aware), on UTF-8 text.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace infeval {

// UTF-8 <-> code points; invalid bytes become U+DC80+byte (surrogateescape) so that encoding restores them.
std::vector<uint32_t> utf8_to_code_points(const std::string& text);
std::string code_points_to_utf8(const std::vector<uint32_t>& code_points);

bool python_isspace(uint32_t code_point);   // str.isspace() of one character
bool python_re_digit(uint32_t code_point);  // `\d` in a str regex: Unicode category Nd (Unicode 14)

// str.split() with no argument: runs of Unicode whitespace separate, no empty parts.
std::vector<std::string> python_split_whitespace(const std::string& text);

// str.replace(old, new) (old non-empty), str.split(sep) with an explicit separator (empty parts kept),
// sep.join(parts), str.endswith(suffix).
std::string python_replace(const std::string& text, const std::string& old_text, const std::string& new_text);
std::vector<std::string> python_split(const std::string& text, const std::string& separator);
std::string python_join(const std::vector<std::string>& parts, const std::string& separator);
bool python_endswith(const std::string& text, const std::string& suffix);

// str.strip() with no argument (Unicode whitespace, both ends); str.lower() (see python_text.cpp for its range).
std::string python_strip(const std::string& text);
std::string python_lower(const std::string& text);

// round(x, ndigits) of Python 3: the exact binary value rounded to ndigits decimals, ties to even.
double python_round(double value, int ndigits);

}  // namespace infeval

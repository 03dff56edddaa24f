// More Python str semantics the VQA scorers rely on (Unicode-aware), on UTF-8 text.
// Each official script runs under one interpreter, and the two differ on the same text: GT-Vision-Lab's vqaEval.py
// is Python 2.7 code (its `re` patterns have no re.UNICODE flag, so `\d` is [0-9]; unicode.isspace() follows
// Unicode 5.2, where U+180E is a space; unicode.lower() maps U+0130 to "i" and has no final-sigma rule; round()
// rounds halves away from zero), while LLaVA's, InfMLLM's and m4c's scripts are Python 3. The functions take the
// interpreter as an argument, Python 3 by default.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace infeval {

// UTF-8 <-> code points; invalid bytes become U+DC80+byte (surrogateescape) so that encoding restores them.
std::vector<uint32_t> utf8_to_code_points(const std::string& text);
std::string code_points_to_utf8(const std::vector<uint32_t>& code_points);

enum class PythonVersion {
  k2,  // CPython 2.7 on unicode objects (json.load gives unicode), Unicode 5.2
  k3,  // CPython 3.11 on str, Unicode 14
};

// str.isspace() of one character (Python 2 also counts U+180E MONGOLIAN VOWEL SEPARATOR).
bool python_isspace(uint32_t code_point, PythonVersion python = PythonVersion::k3);
// `\d` in a regex without flags: Python 3, Unicode category Nd (Unicode 14); Python 2, [0-9] only.
bool python_re_digit(uint32_t code_point, PythonVersion python = PythonVersion::k3);

// str.split() with no argument: runs of Unicode whitespace separate, no empty parts.
std::vector<std::string> python_split_whitespace(const std::string& text,
                                                 PythonVersion python = PythonVersion::k3);

// str.replace(old, new) (old non-empty), str.split(sep) with an explicit separator (empty parts kept),
// sep.join(parts), str.endswith(suffix).
std::string python_replace(const std::string& text, const std::string& old_text, const std::string& new_text);
std::vector<std::string> python_split(const std::string& text, const std::string& separator);
std::string python_join(const std::vector<std::string>& parts, const std::string& separator);
bool python_endswith(const std::string& text, const std::string& suffix);

// str.strip() with no argument (Unicode whitespace, both ends); str.lower() (see python_text.cpp for its range).
std::string python_strip(const std::string& text, PythonVersion python = PythonVersion::k3);
std::string python_lower(const std::string& text, PythonVersion python = PythonVersion::k3);

// round(x, ndigits): the exact binary value rounded to ndigits decimals; an exact tie goes to the even digit in
// Python 3 (round(0.125, 2) == 0.12) and away from zero in Python 2 (0.13).
double python_round(double value, int ndigits, PythonVersion python = PythonVersion::k3);

}  // namespace infeval

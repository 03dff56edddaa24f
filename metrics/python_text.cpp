#include "metrics/python_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace infeval {

std::vector<uint32_t> utf8_to_code_points(const std::string& text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const int length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    uint32_t cp = length == 1 ? c : length == 2 ? (c & 0x1fu) : length == 3 ? (c & 0x0fu) : (c & 0x07u);
    for (int k = 1; valid && k < length; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc >> 6) != 0x2) valid = false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    if (valid) {
      out.push_back(cp);
      i += length;
    } else {
      out.push_back(0xDC00u + c);
      i += 1;
    }
  }
  return out;
}

std::string code_points_to_utf8(const std::vector<uint32_t>& code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (uint32_t cp : code_points) {
    if (cp >= 0xDC80u && cp <= 0xDCFFu) {
      out.push_back(static_cast<char>(cp - 0xDC00u));
    } else if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  return out;
}

bool python_isspace(uint32_t c, PythonVersion python) {
  // U+180E left the Zs category in Unicode 6.3: a space for Python 2.7 (Unicode 5.2), not for Python 3.
  if (c == 0x180e) return python == PythonVersion::k2;
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

bool python_re_digit(uint32_t c, PythonVersion python) {
  if (python == PythonVersion::k2) return c >= '0' && c <= '9';  // no re.UNICODE flag in the Python 2 scripts
  // Start of each run of ten (or more) Nd code points, from unicodedata 14.0 (Python 3.11).
  static const uint32_t kRanges[][2] = {
      {0x30, 0x39},       {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},     {0x966, 0x96F},
      {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},     {0xB66, 0xB6F},     {0xBE6, 0xBEF},
      {0xC66, 0xC6F},     {0xCE6, 0xCEF},     {0xD66, 0xD6F},     {0xDE6, 0xDEF},     {0xE50, 0xE59},
      {0xED0, 0xED9},     {0xF20, 0xF29},     {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},
      {0x1810, 0x1819},   {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},   {0x1A90, 0x1A99},
      {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},   {0x1C50, 0x1C59},   {0xA620, 0xA629},
      {0xA8D0, 0xA8D9},   {0xA900, 0xA909},   {0xA9D0, 0xA9D9},   {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},
      {0xABF0, 0xABF9},   {0xFF10, 0xFF19},   {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
      {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9}, {0x11450, 0x11459},
      {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9}, {0x11730, 0x11739}, {0x118E0, 0x118E9},
      {0x11950, 0x11959}, {0x11C50, 0x11C59}, {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69},
      {0x16AC0, 0x16AC9}, {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
      {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9}};
  if (c < 0x80) return c >= '0' && c <= '9';
  for (const auto& range : kRanges)
    if (c >= range[0] && c <= range[1]) return true;
  return false;
}

std::vector<std::string> python_split_whitespace(const std::string& text, PythonVersion python) {
  std::vector<std::string> parts;
  const std::vector<uint32_t> cps = utf8_to_code_points(text);
  std::vector<uint32_t> current;
  for (uint32_t c : cps) {
    if (python_isspace(c, python)) {
      if (!current.empty()) parts.push_back(code_points_to_utf8(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) parts.push_back(code_points_to_utf8(current));
  return parts;
}

std::string python_replace(const std::string& text, const std::string& old_text, const std::string& new_text) {
  if (old_text.empty()) return text;
  std::string out;
  size_t start = 0;
  for (size_t found; (found = text.find(old_text, start)) != std::string::npos; start = found + old_text.size())
    out.append(text, start, found - start).append(new_text);
  return out.append(text, start, std::string::npos);
}

std::vector<std::string> python_split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t found; (found = text.find(separator, start)) != std::string::npos; start = found + separator.size())
    parts.push_back(text.substr(start, found - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::string python_join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

bool python_endswith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

namespace {

// The exact decimal expansion of `value` cut after `ndigits` decimals (glibc prints a double's exact value when
// asked for enough digits: at most 1074 after the point), and whether the rest is exactly one half of the last
// kept digit: "0.125" with ndigits 2 -> "0.12", tie.
std::string truncated_decimal(double value, int ndigits, bool* tie) {
  char buffer[1600];
  std::snprintf(buffer, sizeof(buffer), "%.1080f", value);
  std::string text = buffer;
  const size_t point = text.find('.');
  const std::string rest = text.substr(point + 1 + static_cast<size_t>(ndigits));
  *tie = !rest.empty() && rest[0] == '5' && rest.find_first_not_of('0', 1) == std::string::npos;
  text.erase(point + 1 + static_cast<size_t>(ndigits));
  if (ndigits == 0) text.pop_back();  // no '.' left
  return text;
}

// The decimal string one unit of its last digit further from zero: "-0.12" -> "-0.13", "9.99" -> "10.00".
std::string away_from_zero(std::string text) {
  size_t i = text.size();
  while (i > 0) {
    --i;
    if (text[i] == '.') continue;
    if (text[i] == '-') break;
    if (text[i] != '9') {
      ++text[i];
      return text;
    }
    text[i] = '0';
  }
  const size_t first_digit = text[0] == '-' ? 1 : 0;
  text.insert(first_digit, "1");
  return text;
}

}  // namespace

double python_round(double value, int ndigits, PythonVersion python) {
  if (!std::isfinite(value)) return value;
  if (python == PythonVersion::k2 && ndigits >= 0 && ndigits <= 300) {
    // Python 2.7's float round(): the exact binary value, halves away from zero (floatobject.c, _Py_double_round).
    bool tie = false;
    const std::string cut = truncated_decimal(value, ndigits, &tie);
    if (tie) return std::strtod(away_from_zero(cut).c_str(), nullptr);
  }
  // glibc's printf rounds the exact binary value correctly (ties to even), as Python 3's round() does; Python 2
  // agrees whenever there is no exact tie.
  char buffer[512];
  std::snprintf(buffer, sizeof(buffer), "%.*f", ndigits, value);
  return std::strtod(buffer, nullptr);
}


namespace {
// str.lower() of one code point for ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth Latin; other
// code points are returned unchanged (their lowercase is multi-character or absent in the benchmarks' data).
uint32_t lower_code_point(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp < 0x80) return cp;
  if ((cp >= 0xC0 && cp <= 0xDE) && cp != 0xD7) return cp + 32;  // Latin-1 capitals
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x178 &&
      cp != 0x17F) {
    // Latin Extended-A: pairs (even = upper) except the 0x139-0x148 and 0x179-0x17E ranges (odd = upper).
    const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper) return (cp % 2 == 1) ? cp + 1 : cp;
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;  // Greek capitals
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic capitals
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;  // fullwidth Latin
  return cp;
}

// A lowercase letter of the ranges lower_code_point covers (its uppercase maps onto it).
bool upper_has_lower(uint32_t cp) {
  if (cp >= 'a' && cp <= 'z') return true;
  if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) return true;
  if (cp >= 0x100 && cp <= 0x17F) return lower_code_point(cp) == cp && cp != 0x130;
  if (cp >= 0x3AC && cp <= 0x3CE) return true;  // Greek small letters (with tonos), final sigma included
  if (cp >= 0x430 && cp <= 0x45F) return true;
  if (cp >= 0xFF41 && cp <= 0xFF5A) return true;
  return false;
}

}  // namespace

std::string python_strip(const std::string& text, PythonVersion python) {
  const std::vector<uint32_t> cps = utf8_to_code_points(text);
  size_t begin = 0, end = cps.size();
  while (begin < end && python_isspace(cps[begin], python)) ++begin;
  while (end > begin && python_isspace(cps[end - 1], python)) --end;
  return code_points_to_utf8(std::vector<uint32_t>(cps.begin() + static_cast<std::ptrdiff_t>(begin),
                                                   cps.begin() + static_cast<std::ptrdiff_t>(end)));
}

std::string python_lower(const std::string& text, PythonVersion python) {
  const std::vector<uint32_t> cps = utf8_to_code_points(text);
  std::vector<uint32_t> out;
  out.reserve(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) {
    const uint32_t cp = cps[i];
    if (cp == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE
      out.push_back('i');
      if (python == PythonVersion::k3) out.push_back(0x307);  // full case mapping: "i" + COMBINING DOT ABOVE
      continue;
    }
    if (cp == 0x3A3 && python == PythonVersion::k3) {
      // Python 3's Final_Sigma rule: a capital sigma after a cased letter and not before one becomes U+03C2.
      // (Cased = changed by this table or already lowercase in it; case-ignorable marks are not skipped.)
      const auto cased = [](uint32_t c) { return lower_code_point(c) != c || upper_has_lower(c); };
      const bool after_cased = i > 0 && cased(cps[i - 1]);
      const bool before_cased = i + 1 < cps.size() && cased(cps[i + 1]);
      out.push_back(after_cased && !before_cased ? 0x3C2 : 0x3C3);
      continue;
    }
    out.push_back(lower_code_point(cp));
  }
  return code_points_to_utf8(out);
}

}  // namespace infeval

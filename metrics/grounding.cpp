#include "metrics/grounding.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace infeval {

namespace {

// The pattern as tokens: Z = literal '0', A = any code point but '\n', D = \d+ (greedy), C = literal ',',
// S = .* (greedy). Groups are the four "Z A D" runs.
constexpr char kPattern[] = "ZADCZADSZADCZAD";

size_t code_point_length(const std::string& text, size_t pos) {
  size_t end = pos + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end - pos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Backtracking match of kPattern[token..] at text[pos..], in Python's order (greedy: longest first).
bool match_from(const std::string& text, size_t pos, size_t token, std::vector<size_t>& starts,
                std::vector<size_t>& ends) {
  if (kPattern[token] == '\0') return true;
  const size_t group = token < 7 ? token / 4 : (token >= 8 ? 2 + (token - 8) / 4 : 0);
  switch (kPattern[token]) {
    case 'Z': {
      if (pos >= text.size() || text[pos] != '0') return false;
      const bool opens = token == 0 || token == 4 || token == 8 || token == 12;
      if (opens) starts[group] = pos;
      return match_from(text, pos + 1, token + 1, starts, ends);
    }
    case 'A': {
      if (pos >= text.size() || text[pos] == '\n') return false;
      return match_from(text, pos + code_point_length(text, pos), token + 1, starts, ends);
    }
    case 'D': {
      size_t end = pos;
      while (end < text.size() && is_digit(text[end])) ++end;
      for (; end > pos; --end) {
        ends[group] = end;
        if (match_from(text, end, token + 1, starts, ends)) return true;
      }
      return false;
    }
    case 'C':
      if (pos >= text.size() || text[pos] != ',') return false;
      return match_from(text, pos + 1, token + 1, starts, ends);
    case 'S': {
      std::vector<size_t> stops = {pos};  // every code-point boundary reachable without crossing '\n'
      for (size_t p = pos; p < text.size() && text[p] != '\n';) {
        p += code_point_length(text, p);
        stops.push_back(p);
      }
      for (auto it = stops.rbegin(); it != stops.rend(); ++it)
        if (match_from(text, *it, token + 1, starts, ends)) return true;
      return false;
    }
  }
  return false;
}

}  // namespace

std::optional<std::array<std::string, 4>> grounding_regex_groups(const std::string& text) {
  std::vector<size_t> starts(4), ends(4);
  for (size_t start = 0; start < text.size(); ++start) {
    if ((static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) continue;  // search starts at code points
    if (match_from(text, start, 0, starts, ends)) {
      std::array<std::string, 4> groups;
      for (int g = 0; g < 4; ++g) groups[g] = text.substr(starts[g], ends[g] - starts[g]);
      return groups;
    }
  }
  return std::nullopt;
}

std::optional<double> grounding_python_float(const std::string& text) {
  // Shapes: '0' + one code point + ASCII digits. Valid Python floats among them:
  //   0.ddd, 0ddd (leading zeros allowed), 0_ddd (underscore between digits), 0eddd / 0Eddd.
  if (text.size() < 3 || text[0] != '0') return std::nullopt;
  const char c = text[1];
  const std::string digits = text.substr(2);
  for (char d : digits)
    if (!is_digit(d)) return std::nullopt;  // the second character was multi-byte
  if (c == '.' || is_digit(c) || c == 'e' || c == 'E') return std::strtod(text.c_str(), nullptr);
  if (c == '_') return std::strtod(("0" + digits).c_str(), nullptr);
  return std::nullopt;
}

std::optional<std::array<double, 4>> parse_grounding_box(const std::string& text) {
  const auto groups = grounding_regex_groups(text);
  if (!groups) return std::nullopt;
  std::array<double, 4> box{};
  for (int g = 0; g < 4; ++g) {
    const auto value = grounding_python_float((*groups)[g]);
    if (!value) return std::nullopt;
    box[g] = *value;
  }
  return box;
}

std::array<double, 4> grounding_pixel_box(const std::string& text, double width, double height) {
  const auto box = parse_grounding_box(text);
  if (!box) return {0.0, 0.0, 0.0, 0.0};
  return {(*box)[0] * width, (*box)[1] * height, (*box)[2] * width, (*box)[3] * height};
}

double grounding_iou(const std::array<double, 4>& predicted, const std::array<double, 4>& ground_truth) {
  // torch.tensor(..., dtype=float32): each coordinate rounded to float32 first; every step below is one float32
  // operation, as torch's elementwise kernels do.
  float p[4], g[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<float>(predicted[i]);
    g[i] = static_cast<float>(ground_truth[i]);
  }
  const float area_p = (p[2] - p[0]) * (p[3] - p[1]);
  const float area_g = (g[2] - g[0]) * (g[3] - g[1]);
  const float left = std::max(p[0], g[0]), top = std::max(p[1], g[1]);
  const float right = std::min(p[2], g[2]), bottom = std::min(p[3], g[3]);
  const float w = std::max(right - left, 0.0f), h = std::max(bottom - top, 0.0f);
  const float inter = w * h;
  const float union_area = area_p + area_g - inter;
  const float iou = inter / union_area;
  return static_cast<double>(iou);
}

}  // namespace infeval

// Referring-expression grounding as InfMLLM's evaluate_grounding.py scores it.
//   parse: the first re.search of (0.\d+),(0.\d+).*(0.\d+),(0.\d+) (unescaped ".", greedy ".*" so groups 3/4 bind
//          to the last matching pair), each group through Python float(); any failure -> box (0,0,0,0).
//   scale: (x1*W, y1*H, x2*W, y2*H) in double, by the original image size.
//   IoU:   torchvision-style box_iou on float32 tensors, boxes as x1y1x2y2, no +1, intersection clamped at 0;
//          correct iff IoU >= 0.5 (NaN, e.g. two zero-area boxes, is not correct).
#pragma once
#include <array>
#include <optional>
#include <string>

namespace infeval {

// The four groups of the first match, as Python's re.search finds them (ASCII digits; "." matches any code point
// except "\n"). nullopt when there is no match.
std::optional<std::array<std::string, 4>> grounding_regex_groups(const std::string& text);

// Python float() for the group shapes the regex allows ("0" + any character + digits): "0.25" -> 0.25,
// "0123" -> 123, "0_5" -> 5 (PEP 515 underscore), "0e5" -> 0. nullopt where Python raises ValueError.
std::optional<double> grounding_python_float(const std::string& text);

// Normalized box from the model text; nullopt on parse failure (the reference then uses (0,0,0,0)).
std::optional<std::array<double, 4>> parse_grounding_box(const std::string& text);

// Predicted box in pixels: the parsed box scaled by (width, height), or (0,0,0,0) on failure.
std::array<double, 4> grounding_pixel_box(const std::string& text, double width, double height);

// IoU computed in float32 as torch does it (needs IEEE float32 without FMA contraction: x86-64 default), returned
// as the float32 value widened to double.
double grounding_iou(const std::array<double, 4>& predicted, const std::array<double, 4>& ground_truth);

}  // namespace infeval

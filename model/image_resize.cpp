// PIL 9.4's Image.resize(size, BICUBIC) for 8-bit RGB, reproduced for bit-exact output, plus expand-to-square and
// the torchvision ToTensor + Normalize step.
//
// The resize is separable: a horizontal pass over only the source rows the vertical pass will read, then a vertical
// pass. Per output position the filter window is centred at (i + 0.5) * scale with support 2 * max(scale, 1)
// (antialiasing when downscaling), weights are bicubic (a = -0.5) evaluated at (j - center + 0.5) / max(scale, 1),
// normalized to sum 1 in double, then turned into 22-bit fixed point (rounded half away from zero). Each pass sums
// pixel * weight in int32 starting from 0.5 (1 << 21) and clips (sum >> 22) to 0..255.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "model/image.h"

// The double arithmetic must round exactly as PIL's C code does: no fused multiply-add.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace infeval {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr double kBicubicSupport = 2.0;

double bicubic_weight(double x) {
  const double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// Filter windows of one axis: output i reads `count[i]` source samples from `first[i]` with int weights
// weights[i * window + j].
struct ResampleWeights {
  int window = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int32_t> weights;
};

ResampleWeights compute_weights(int in_size, int out_size) {
  const double in0 = 0.0;
  const double in1 = static_cast<double>(static_cast<float>(in_size));  // PIL's box is float
  const double scale = (in1 - in0) / out_size;
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = kBicubicSupport * filter_scale;
  ResampleWeights result;
  result.window = static_cast<int>(std::ceil(support)) * 2 + 1;
  result.first.resize(out_size);
  result.count.resize(out_size);
  result.weights.assign(static_cast<size_t>(out_size) * result.window, 0);
  std::vector<double> k(result.window);
  for (int i = 0; i < out_size; ++i) {
    const double center = in0 + (i + 0.5) * scale;
    const double inv_scale = 1.0 / filter_scale;
    int lo = static_cast<int>(center - support + 0.5);  // truncation toward zero, as the C cast
    if (lo < 0) lo = 0;
    int hi = static_cast<int>(center + support + 0.5);
    if (hi > in_size) hi = in_size;
    const int n = hi - lo;
    double total = 0.0;
    for (int j = 0; j < n; ++j) {
      const double w = bicubic_weight((j + lo - center + 0.5) * inv_scale);
      k[j] = w;
      total += w;
    }
    for (int j = 0; j < n; ++j) {
      if (total != 0.0) k[j] /= total;
    }
    for (int j = 0; j < n; ++j) {
      const double fixed = k[j] * (1 << kPrecisionBits);
      result.weights[static_cast<size_t>(i) * result.window + j] =
          static_cast<int32_t>(k[j] < 0 ? -0.5 + fixed : 0.5 + fixed);
    }
    result.first[i] = lo;
    result.count[i] = n;
  }
  return result;
}

inline uint8_t clip_fixed(int32_t sum) {
  const int32_t value = sum >> kPrecisionBits;  // arithmetic shift, as PIL's lookup index
  return static_cast<uint8_t>(value < 0 ? 0 : value > 255 ? 255 : value);
}

// Horizontal pass over source rows [row_begin, row_begin + rows).
RgbImage resample_horizontal(const RgbImage& in, int out_width, int row_begin, int rows,
                             const ResampleWeights& weights) {
  RgbImage out;
  out.width = out_width;
  out.height = rows;
  out.pixels.resize(static_cast<size_t>(out_width) * rows * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = in.pixels.data() + static_cast<size_t>(y + row_begin) * in.width * 3;
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * out_width * 3;
    for (int x = 0; x < out_width; ++x) {
      const int32_t* k = weights.weights.data() + static_cast<size_t>(x) * weights.window;
      const uint8_t* s = src + static_cast<size_t>(weights.first[x]) * 3;
      int32_t r = 1 << (kPrecisionBits - 1), g = r, b = r;
      for (int j = 0; j < weights.count[x]; ++j) {
        r += s[3 * j] * k[j];
        g += s[3 * j + 1] * k[j];
        b += s[3 * j + 2] * k[j];
      }
      dst[3 * x] = clip_fixed(r);
      dst[3 * x + 1] = clip_fixed(g);
      dst[3 * x + 2] = clip_fixed(b);
    }
  }
  return out;
}

// Vertical pass; `row_offset` is subtracted from the windows' first rows (the horizontal pass kept only the rows
// from row_offset on).
RgbImage resample_vertical(const RgbImage& in, int out_height, int row_offset, const ResampleWeights& weights) {
  RgbImage out;
  out.width = in.width;
  out.height = out_height;
  out.pixels.resize(static_cast<size_t>(in.width) * out_height * 3);
  const size_t stride = static_cast<size_t>(in.width) * 3;
  for (int y = 0; y < out_height; ++y) {
    const int32_t* k = weights.weights.data() + static_cast<size_t>(y) * weights.window;
    const uint8_t* src = in.pixels.data() + static_cast<size_t>(weights.first[y] - row_offset) * stride;
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * stride;
    for (size_t c = 0; c < stride; ++c) {
      int32_t sum = 1 << (kPrecisionBits - 1);
      for (int j = 0; j < weights.count[y]; ++j) sum += src[j * stride + c] * k[j];
      dst[c] = clip_fixed(sum);
    }
  }
  return out;
}

}  // namespace

RgbImage resize_bicubic(const RgbImage& image, int out_width, int out_height) {
  if (out_width <= 0 || out_height <= 0) {
    throw ImageError("resize to " + std::to_string(out_width) + "x" + std::to_string(out_height) +
                     ": sizes must be positive");
  }
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
    throw ImageError("resize: image buffer does not match its size");
  }
  if (out_width == image.width && out_height == image.height) return image;
  const bool need_horizontal = out_width != image.width;
  const bool need_vertical = out_height != image.height;
  const ResampleWeights vertical = compute_weights(image.height, out_height);
  // Source rows the vertical pass reads.
  const int row_first = vertical.first[0];
  const int row_last = vertical.first[out_height - 1] + vertical.count[out_height - 1];
  if (!need_horizontal) return resample_vertical(image, out_height, 0, vertical);
  const ResampleWeights horizontal = compute_weights(image.width, out_width);
  if (!need_vertical) return resample_horizontal(image, out_width, 0, image.height, horizontal);
  const RgbImage rows = resample_horizontal(image, out_width, row_first, row_last - row_first, horizontal);
  return resample_vertical(rows, out_height, row_first, vertical);
}

RgbImage expand_to_square(const RgbImage& image, const std::array<uint8_t, 3>& fill) {
  if (image.width == image.height) return image;
  const int side = std::max(image.width, image.height);
  if (static_cast<uint64_t>(side) * static_cast<uint64_t>(side) * 3 > (1ull << 30)) {
    throw ImageError("expand to square: " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                     " would need a " + std::to_string(side) + "x" + std::to_string(side) +
                     " canvas, more than the 1024 MiB limit per image");
  }
  RgbImage out;
  out.width = side;
  out.height = side;
  out.pixels.resize(static_cast<size_t>(side) * side * 3);
  for (size_t i = 0; i < out.pixels.size(); i += 3) {
    out.pixels[i] = fill[0];
    out.pixels[i + 1] = fill[1];
    out.pixels[i + 2] = fill[2];
  }
  // Centred paste: offset (side - other) // 2 along the short axis.
  const int x0 = (side - image.width) / 2;
  const int y0 = (side - image.height) / 2;
  for (int y = 0; y < image.height; ++y) {
    std::copy_n(image.pixels.data() + static_cast<size_t>(y) * image.width * 3, static_cast<size_t>(image.width) * 3,
                out.pixels.data() + (static_cast<size_t>(y + y0) * side + x0) * 3);
  }
  return out;
}

std::array<uint8_t, 3> ImageNormalization::square_fill() const {
  // Python: tuple(int(x * 255) for x in image_mean), truncation of a double product.
  std::array<uint8_t, 3> fill{};
  for (int c = 0; c < 3; ++c) {
    const double value = static_cast<double>(mean[c]) * 255.0;
    fill[c] = static_cast<uint8_t>(value < 0 ? 0 : value > 255 ? 255 : static_cast<int>(value));
  }
  return fill;
}

std::vector<float> normalize_to_chw(const RgbImage& image, const ImageNormalization& norm) {
  const size_t plane = static_cast<size_t>(image.width) * image.height;
  std::vector<float> out(plane * 3);
  for (int c = 0; c < 3; ++c) {
    float* dst = out.data() + c * plane;
    for (size_t i = 0; i < plane; ++i) {
      // ToTensor: uint8 -> float32 / 255; Normalize: (x - mean) / std, all float32.
      const float x = static_cast<float>(image.pixels[3 * i + c]) / 255.0f;
      dst[i] = (x - norm.mean[c]) / norm.std[c];
    }
  }
  return out;
}

std::vector<float> preprocess_image(const RgbImage& decoded, int image_size, bool square,
                                    const ImageNormalization& norm) {
  if (square) {
    return normalize_to_chw(resize_bicubic(expand_to_square(decoded, norm.square_fill()), image_size, image_size),
                            norm);
  }
  return normalize_to_chw(resize_bicubic(decoded, image_size, image_size), norm);
}

}  // namespace infeval

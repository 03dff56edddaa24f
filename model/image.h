// Image loading and preprocessing identical to PIL 9.4 + InfMLLM's processors:
// decode (libjpeg-turbo / libpng) -> convert('RGB') (L, LA, P, RGBA with alpha dropped, CMYK, 16-bit PNG) ->
// optional expand-to-square (centered, offset (max-min)//2, fill = int(255*mean)) -> PIL's antialiased bicubic
// resize (a = -0.5, 8-bit fixed point, rounding after each pass) -> /255 -> (x-mean)/std, CHW float32.
// Plain C++ (no Torch). Corrupt or truncated input throws ImageError (per-sample, the run goes on).
#pragma once
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace infeval {

class ImageError : public std::runtime_error {
 public:
  explicit ImageError(const std::string& message) : std::runtime_error(message) {}
};

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // HxWx3, row-major
};

// `square`: the image will be expanded to max(w,h)^2 (expand_to_square), which counts in the size limit checked
// from the header. An image over the limits, or an allocation failure while decoding, is an ImageError.
RgbImage decode_image_file(const std::string& path, bool square = false);
RgbImage decode_image_bytes(const std::string& bytes, const std::string& name_for_errors, bool square = false);
// Throws ImageError (before allocating) when the max(w,h)^2 canvas would exceed the per-image memory limit.
RgbImage expand_to_square(const RgbImage& image, const std::array<uint8_t, 3>& fill);
RgbImage resize_bicubic(const RgbImage& image, int out_width, int out_height);  // PIL Image.resize(BICUBIC)

struct ImageNormalization {
  std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
  std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
  std::array<uint8_t, 3> square_fill() const;  // int(255 * mean) per channel: (122, 116, 104) for CLIP
};

// 3 x H x W float32, (x/255 - mean)/std computed as PIL+torchvision do (float32 arithmetic).
std::vector<float> normalize_to_chw(const RgbImage& image, const ImageNormalization& norm);

// The whole pipeline for one model input of size `image_size` x `image_size`.
std::vector<float> preprocess_image(const RgbImage& decoded, int image_size, bool square,
                                    const ImageNormalization& norm);

}  // namespace infeval

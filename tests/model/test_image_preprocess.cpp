// Image decoding and preprocessing against PIL 9.4's own output (tests/fixtures/preprocess, or the directory named
// by INFEVAL_PREPROCESS_FIXTURE): decoded pixels and bicubic resizes identical, normalized tensors within 1e-6.
// Corrupt and truncated files must raise ImageError, never crash.
#include <cstdio>

#include <jpeglib.h>
#include <png.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/image.h"
#include "model/safetensors.h"

namespace infeval {
namespace {

using ::testing::HasSubstr;

std::string preprocess_fixture_dir() {
  const char* dir = std::getenv("INFEVAL_PREPROCESS_FIXTURE");
  return dir != nullptr && dir[0] != '\0' ? std::string(dir) : std::string(INFEVAL_FIXTURES) + "/preprocess";
}

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read fixture file " + path + " (INFEVAL_PREPROCESS_FIXTURE?)");
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

nlohmann::json read_golden_json(const std::string& dir) {
  return nlohmann::json::parse(read_bytes(dir + "/golden.json"));
}

const TensorView& golden_tensor(const SafetensorsFile& golden, const std::string& key) {
  auto it = golden.tensors().find(key);
  if (it == golden.tensors().end()) throw std::runtime_error("golden tensor missing: " + key);
  return it->second;
}

// Number of differing bytes between an image and an HxWx3 uint8 golden tensor; reports the first difference.
void expect_same_pixels(const RgbImage& image, const TensorView& golden) {
  ASSERT_EQ(golden.dtype, ST_U8) << golden.name;
  ASSERT_EQ(golden.shape, (std::vector<int64_t>{image.height, image.width, 3})) << golden.name;
  ASSERT_EQ(golden.size_bytes, image.pixels.size());
  size_t differing = 0;
  int max_difference = 0;
  size_t first = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    int difference = std::abs(static_cast<int>(image.pixels[i]) - static_cast<int>(golden.data[i]));
    if (difference != 0 && differing++ == 0) first = i;
    max_difference = std::max(max_difference, difference);
  }
  EXPECT_EQ(differing, 0u) << golden.name << ": max difference " << max_difference << ", first at byte " << first
                           << " (y=" << first / 3 / image.width << ", x=" << first / 3 % image.width
                           << ", c=" << first % 3 << "): ours " << int(image.pixels[first]) << ", PIL "
                           << int(golden.data[first]);
}

void expect_close_floats(const std::vector<float>& values, const TensorView& golden, int size, double tolerance) {
  ASSERT_EQ(golden.dtype, ST_F32) << golden.name;
  ASSERT_EQ(golden.shape, (std::vector<int64_t>{3, size, size})) << golden.name;
  ASSERT_EQ(golden.size_bytes, values.size() * sizeof(float));
  std::vector<float> expected(values.size());
  std::memcpy(expected.data(), golden.data, golden.size_bytes);
  double max_error = 0;
  for (size_t i = 0; i < values.size(); ++i) max_error = std::max(max_error, std::fabs(double(values[i]) - expected[i]));
  EXPECT_LE(max_error, tolerance) << golden.name;
}

ImageNormalization normalization_from(const nlohmann::json& golden) {
  ImageNormalization norm;
  for (int c = 0; c < 3; ++c) {
    norm.mean[c] = golden.at("mean").at(c).get<float>();
    norm.std[c] = golden.at("std").at(c).get<float>();
  }
  return norm;
}

class PreprocessFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = preprocess_fixture_dir();
    golden_json_ = read_golden_json(dir_);
    golden_ = std::make_unique<SafetensorsFile>(dir_ + "/golden.safetensors");
    norm_ = normalization_from(golden_json_);
    ASSERT_FALSE(golden_json_.at("images").empty());
  }
  std::string dir_;
  nlohmann::json golden_json_;
  std::unique_ptr<SafetensorsFile> golden_;
  ImageNormalization norm_;
};

TEST_F(PreprocessFixture, DecodedPixelsMatchPil) {
  for (const auto& entry : golden_json_.at("images")) {
    const std::string file = entry.at("file").get<std::string>();
    SCOPED_TRACE(file + " (PIL mode " + entry.at("mode").get<std::string>() + ")");
    const RgbImage image = decode_image_file(dir_ + "/" + file);
    EXPECT_EQ(image.width, entry.at("width").get<int>());
    EXPECT_EQ(image.height, entry.at("height").get<int>());
    expect_same_pixels(image, golden_tensor(*golden_, file + "/decoded"));
  }
}

TEST_F(PreprocessFixture, BicubicResizeMatchesPilExactly) {
  for (const auto& entry : golden_json_.at("images")) {
    const std::string file = entry.at("file").get<std::string>();
    SCOPED_TRACE(file);
    const RgbImage image = decode_image_file(dir_ + "/" + file);
    for (int size : {84, 112, 224}) {
      const std::string key = file + "/resize" + std::to_string(size) + "/uint8";
      if (!golden_->tensors().count(key)) continue;
      expect_same_pixels(resize_bicubic(image, size, size), golden_tensor(*golden_, key));
    }
  }
}

TEST_F(PreprocessFixture, ExpandToSquareThenResizeMatchesPilExactly) {
  for (const auto& entry : golden_json_.at("images")) {
    const std::string file = entry.at("file").get<std::string>();
    SCOPED_TRACE(file);
    const RgbImage image = decode_image_file(dir_ + "/" + file);
    const RgbImage square = expand_to_square(image, norm_.square_fill());
    expect_same_pixels(resize_bicubic(square, 112, 112), golden_tensor(*golden_, file + "/square112/uint8"));
  }
}

TEST_F(PreprocessFixture, NormalizedTensorsWithinTolerance) {
  for (const auto& entry : golden_json_.at("images")) {
    const std::string file = entry.at("file").get<std::string>();
    SCOPED_TRACE(file);
    const RgbImage image = decode_image_file(dir_ + "/" + file);
    expect_close_floats(preprocess_image(image, 112, false, norm_), golden_tensor(*golden_, file + "/resize112/normalized"),
                        112, 1e-6);
    expect_close_floats(preprocess_image(image, 112, true, norm_), golden_tensor(*golden_, file + "/square112/normalized"),
                        112, 1e-6);
  }
}

TEST(ImagePreprocess, SquareFillIsTruncatedClipMeanTimes255) {
  // int(255 * mean) for the CLIP mean: 122.77, 116.74, 104.09 (README of the preprocess fixture).
  EXPECT_EQ(ImageNormalization().square_fill(), (std::array<uint8_t, 3>{122, 116, 104}));
}

TEST(ImagePreprocess, ExpandToSquarePastesCentered) {
  // 3 wide x 1 high -> 3x3, the row pasted at y = (3 - 1) // 2 = 1; a 1x2 image -> 2x2 at x = (2 - 1) // 2 = 0.
  RgbImage wide{3, 1, {1, 1, 1, 2, 2, 2, 3, 3, 3}};
  RgbImage square = expand_to_square(wide, {9, 8, 7});
  ASSERT_EQ(square.width, 3);
  ASSERT_EQ(square.height, 3);
  EXPECT_EQ(std::vector<uint8_t>(square.pixels.begin(), square.pixels.begin() + 9),
            (std::vector<uint8_t>{9, 8, 7, 9, 8, 7, 9, 8, 7}));
  EXPECT_EQ(std::vector<uint8_t>(square.pixels.begin() + 9, square.pixels.begin() + 18), wide.pixels);
  RgbImage tall{1, 2, {5, 5, 5, 6, 6, 6}};
  RgbImage square2 = expand_to_square(tall, {0, 0, 0});
  EXPECT_EQ(square2.pixels, (std::vector<uint8_t>{5, 5, 5, 0, 0, 0, 6, 6, 6, 0, 0, 0}));
}

TEST(ImagePreprocess, ResizeOfConstantImageStaysConstant) {
  // Normalized weights sum to 1, so any down- or upscale of a flat image is flat.
  RgbImage flat{37, 23, std::vector<uint8_t>(37 * 23 * 3, 0)};
  for (size_t i = 0; i < flat.pixels.size(); i += 3) {
    flat.pixels[i] = 200;
    flat.pixels[i + 1] = 17;
    flat.pixels[i + 2] = 255;
  }
  for (auto size : {std::make_pair(5, 9), std::make_pair(112, 112), std::make_pair(37, 60)}) {
    RgbImage out = resize_bicubic(flat, size.first, size.second);
    ASSERT_EQ(out.pixels.size(), size_t(size.first) * size.second * 3);
    for (size_t i = 0; i < out.pixels.size(); i += 3) {
      ASSERT_EQ(out.pixels[i], 200);
      ASSERT_EQ(out.pixels[i + 1], 17);
      ASSERT_EQ(out.pixels[i + 2], 255);
    }
  }
}

TEST(ImagePreprocess, NormalizeIsFloat32ToTensorThenNormalize) {
  RgbImage one{1, 1, {0, 128, 255}};
  ImageNormalization norm;
  std::vector<float> chw = normalize_to_chw(one, norm);
  ASSERT_EQ(chw.size(), 3u);
  EXPECT_EQ(chw[0], (0.0f / 255.0f - norm.mean[0]) / norm.std[0]);
  EXPECT_EQ(chw[1], (128.0f / 255.0f - norm.mean[1]) / norm.std[1]);
  EXPECT_EQ(chw[2], (255.0f / 255.0f - norm.mean[2]) / norm.std[2]);
  EXPECT_NEAR(chw[2], (1.0 - 0.40821073) / 0.27577711, 1e-6);
}

// ---- PNG colour types, written here with libpng (values hand-derived from PIL's conversion rules) ----

struct PngSpec {
  int width, height, color_type, bit_depth;
  std::vector<uint8_t> rows;  // packed as PNG stores them
  std::vector<png_color> palette;
  std::vector<uint8_t> trns;
};

void append_png_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

std::string write_png(const PngSpec& spec) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("write_png failed");
  }
  png_set_write_fn(png, &out, append_png_bytes, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, const_cast<png_color*>(spec.palette.data()), static_cast<int>(spec.palette.size()));
  }
  if (!spec.trns.empty()) {
    png_set_tRNS(png, info, const_cast<uint8_t*>(spec.trns.data()), static_cast<int>(spec.trns.size()), nullptr);
  }
  png_write_info(png, info);
  const size_t row_bytes = spec.rows.size() / spec.height;
  for (int y = 0; y < spec.height; ++y) png_write_row(png, const_cast<uint8_t*>(spec.rows.data()) + y * row_bytes);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST(ImageDecodePng, GrayAlphaDropsAlpha) {
  RgbImage image = decode_image_bytes(write_png({2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, {10, 0, 200, 128}, {}, {}}),
                                      "la.png");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{10, 10, 10, 200, 200, 200}));
}

TEST(ImageDecodePng, RgbaDropsAlphaWithoutCompositing) {
  RgbImage image = decode_image_bytes(
      write_png({2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, {1, 2, 3, 0, 250, 251, 252, 7}, {}, {}}), "rgba.png");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{1, 2, 3, 250, 251, 252}));
}

TEST(ImageDecodePng, PaletteWithTransparencyLooksUpColours) {
  // 4-bit indices 1, 0, 2 (packed 0x10, 0x20); tRNS ignored by convert('RGB').
  PngSpec spec{3, 1, PNG_COLOR_TYPE_PALETTE, 4, {0x10, 0x20}, {{9, 8, 7}, {100, 110, 120}, {1, 2, 3}}, {0, 255, 10}};
  RgbImage image = decode_image_bytes(write_png(spec), "p.png");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{100, 110, 120, 9, 8, 7, 1, 2, 3}));
}

TEST(ImageDecodePng, LowBitGrayIsScaledTo8Bits) {
  // 2-bit gray 0,1,2,3 -> 0, 85, 170, 255 (PIL's "L;2").
  RgbImage image = decode_image_bytes(write_png({4, 1, PNG_COLOR_TYPE_GRAY, 2, {0x1B}, {}, {}}), "l2.png");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255}));
}

TEST(ImageDecodePng, SixteenBitKeepsHighByteAndGrayClips) {
  // RGB 16-bit big-endian: PIL's "RGB;16B" keeps the high byte (0x12, 0xAB, 0xFF), no rounding.
  RgbImage rgb = decode_image_bytes(
      write_png({1, 1, PNG_COLOR_TYPE_RGB, 16, {0x12, 0xFF, 0xAB, 0x80, 0xFF, 0x00}, {}, {}}), "rgb16.png");
  EXPECT_EQ(rgb.pixels, (std::vector<uint8_t>{0x12, 0xAB, 0xFF}));
  // Gray 16-bit is PIL mode "I"; convert('RGB') clips: 200 -> 200, 0x0100 -> 255.
  RgbImage gray = decode_image_bytes(write_png({2, 1, PNG_COLOR_TYPE_GRAY, 16, {0x00, 200, 0x01, 0x00}, {}, {}}),
                                     "i16.png");
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{200, 200, 200, 255, 255, 255}));
}

// ---- CMYK JPEG, written here with libjpeg ----

// A flat w x h JPEG at quality 100 of 4-component pixels as stored (no Adobe inversion by libjpeg): flat 8x8
// blocks with all-1 quantization decode to exactly the stored values.
std::string write_flat_cmyk_jpeg(int width, int height, const uint8_t stored[4]) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr error;
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_colorspace(&cinfo, JCS_CMYK);
  jpeg_set_quality(&cinfo, 100, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<uint8_t> row(static_cast<size_t>(width) * 4);
  for (int x = 0; x < width; ++x) std::memcpy(&row[4 * x], stored, 4);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW pointer = row.data();
    jpeg_write_scanlines(&cinfo, &pointer, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string bytes(reinterpret_cast<const char*>(buffer), size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  return bytes;
}

TEST(ImageDecodeJpeg, CmykIsReadAsAdobeInvertedThenConvertedAsPil) {
  // Stored (200, 100, 255, 230) -> PIL's "CMYK;I" gives C=55, M=155, Y=0, K=25; cmyk2rgb with nk = 255 - K = 230:
  // R = 230 - round(55*230/255) = 230 - 50 = 180, G = 230 - round(155*230/255) = 230 - 140 = 90, B = 230 - 0 = 230.
  const uint8_t stored[4] = {200, 100, 255, 230};
  RgbImage image = decode_image_bytes(write_flat_cmyk_jpeg(16, 8, stored), "cmyk.jpg");
  ASSERT_EQ(image.width, 16);
  ASSERT_EQ(image.height, 8);
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    ASSERT_EQ(image.pixels[i], 180) << i;
    ASSERT_EQ(image.pixels[i + 1], 90) << i;
    ASSERT_EQ(image.pixels[i + 2], 230) << i;
  }
}

// ---- corrupt input ----

void expect_image_error(const std::string& bytes, const std::string& name) {
  try {
    decode_image_bytes(bytes, name);
    ADD_FAILURE() << name << ": expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(name));
  }
}

TEST(ImageDecodeErrors, TruncatedAndCorruptFilesRaiseImageError) {
  const std::string dir = preprocess_fixture_dir();
  const nlohmann::json golden = read_golden_json(dir);
  for (const auto& entry : golden.at("images")) {
    const std::string file = entry.at("file").get<std::string>();
    const std::string bytes = read_bytes(dir + "/" + file);
    ASSERT_GT(bytes.size(), 200u) << file;
    SCOPED_TRACE(file);
    expect_image_error(bytes.substr(0, bytes.size() / 2), file + " (first half)");
    expect_image_error(bytes.substr(0, 100), file + " (first 100 bytes)");
    // Magic intact, the rest scrambled.
    std::string scrambled = bytes.substr(0, 8);
    for (size_t i = 8; i < 4000; ++i) scrambled.push_back(static_cast<char>((i * 7919u) >> 3));
    expect_image_error(scrambled, file + " (scrambled)");
  }
  expect_image_error("", "empty.jpg");
  expect_image_error("GIF89a....", "anim.gif");
  expect_image_error("\xFF\xD8\xFF", "magic-only.jpg");
  expect_image_error(std::string("\x89PNG\r\n\x1A\n", 8), "magic-only.png");
}

TEST(ImageDecodeErrors, MissingFileRaisesImageErrorNamingIt) {
  try {
    decode_image_file("/nonexistent/dir/img.jpg");
    ADD_FAILURE() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/dir/img.jpg"));
  }
}

// ---- Hostile headers (issue 14): the size limits are checked from the header, before any pixel buffer ----

// A PNG chunk: length, type, data, CRC-32 of type + data.
std::string png_chunk(const std::string& type, const std::string& data) {
  std::string out;
  const uint32_t length = static_cast<uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xFF));
  const std::string body = type + data;
  out += body;
  uint32_t crc = 0xFFFFFFFFu;  // CRC-32 (polynomial 0xEDB88320, reflected), as the PNG specification's sample code
  for (const char ch : body) {
    crc ^= static_cast<uint8_t>(ch);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  crc ^= 0xFFFFFFFFu;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((crc >> shift) & 0xFF));
  return out;
}

std::string be32_bytes(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
                     static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}

// Signature + IHDR + an empty IDAT: the decoder must refuse before it wants any image data.
std::string png_header_only(uint32_t width, uint32_t height, int bit_depth, int color_type) {
  std::string ihdr = be32_bytes(width) + be32_bytes(height);
  ihdr += std::string{static_cast<char>(bit_depth), static_cast<char>(color_type), 0, 0, 0};
  // An empty IDAT ends png_read_info (the header read); its rows would come next.
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + png_chunk("IDAT", "");
}

// SOI, one DQT (all ones), SOFn for a 1-component (`components` 1) or 3-component image, SOS: a header only.
std::string jpeg_header_only(int sof_marker, int width, int height, int components) {
  std::string out("\xFF\xD8", 2);
  out += std::string("\xFF\xDB\x00\x43\x00", 5) + std::string(64, '\x01');
  const int sof_length = 8 + 3 * components;
  out += std::string{'\xFF', static_cast<char>(sof_marker), 0, static_cast<char>(sof_length), 8,
                     static_cast<char>(height >> 8), static_cast<char>(height & 0xFF),
                     static_cast<char>(width >> 8), static_cast<char>(width & 0xFF), static_cast<char>(components)};
  for (int c = 0; c < components; ++c) out += std::string{static_cast<char>(c + 1), 0x11, 0};
  const int sos_length = 6 + 2 * components;
  out += std::string{'\xFF', '\xDA', 0, static_cast<char>(sos_length), static_cast<char>(components)};
  for (int c = 0; c < components; ++c) out += std::string{static_cast<char>(c + 1), 0};
  out += std::string{0, 63, 0};
  return out;
}

std::string image_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ImageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected ImageError";
  return "";
}

TEST(ImageDecodeLimits, TallJpegHeaderRefusedBeforeTheSquareCanvas) {
  // 62984x7 is 440,888 pixels, but the chat protocol's square canvas is 62984^2 x 3 bytes = 11.9 GB.
  const std::string jpeg = jpeg_header_only(0xC0, 62984, 7, 1);
  const std::string message = image_error_of([&] { decode_image_bytes(jpeg, "tall.jpg", /*square=*/true); });
  EXPECT_THAT(message, HasSubstr("tall.jpg"));
  EXPECT_THAT(message, HasSubstr("62984x7 expanded to square"));
  EXPECT_THAT(message, HasSubstr("limit"));
}

TEST(ImageDecodeLimits, Rgba16PngHeaderRefusedBeforeItsRows) {
  // 16384x16384 RGBA16: 2^28 pixels (over PIL's 178,956,970 limit) and 8 bytes each (2 GiB of rows).
  const std::string png = png_header_only(16384, 16384, 16, PNG_COLOR_TYPE_RGB_ALPHA);
  const std::string message = image_error_of([&] { decode_image_bytes(png, "rgba16.png"); });
  EXPECT_THAT(message, HasSubstr("rgba16.png"));
  EXPECT_THAT(message, HasSubstr("16384x16384"));
  // 8192x16384 RGBA16 = 134,217,728 pixels (under the pixel limit) but 1 GiB of 8-byte rows + 384 MiB of RGB:
  // the bytes per pixel count.
  const std::string png2 = png_header_only(8192, 16384, 16, PNG_COLOR_TYPE_RGB_ALPHA);
  const std::string message2 = image_error_of([&] { decode_image_bytes(png2, "rgba16b.png"); });
  EXPECT_THAT(message2, HasSubstr("8192x16384: needs 1408 MiB"));
}

TEST(ImageDecodeLimits, WidePngDecodesButItsSquareIsRefused) {
  // A complete 1,000,000x1 grey PNG: fine as it is (3 MB of RGB), 3 TB as a square (std::bad_alloc before).
  PngSpec spec{1000000, 1, PNG_COLOR_TYPE_GRAY, 8, std::vector<uint8_t>(1000000, 7), {}, {}};
  const std::string png = write_png(spec);
  const RgbImage plain = decode_image_bytes(png, "wide.png");
  EXPECT_EQ(plain.width, 1000000);
  EXPECT_THAT(image_error_of([&] { decode_image_bytes(png, "wide.png", /*square=*/true); }),
              HasSubstr("1000000x1 expanded to square"));
  // And the pipeline step itself, given the decoded image, refuses the canvas with an ImageError.
  EXPECT_THAT(image_error_of([&] { preprocess_image(plain, 448, /*square=*/true, ImageNormalization{}); }),
              HasSubstr("1000000x1000000 canvas"));
}

TEST(ImageDecodeLimits, ProgressiveJpegBoundedByLibjpegMemoryLimit) {
  // 12000x12000 RGB progressive: under the pixel limit (144M) and the RGB budget (432 MB), but libjpeg would keep
  // every DCT coefficient: 144M x 3 components x 2 bytes = 864 MB, over its 512 MiB memory manager limit.
  const std::string jpeg = jpeg_header_only(0xC2, 12000, 12000, 3);
  const std::string message = image_error_of([&] { decode_image_bytes(jpeg, "progressive.jpg"); });
  EXPECT_THAT(message, HasSubstr("progressive.jpg"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("truncated")));
}

TEST(ImageDecodeLimits, ZeroSizedHeadersRefused) {
  EXPECT_THAT(image_error_of([&] { decode_image_bytes(png_header_only(0, 5, 8, PNG_COLOR_TYPE_GRAY), "z.png"); }),
              HasSubstr("z.png"));
}

}  // namespace
}  // namespace infeval

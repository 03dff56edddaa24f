// Decoding JPEG (libjpeg-turbo) and PNG (libpng) to RGB exactly as PIL 9.4's open() + convert('RGB') do:
// - JPEG: libjpeg's defaults as PIL leaves them (islow DCT, fancy upsampling); 1 component -> L, 3 -> RGB,
//   4 -> CMYK with Adobe's inverted convention (PIL assumes it for every 4-component JPEG), then cmyk2rgb.
//   A truncated stream is an error, as PIL's "image file is truncated"; other libjpeg warnings are ignored as PIL
//   ignores them.
// - PNG: gray 1/2/4 bits scaled to 8 (x255, x85, x17), 16-bit gray is PIL mode "I" (values clipped to 255 by
//   convert), other 16-bit modes keep the high byte, palette indices looked up (entries past the PLTE keep PIL's
//   grey ramp), alpha and tRNS dropped (not composited), no gamma.
// Every libjpeg/libpng error longjmps back here and becomes an ImageError.
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "model/image.h"

namespace infeval {
namespace {

// Bounds, checked from the header before any pixel buffer is allocated (issue 14):
// - at most PIL 9.4's DecompressionBombError threshold, 2 * MAX_IMAGE_PIXELS = 178,956,970 pixels (PIL refuses
//   these images too);
// - at most kMaxDecodeBytes for the buffers one image needs at once: the decoder's rows (bytes per pixel of the
//   file's format, e.g. 8 for RGBA16 PNG), the RGB image and, with expand-to-square, the max(w,h)^2 canvas;
// - libjpeg's own memory (progressive JPEGs keep every coefficient) limited by its memory manager.
constexpr uint64_t kMaxPixels = 178956970ull;
constexpr uint64_t kMaxDecodeBytes = 1ull << 30;
constexpr long kMaxJpegLibraryBytes = 512l << 20;

// Empty when within the bounds, else why not.
std::string size_problem(uint64_t width, uint64_t height, uint64_t decoder_bytes, bool square) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width == 0 || height == 0) return "unsupported image size " + size;
  if (width * height > kMaxPixels) {
    return "unsupported image size " + size + " (more than " + std::to_string(kMaxPixels) + " pixels)";
  }
  const uint64_t side = std::max(width, height);
  const uint64_t total = decoder_bytes + width * height * 3 + (square && width != height ? side * side * 3 : 0);
  if (total > kMaxDecodeBytes) {
    return "unsupported image size " + size + (square ? " expanded to square" : "") + ": needs " +
           std::to_string(total >> 20) + " MiB, more than the " + std::to_string(kMaxDecodeBytes >> 20) +
           " MiB limit per image";
  }
  return "";
}

void check_dimensions(uint64_t width, uint64_t height, const std::string& name) {
  const std::string problem = size_problem(width, height, 0, false);
  if (!problem.empty()) throw ImageError(name + ": " + problem);
}

// ---- JPEG ----

struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit_longjmp(j_common_ptr cinfo) {
  auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, manager->message);
  longjmp(manager->jump, 1);
}

// Warnings are silent, except premature end of data, which PIL reports as a truncated image.
void jpeg_emit_message_silent(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    std::snprintf(manager->message, sizeof(manager->message), "image file is truncated");
    longjmp(manager->jump, 1);
  }
}

uint8_t clip8(int value) { return static_cast<uint8_t>(value < 0 ? 0 : value > 255 ? 255 : value); }

// PIL's MULDIV255: a * b / 255 rounded, in integers.
int muldiv255(int a, int b) {
  int tmp = a * b + 128;
  return ((tmp >> 8) + tmp) >> 8;
}

// Decodes into `image`; returns false (with `error` filled) on a libjpeg error. No C++ object with a destructor
// lives in this frame between setjmp and longjmp: the buffers belong to the caller.
bool decode_jpeg_into(const std::string& bytes, bool square, RgbImage* image, std::vector<uint8_t>* scanline,
                      std::string* error) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager manager;
  cinfo.err = jpeg_std_error(&manager.pub);
  manager.pub.error_exit = jpeg_error_exit_longjmp;
  manager.pub.emit_message = jpeg_emit_message_silent;
  manager.message[0] = '\0';
  if (setjmp(manager.jump)) {
    jpeg_destroy_decompress(&cinfo);
    *error = manager.message;
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = kMaxJpegLibraryBytes;  // bounds progressive JPEGs' coefficient buffers
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  const int components = cinfo.num_components;
  if (components == 1) {
    cinfo.out_color_space = JCS_GRAYSCALE;
  } else if (components == 3) {
    cinfo.out_color_space = JCS_RGB;
  } else if (components == 4) {
    cinfo.out_color_space = JCS_CMYK;
  } else {
    std::snprintf(manager.message, sizeof(manager.message), "unsupported JPEG with %d components", components);
    longjmp(manager.jump, 1);
  }
  {
    const uint64_t width = cinfo.image_width, height = cinfo.image_height;
    const std::string problem = size_problem(width, height, width * 4, square);
    if (!problem.empty()) {
      std::snprintf(manager.message, sizeof(manager.message), "%s", problem.c_str());
      longjmp(manager.jump, 1);
    }
  }
  jpeg_start_decompress(&cinfo);
  const int width = static_cast<int>(cinfo.output_width);
  const int height = static_cast<int>(cinfo.output_height);
  const int channels = cinfo.output_components;
  // Allocation may throw std::bad_alloc; nothing else here throws C++ exceptions.
  image->width = width;
  image->height = height;
  image->pixels.assign(static_cast<size_t>(width) * height * 3, 0);
  scanline->assign(static_cast<size_t>(width) * channels, 0);
  uint8_t* out = image->pixels.data();
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = scanline->data();
    const int y = static_cast<int>(cinfo.output_scanline);
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      std::snprintf(manager.message, sizeof(manager.message), "image file is truncated");
      longjmp(manager.jump, 1);
    }
    const uint8_t* in = scanline->data();
    uint8_t* dst = out + static_cast<size_t>(y) * width * 3;
    for (int x = 0; x < width; ++x) {
      if (channels == 1) {
        dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = in[x];
      } else if (channels == 3) {
        dst[3 * x] = in[3 * x];
        dst[3 * x + 1] = in[3 * x + 1];
        dst[3 * x + 2] = in[3 * x + 2];
      } else {
        // "CMYK;I": PIL inverts the stored values, then cmyk2rgb.
        const int c = 255 - in[4 * x], m = 255 - in[4 * x + 1], ye = 255 - in[4 * x + 2], k = 255 - in[4 * x + 3];
        const int nk = 255 - k;
        dst[3 * x] = clip8(nk - muldiv255(c, nk));
        dst[3 * x + 1] = clip8(nk - muldiv255(m, nk));
        dst[3 * x + 2] = clip8(nk - muldiv255(ye, nk));
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

RgbImage decode_jpeg(const std::string& bytes, const std::string& name, bool square) {
  RgbImage image;
  std::vector<uint8_t> scanline;
  std::string error;
  if (!decode_jpeg_into(bytes, square, &image, &scanline, &error)) {
    throw ImageError(name + ": cannot decode JPEG: " + error);
  }
  return image;
}

// ---- PNG ----

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t offset;
};

void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) png_error(png, "image file is truncated");
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

struct PngErrorText {
  char message[256];
};

void png_error_longjmp(png_structp png, png_const_charp message) {
  auto* text = static_cast<PngErrorText*>(png_get_error_ptr(png));
  std::snprintf(text->message, sizeof(text->message), "%s", message);
  png_longjmp(png, 1);
}

void png_warning_silent(png_structp, png_const_charp) {}

// Decodes the raw rows (after libpng's unpacking) into `rows`; the conversion to RGB happens afterwards, outside
// the setjmp scope.
struct PngRaw {
  int width = 0;
  int height = 0;
  int color_type = 0;
  int bit_depth = 0;  // after transformations: 8 or 16
  size_t row_bytes = 0;
  std::vector<uint8_t> data;
  std::vector<uint8_t*> row_pointers;
  uint8_t palette[256 * 3];
  int palette_size = 0;
};

bool decode_png_raw(const std::string& bytes, bool square, PngRaw* raw, std::string* error) {
  PngErrorText text;
  text.message[0] = '\0';
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &text, png_error_longjmp, png_warning_silent);
  if (png == nullptr) {
    *error = "cannot create the PNG decoder";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    *error = "cannot create the PNG decoder";
    return false;
  }
  PngSource source{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0};
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    *error = text.message;
    return false;
  }
  png_set_read_fn(png, &source, png_read_from_memory);
  // PIL does not limit chunk sizes the way libpng's defaults do for ancillary chunks; keep libpng's defaults
  // but do not fail on a bad CRC in ancillary chunks (libpng warns and skips them, like PIL ignores them).
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, nullptr, nullptr);
  {
    // libpng's rows: channels x (8 or 16 bits); palette and low-bit grey unpack to one byte per pixel.
    const int channels = png_get_channels(png, info);
    const uint64_t bytes_per_pixel = static_cast<uint64_t>(channels) * (bit_depth == 16 ? 2 : 1);
    const std::string problem =
        size_problem(width, height, static_cast<uint64_t>(width) * height * bytes_per_pixel, square);
    if (!problem.empty()) {
      std::snprintf(text.message, sizeof(text.message), "%s", problem.c_str());
      png_longjmp(png, 1);
    }
  }
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_set_packing(png);  // 1/2/4-bit indices -> one byte each
    // PIL's palette starts as a grey ramp; PLTE overwrites its first entries.
    for (int i = 0; i < 256; ++i) raw->palette[3 * i] = raw->palette[3 * i + 1] = raw->palette[3 * i + 2] = i;
    png_colorp palette = nullptr;
    int count = 0;
    if (png_get_PLTE(png, info, &palette, &count) & PNG_INFO_PLTE) {
      for (int i = 0; i < count && i < 256; ++i) {
        raw->palette[3 * i] = palette[i].red;
        raw->palette[3 * i + 1] = palette[i].green;
        raw->palette[3 * i + 2] = palette[i].blue;
      }
      raw->palette_size = count;
    }
  } else if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(png);
  png_read_update_info(png, info);
  raw->width = static_cast<int>(width);
  raw->height = static_cast<int>(height);
  raw->color_type = color_type;
  raw->bit_depth = png_get_bit_depth(png, info);
  raw->row_bytes = png_get_rowbytes(png, info);
  raw->data.assign(raw->row_bytes * height, 0);
  raw->row_pointers.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) raw->row_pointers[y] = raw->data.data() + y * raw->row_bytes;
  png_read_image(png, raw->row_pointers.data());
  // Chunks after the image data are not read: PIL also tolerates a file cut after the last IDAT.
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

RgbImage decode_png(const std::string& bytes, const std::string& name, bool square) {
  PngRaw raw;
  std::string error;
  if (!decode_png_raw(bytes, square, &raw, &error)) throw ImageError(name + ": cannot decode PNG: " + error);
  check_dimensions(raw.width, raw.height, name);
  RgbImage image;
  image.width = raw.width;
  image.height = raw.height;
  image.pixels.resize(static_cast<size_t>(raw.width) * raw.height * 3);
  const bool wide = raw.bit_depth == 16;
  int channels = 0;
  switch (raw.color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    case PNG_COLOR_TYPE_PALETTE: channels = 1; break;
    default: throw ImageError(name + ": unsupported PNG color type " + std::to_string(raw.color_type));
  }
  const int sample_bytes = wide ? 2 : 1;
  for (int y = 0; y < raw.height; ++y) {
    const uint8_t* row = raw.row_pointers[y];
    uint8_t* dst = image.pixels.data() + static_cast<size_t>(y) * raw.width * 3;
    for (int x = 0; x < raw.width; ++x) {
      const uint8_t* px = row + static_cast<size_t>(x) * channels * sample_bytes;
      if (raw.color_type == PNG_COLOR_TYPE_PALETTE) {
        const uint8_t* entry = raw.palette + 3 * px[0];
        dst[3 * x] = entry[0];
        dst[3 * x + 1] = entry[1];
        dst[3 * x + 2] = entry[2];
      } else if (channels <= 2) {
        uint8_t value = px[0];
        // 16-bit grey is PIL mode "I"; convert('RGB') clips it to 255 (so most of it turns white).
        if (wide && raw.color_type == PNG_COLOR_TYPE_GRAY) value = clip8((px[0] << 8) | px[1]);
        dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = value;
      } else {
        // 16-bit samples are big-endian: PIL's ";16B" unpackers keep the high byte.
        dst[3 * x] = px[0];
        dst[3 * x + 1] = px[sample_bytes];
        dst[3 * x + 2] = px[2 * sample_bytes];
      }
    }
  }
  return image;
}

bool has_prefix(const std::string& bytes, const char* magic, size_t length) {
  return bytes.size() >= length && std::memcmp(bytes.data(), magic, length) == 0;
}

}  // namespace

RgbImage decode_image_bytes(const std::string& bytes, const std::string& name_for_errors, bool square) {
  try {
    if (has_prefix(bytes, "\xFF\xD8\xFF", 3)) return decode_jpeg(bytes, name_for_errors, square);
    if (has_prefix(bytes, "\x89PNG\r\n\x1A\n", 8)) return decode_png(bytes, name_for_errors, square);
  } catch (const std::bad_alloc&) {
    throw ImageError(name_for_errors + ": out of memory while decoding the image");
  }
  if (bytes.empty()) throw ImageError(name_for_errors + ": empty image file");
  throw ImageError(name_for_errors + ": not a JPEG or PNG image (only these formats are supported)");
}

RgbImage decode_image_file(const std::string& path, bool square) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ImageError(path + ": cannot open image file");
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) throw ImageError(path + ": cannot read image file");
  return decode_image_bytes(content.str(), path, square);
}

}  // namespace infeval

// RefCOCO helpers shared with tests: the original image size when the refs carry no width/height.
#pragma once
#include <string>
#include <utility>

namespace infeval {

// (width, height) from a JPEG (SOFn) or PNG (IHDR) header; InputError naming the file otherwise.
std::pair<int, int> read_image_size(const std::string& path);

}  // namespace infeval

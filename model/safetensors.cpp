// Safetensors layout: [u64 little-endian header size N][N bytes of JSON header][data section]. The header maps
// tensor names to {dtype, shape, data_offsets: [begin, end)} relative to the data section, plus an optional
// "__metadata__" object of string -> string.
#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_io.h"

namespace infeval {
namespace {

struct DtypeInfo {
  const char* name;
  SafetensorsDtype dtype;
  size_t size;
};

const DtypeInfo kDtypes[] = {
    {"F32", ST_F32, 4}, {"F16", ST_F16, 2}, {"BF16", ST_BF16, 2}, {"F64", ST_F64, 8}, {"I64", ST_I64, 8},
    {"I32", ST_I32, 4}, {"I8", ST_I8, 1},   {"U8", ST_U8, 1},     {"BOOL", ST_BOOL, 1},
};

// Largest header we accept (the format's own limit is 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

std::string known_dtype_names() {
  std::string names;
  for (const DtypeInfo& info : kDtypes) names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

bool parse_dtype(const std::string& name, SafetensorsDtype* dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (name == info.name) {
      *dtype = info.dtype;
      return true;
    }
  }
  return false;
}

uint64_t read_u64_le(const uint8_t* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// a * b, or false on overflow of uint64.
bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
  *out = a * b;
  return true;
}

uint64_t require_offset(const nlohmann::json& value, const std::string& where) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    throw InputError(where + ": data_offsets must be two non-negative integers");
  }
  return value.get<uint64_t>();
}

std::string directory_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ends_with_text(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

size_t safetensors_dtype_size(SafetensorsDtype dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return info.size;
  }
  return 0;
}

std::string safetensors_dtype_name(SafetensorsDtype dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return info.name;
  }
  return "unknown";
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw InputError(fmt::format("{}: cannot open safetensors file: {}", path, std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    throw InputError(fmt::format("{}: cannot stat safetensors file: {}", path, std::strerror(error)));
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < 8) {
    ::close(fd);
    throw InputError(fmt::format("{}: not a safetensors file: {} bytes, too short for the 8-byte header size "
                                 "(hint: file truncated?)",
                                 path, file_size));
  }
  void* mapping = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_error = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) {
    throw InputError(fmt::format("{}: cannot memory-map safetensors file: {}", path, std::strerror(map_error)));
  }
  mapping_ = mapping;
  mapping_size_ = file_size;
  try {
    const uint8_t* bytes = static_cast<const uint8_t*>(mapping_);
    const uint64_t header_size = read_u64_le(bytes);
    if (header_size > kMaxHeaderBytes || header_size > file_size - 8) {
      throw InputError(fmt::format("{}: bad safetensors header length {} (the file has {} bytes; hint: file "
                                   "truncated, or not a safetensors file?)",
                                   path, header_size, file_size));
    }
    const char* header_begin = reinterpret_cast<const char*>(bytes + 8);
    // parse_json_text: depth limit, and every nlohmann exception (1e400: out_of_range.406) an InputError.
    nlohmann::json header;
    try {
      header = parse_json_text(header_begin, header_begin + header_size, "header");
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: safetensors header is not valid JSON: {}", path, e.what()));
    }
    if (!header.is_object()) {
      throw InputError(fmt::format("{}: safetensors header must be a JSON object", path));
    }
    const uint64_t data_start = 8 + header_size;
    const uint64_t data_size = file_size - data_start;
    const uint8_t* data = bytes + data_start;

    // (begin, end, name) of each tensor, for the overlap check.
    std::vector<std::pair<std::pair<uint64_t, uint64_t>, std::string>> ranges;
    uint64_t data_end_max = 0;
    for (auto it = header.begin(); it != header.end(); ++it) {
      const std::string& name = it.key();
      if (name == "__metadata__") {
        if (!it->is_object()) throw InputError(fmt::format("{}: __metadata__ must be an object", path));
        for (auto m = it->begin(); m != it->end(); ++m) {
          if (!m->is_string()) {
            throw InputError(fmt::format("{}: __metadata__ value '{}' must be a string", path, m.key()));
          }
          metadata_[m.key()] = m->get<std::string>();
        }
        continue;
      }
      const std::string where = fmt::format("{}: tensor '{}'", path, name);
      const nlohmann::json& entry = *it;
      if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
          !entry.contains("data_offsets")) {
        throw InputError(where + ": entry must be an object with dtype, shape and data_offsets");
      }
      TensorView view;
      view.name = name;
      view.file = path;
      if (!entry["dtype"].is_string() || !parse_dtype(entry["dtype"].get<std::string>(), &view.dtype)) {
        throw InputError(fmt::format("{}: unknown dtype {} (known: {})", where, entry["dtype"].dump(),
                                     known_dtype_names()));
      }
      const nlohmann::json& shape = entry["shape"];
      if (!shape.is_array()) throw InputError(where + ": shape must be a list of non-negative integers");
      uint64_t elements = 1;
      for (const nlohmann::json& dim : shape) {
        if (!dim.is_number_integer() || dim.get<int64_t>() < 0) {
          throw InputError(where + ": shape must be a list of non-negative integers, got " + shape.dump());
        }
        view.shape.push_back(dim.get<int64_t>());
        if (!checked_mul(elements, dim.get<uint64_t>(), &elements)) {
          throw InputError(where + ": shape " + shape.dump() + " overflows");
        }
      }
      uint64_t expected_bytes = 0;
      if (!checked_mul(elements, safetensors_dtype_size(view.dtype), &expected_bytes)) {
        throw InputError(where + ": shape " + shape.dump() + " overflows");
      }
      const nlohmann::json& offsets = entry["data_offsets"];
      if (!offsets.is_array() || offsets.size() != 2) {
        throw InputError(where + ": data_offsets must be [begin, end]");
      }
      const uint64_t begin = require_offset(offsets[0], where);
      const uint64_t end = require_offset(offsets[1], where);
      if (end < begin) {
        throw InputError(fmt::format("{}: data_offsets [{}, {}] end before begin", where, begin, end));
      }
      if (end > data_size) {
        throw InputError(fmt::format("{}: data_offsets [{}, {}] outside the data section of {} bytes (hint: file "
                                     "truncated? expected {} bytes, the file has {})",
                                     where, begin, end, data_size, data_start + end, file_size));
      }
      if (end - begin != expected_bytes) {
        throw InputError(fmt::format("{}: {} bytes for dtype {} and shape {} (= {} bytes) (hint: header shape or "
                                     "offsets are wrong)",
                                     where, end - begin, safetensors_dtype_name(view.dtype), shape.dump(),
                                     expected_bytes));
      }
      view.data = data + begin;
      view.size_bytes = static_cast<size_t>(expected_bytes);
      ranges.push_back({{begin, end}, name});
      data_end_max = std::max(data_end_max, end);
      tensors_.emplace(name, std::move(view));
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i) {
      // Empty tensors occupy no bytes and cannot overlap anything.
      if (ranges[i].first.first == ranges[i].first.second) continue;
      for (size_t j = i; j-- > 0;) {
        if (ranges[j].first.first == ranges[j].first.second) continue;
        if (ranges[j].first.second > ranges[i].first.first) {
          throw InputError(fmt::format("{}: tensors '{}' [{}, {}) and '{}' [{}, {}) overlap (hint: corrupt header)",
                                       path, ranges[j].second, ranges[j].first.first, ranges[j].first.second,
                                       ranges[i].second, ranges[i].first.first, ranges[i].first.second));
        }
        break;
      }
    }
  } catch (...) {
    ::munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string& path) {
  std::unique_ptr<Checkpoint> checkpoint(new Checkpoint());
  std::string single_file;
  std::string index_path;
  if (is_directory(path)) {
    const std::string index = path + "/model.safetensors.index.json";
    const std::string single = path + "/model.safetensors";
    if (file_exists(index)) {
      index_path = index;
    } else if (file_exists(single)) {
      single_file = single;
    } else {
      throw InputError(fmt::format("{}: no model.safetensors or model.safetensors.index.json in this directory "
                                   "(hint: pass the checkpoint directory or a .safetensors file)",
                                   path));
    }
  } else if (ends_with_text(path, ".index.json")) {
    index_path = path;
  } else if (file_exists(path)) {
    single_file = path;
  } else {
    throw InputError(fmt::format("{}: checkpoint not found (hint: pass the checkpoint directory or a "
                                 ".safetensors file)",
                                 path));
  }

  if (!single_file.empty()) {
    checkpoint->files_.push_back(std::make_unique<SafetensorsFile>(single_file));
    checkpoint->tensors_ = checkpoint->files_.back()->tensors();
    return checkpoint;
  }

  const json index = read_json_file(index_path);
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    throw InputError(index_path + ": expected an object with a \"weight_map\" of tensor name -> shard file");
  }
  const std::string directory = directory_of(index_path);
  std::map<std::string, size_t> shard_of_file;  // shard file name -> index into files_
  for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
    if (!it->is_string()) {
      throw InputError(fmt::format("{}: weight_map entry '{}' must be a file name", index_path, it.key()));
    }
    const std::string shard = it->get<std::string>();
    if (shard_of_file.count(shard)) continue;
    const std::string shard_path = directory + "/" + shard;
    if (!file_exists(shard_path)) {
      throw InputError(fmt::format("{}: shard '{}' listed in the weight_map (for tensor '{}') does not exist: {} "
                                   "(hint: incomplete download?)",
                                   index_path, shard, it.key(), shard_path));
    }
    checkpoint->files_.push_back(std::make_unique<SafetensorsFile>(shard_path));
    shard_of_file[shard] = checkpoint->files_.size() - 1;
  }
  for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
    const SafetensorsFile& file = *checkpoint->files_[shard_of_file.at(it->get<std::string>())];
    auto found = file.tensors().find(it.key());
    if (found == file.tensors().end()) {
      throw InputError(fmt::format("{}: tensor '{}' is listed in {} but absent from that shard (hint: the index "
                                   "and the shards do not match)",
                                   file.path(), it.key(), index_path));
    }
    checkpoint->tensors_.emplace(it.key(), found->second);
  }
  return checkpoint;
}

std::vector<std::string> Checkpoint::files() const {
  std::vector<std::string> paths;
  for (const auto& file : files_) paths.push_back(file->path());
  return paths;
}

}  // namespace infeval

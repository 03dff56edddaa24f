// Reading safetensors checkpoints: one file or sharded (model.safetensors.index.json), memory-mapped, every header
// validated (offsets inside the file, byte sizes matching dtype x shape, no overlaps). Plain C++: tensors are
// exposed as raw views; model code converts them to torch tensors (model/weights.h).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace infeval {

enum SafetensorsDtype { ST_F32, ST_F16, ST_BF16, ST_F64, ST_I64, ST_I32, ST_I8, ST_U8, ST_BOOL };

struct TensorView {
  std::string name;
  SafetensorsDtype dtype = ST_F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // points into the mapped file; valid while the SafetensorsFile lives
  size_t size_bytes = 0;
  std::string file;               // the file it came from, for error messages
};

// One memory-mapped .safetensors file. Throws InputError naming the file on any inconsistency.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// A checkpoint directory or file: model.safetensors, or model.safetensors.index.json + shards, or a single
// *.safetensors path. Tensor names are as stored (prefix handling lives in model/weights.*).
class Checkpoint {
 public:
  static std::unique_ptr<Checkpoint> open(const std::string& path);
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  std::vector<std::string> files() const;  // the weight files, for the model digest

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, TensorView> tensors_;
};

size_t safetensors_dtype_size(SafetensorsDtype dtype);
std::string safetensors_dtype_name(SafetensorsDtype dtype);

}  // namespace infeval

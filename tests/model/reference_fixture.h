// Shared helpers of the model tests: the reference fixture (INFEVAL_REFERENCE_FIXTURE=DIR, default the bundled
// tests/fixtures/tiny-infmllm), its golden tensors and golden.json, and one loaded fp32 CPU model per process.
#pragma once
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/json_io.h"
#include "model/infmllm_model.h"
#include "model/model_config.h"
#include "model/safetensors.h"

namespace infeval {
namespace testing_fixture {

inline std::string reference_fixture_dir() {
  const char* env = std::getenv("INFEVAL_REFERENCE_FIXTURE");
  if (env != nullptr && *env != '\0') return env;
  return std::string(INFEVAL_FIXTURES) + "/tiny-infmllm";
}

inline const json& golden_json() {
  static const json golden = read_json_file(reference_fixture_dir() + "/golden.json");
  return golden;
}

inline const SafetensorsFile& golden_file() {
  static const SafetensorsFile file(reference_fixture_dir() + "/golden.safetensors");
  return file;
}

// A stored tensor as an fp32 CPU tensor (copied: the mapping may be unaligned).
inline at::Tensor view_to_tensor(const TensorView& view) {
  at::ScalarType dtype = at::kFloat;
  if (view.dtype == ST_BF16) dtype = at::kBFloat16;
  if (view.dtype == ST_F16) dtype = at::kHalf;
  at::Tensor t = torch::empty(view.shape, torch::TensorOptions().dtype(dtype));
  std::memcpy(t.data_ptr(), view.data, view.size_bytes);
  return t.to(at::kFloat);
}

inline at::Tensor golden_tensor(const std::string& name) {
  const auto& tensors = golden_file().tensors();
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error("golden.safetensors has no tensor " + name);
  return view_to_tensor(it->second);
}

// A minimal safetensors writer for the tests (F32 / I64 tensors).
inline void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  json header = json::object();
  std::string data;
  for (const auto& [name, tensor] : tensors) {
    const at::Tensor t = tensor.contiguous();
    const std::string dtype = t.scalar_type() == at::kLong ? "I64" : "F32";
    const size_t begin = data.size();
    data.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
    header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text += ' ';
  const uint64_t length = text.size();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&length), 8);
  out << text << data;
}

// A copy of the fixture checkpoint in `dir` (config, tokenizer, weights) with every element of the weight `broken`
// set to NaN: a model whose logits are NaN whatever the input.
inline std::string nan_weight_fixture_copy(const std::string& dir, const std::string& broken) {
  std::filesystem::create_directories(dir);
  for (const std::string file : {"config.json", "tokenizer.model"}) {
    std::filesystem::copy_file(reference_fixture_dir() + "/" + file, dir + "/" + file,
                               std::filesystem::copy_options::overwrite_existing);
  }
  const SafetensorsFile weights(reference_fixture_dir() + "/model.safetensors");
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  bool found = false;
  for (const auto& [name, view] : weights.tensors()) {
    at::Tensor t = view_to_tensor(view);
    if (name == broken) {
      t.fill_(std::numeric_limits<float>::quiet_NaN());
      found = true;
    }
    tensors.emplace_back(name, t);
  }
  if (!found) throw std::runtime_error("the fixture has no weight " + broken);
  write_safetensors(dir + "/model.safetensors", tensors);
  return dir;
}

inline const ModelConfig& fixture_config() {
  static const ModelConfig config = load_model_config(reference_fixture_dir());
  return config;
}

inline const InfMllmModel& fixture_model() {
  static const std::unique_ptr<InfMllmModel> model = std::make_unique<InfMllmModel>(fixture_config(), LoadOptions{});
  return *model;
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace testing_fixture
}  // namespace infeval

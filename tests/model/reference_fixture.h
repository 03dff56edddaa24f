// Shared helpers of the model tests: the reference fixture (INFEVAL_REFERENCE_FIXTURE=DIR, default the bundled
// tests/fixtures/tiny-infmllm), its golden tensors and golden.json, and one loaded fp32 CPU model per process.
#pragma once
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

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

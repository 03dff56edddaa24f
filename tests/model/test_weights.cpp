// Checkpoint loading through the name table: missing / unexpected / mis-shaped tensors are errors naming the tensor,
// "module." prefixes are stripped, peft LoRA factors are merged (checked against a hand-computed merge), bf16-stored
// tensors are converted; model configs resolve by name, by directory, and with checkpoint overrides.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "model/weights.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

using namespace testing_fixture;

// A tensor to write: raw bytes in dtype "F32" or "BF16".
struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

RawTensor raw_f32(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kFloat).contiguous();
  return RawTensor{"F32", c.sizes().vec(), std::string(static_cast<const char*>(c.data_ptr()), c.nbytes())};
}

// Writes a safetensors file (8-byte little-endian header size, JSON header, data).
void write_safetensors(const std::string& path, const std::map<std::string, RawTensor>& tensors) {
  json header = json::object();
  std::string data;
  for (const auto& entry : tensors) {
    header[entry.first] = {{"dtype", entry.second.dtype},
                           {"shape", entry.second.shape},
                           {"data_offsets", {data.size(), data.size() + entry.second.bytes.size()}}};
    data += entry.second.bytes;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text += ' ';
  std::ofstream out(path, std::ios::binary);
  const uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << text << data;
}

// The fixture's weights as raw tensors, by stored name.
std::map<std::string, RawTensor> fixture_tensors() {
  std::unique_ptr<Checkpoint> ckpt = Checkpoint::open(reference_fixture_dir() + "/model.safetensors");
  std::map<std::string, RawTensor> out;
  for (const auto& entry : ckpt->tensors()) out[entry.first] = raw_f32(view_to_tensor(entry.second));
  return out;
}

class WeightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/infeval_weights_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::remove((dir_ + "/model.safetensors").c_str());
    std::remove((dir_ + "/adapter_config.json").c_str());
    std::remove((dir_ + "/config.json").c_str());
    std::remove((dir_ + "/model.json").c_str());
    ::rmdir(dir_.c_str());
  }
  // Writes `tensors` and loads them with the fixture's config pointed at dir_; returns the error message or "".
  std::string load_error(const std::map<std::string, RawTensor>& tensors, ModelWeights* weights = nullptr) {
    write_safetensors(dir_ + "/model.safetensors", tensors);
    ModelConfig config = fixture_config();
    config.checkpoint = dir_;
    try {
      std::unique_ptr<Checkpoint> ckpt = Checkpoint::open(dir_);
      ModelWeights w = load_model_weights(*ckpt, config, LoadOptions{});
      if (weights) *weights = w;
      return "";
    } catch (const InputError& e) {
      return e.what();
    }
  }
  std::string dir_;
};

TEST_F(WeightsTest, FixtureLoadsAndBuildsQkvBias) {
  ModelWeights w;
  ASSERT_EQ(load_error(fixture_tensors(), &w), "");
  const at::Tensor& bias = w.vit.blocks[0].qkv_bias;
  const int64_t W = fixture_config().vision.width;
  ASSERT_EQ(bias.size(0), 3 * W);
  EXPECT_TRUE(torch::equal(bias.narrow(0, 0, W), w.vit.blocks[0].q_bias));
  EXPECT_EQ(bias.narrow(0, W, W).abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(bias.narrow(0, 2 * W, W), w.vit.blocks[0].v_bias));
}

TEST_F(WeightsTest, MissingTensorIsNamed) {
  auto tensors = fixture_tensors();
  tensors.erase("lm_model.model.norm.weight");
  const std::string error = load_error(tensors);
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  EXPECT_NE(error.find("lm_model.model.norm.weight"), std::string::npos) << error;
  EXPECT_NE(error.find("hint"), std::string::npos) << error;
}

TEST_F(WeightsTest, UnexpectedTensorIsNamed) {
  auto tensors = fixture_tensors();
  tensors["visual_encoder.blocks.0.attn.relative_position_bias_table"] = raw_f32(torch::zeros({4}));
  const std::string error = load_error(tensors);
  EXPECT_NE(error.find("unexpected"), std::string::npos) << error;
  EXPECT_NE(error.find("relative_position_bias_table"), std::string::npos) << error;
}

TEST_F(WeightsTest, MisshapedTensorIsNamedWithBothShapes) {
  // Shapes from the fixture's config (INFEVAL_REFERENCE_FIXTURE may name another one): pos_embed is
  // [1, 1 + (image_size / patch_size)^2, width]; store one with a token too few.
  const ModelConfig& config = fixture_config();
  const int64_t grid = config.grid_size();
  const int64_t tokens = 1 + grid * grid, width = config.vision.width;
  auto tensors = fixture_tensors();
  tensors["visual_encoder.pos_embed"] = raw_f32(torch::zeros({1, tokens - 1, width}));
  const std::string error = load_error(tensors);
  EXPECT_NE(error.find(fmt::format("visual_encoder.pos_embed is [1, {}, {}], expected [1, {}, {}]", tokens - 1, width,
                                   tokens, width)),
            std::string::npos)
      << error;
}

TEST_F(WeightsTest, ModulePrefixIsStripped) {
  std::map<std::string, RawTensor> prefixed;
  for (auto& entry : fixture_tensors()) prefixed["module." + entry.first] = entry.second;
  ModelWeights w;
  ASSERT_EQ(load_error(prefixed, &w), "");
  EXPECT_TRUE(torch::equal(w.llama.norm, view_to_tensor(Checkpoint::open(reference_fixture_dir())
                                                            ->tensors().at("lm_model.model.norm.weight"))));
}

TEST_F(WeightsTest, Bf16StoredTensorsAreConverted) {
  auto tensors = fixture_tensors();
  // Store ln_vision.weight as bf16 (top 16 bits of each float): loading must give exactly those bf16 values.
  RawTensor& t = tensors["ln_vision.weight"];
  const size_t n = t.bytes.size() / 4;
  std::string bf16(n * 2, '\0');
  std::vector<float> expected(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, t.bytes.data() + 4 * i, 4);
    const uint16_t high = static_cast<uint16_t>(bits >> 16);
    std::memcpy(&bf16[2 * i], &high, 2);
    const uint32_t back = static_cast<uint32_t>(high) << 16;
    std::memcpy(&expected[i], &back, 4);
  }
  t = RawTensor{"BF16", t.shape, bf16};
  ModelWeights w;
  ASSERT_EQ(load_error(tensors, &w), "");
  ASSERT_EQ(w.ln_vision_weight.scalar_type(), at::kFloat);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(w.ln_vision_weight[i].item<float>(), expected[i]) << i;
}

// peft layout on layer 0's q_proj and v_proj, r = 4, alpha = 8: merged W' = W + (8/4) B A, computed here by hand.
TEST_F(WeightsTest, LoraOnQvIsMergedAtLoad) {
  auto tensors = fixture_tensors();
  const int r = 4;
  const double alpha = 8.0;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.1f);
  std::map<std::string, std::vector<double>> expected;
  for (const std::string proj : {"q_proj", "v_proj"}) {
    const std::string base = "lm_model.model.layers.0.self_attn." + proj;
    const std::string peft = "lm_model.base_model.model.model.layers.0.self_attn." + proj;
    RawTensor w = tensors.at(base + ".weight");
    tensors.erase(base + ".weight");
    const int64_t out = w.shape[0], in = w.shape[1];
    std::vector<float> a(r * in), b(out * r);
    for (float& x : a) x = normal(rng);
    for (float& x : b) x = normal(rng);
    const float* wd = reinterpret_cast<const float*>(w.bytes.data());
    std::vector<double> merged(out * in);
    for (int64_t o = 0; o < out; ++o) {
      for (int64_t i = 0; i < in; ++i) {
        double ba = 0.0;
        for (int k = 0; k < r; ++k) ba += static_cast<double>(b[o * r + k]) * a[k * in + i];
        merged[o * in + i] = wd[o * in + i] + alpha / r * ba;
      }
    }
    expected[proj] = merged;
    tensors[peft + ".base_layer.weight"] = w;
    tensors[peft + ".lora_A.default.weight"] =
        RawTensor{"F32", {r, in}, std::string(reinterpret_cast<const char*>(a.data()), a.size() * 4)};
    tensors[peft + ".lora_B.default.weight"] =
        RawTensor{"F32", {out, r}, std::string(reinterpret_cast<const char*>(b.data()), b.size() * 4)};
  }
  // Without r / alpha the load must refuse, naming adapter_config.json.
  EXPECT_NE(load_error(tensors).find("adapter_config.json"), std::string::npos);
  std::ofstream(dir_ + "/adapter_config.json") << R"({"r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"]})";
  ModelWeights w;
  ASSERT_EQ(load_error(tensors, &w), "");
  for (const std::string proj : {"q_proj", "v_proj"}) {
    const at::Tensor got = (proj == "q_proj" ? w.llama.layers[0].q_proj : w.llama.layers[0].v_proj).to(at::kDouble);
    const at::Tensor want = torch::tensor(expected[proj], torch::kDouble).view(got.sizes());
    EXPECT_LE((got - want).abs().max().item<double>(), 1e-5) << proj;
  }
}

TEST(ModelConfigTest, NamedConfigsHaveTheRealSizes) {
  const ModelConfig base = load_model_config("infmllm-7b");
  EXPECT_EQ(base.protocol, "multitask");
  EXPECT_EQ(base.vision.depth, 39);
  EXPECT_EQ(base.vision.width, 1408);
  EXPECT_EQ(base.vision.heads, 16);
  EXPECT_EQ(base.vision.head_dim(), 88);
  EXPECT_EQ(base.vision.mlp_dim, 6144);
  EXPECT_EQ(base.image_size, 448);
  EXPECT_EQ(base.pool_out_size, 16);
  EXPECT_EQ(base.num_visual_tokens(), 256);
  EXPECT_DOUBLE_EQ(base.vision.layer_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(base.ln_vision_eps, 1e-5);
  EXPECT_EQ(base.lm.hidden_size, 4096);
  EXPECT_EQ(base.lm.intermediate_size, 11008);
  EXPECT_EQ(base.lm.num_layers, 32);
  EXPECT_EQ(base.lm.num_heads, 32);
  EXPECT_EQ(base.lm.vocab_size, 32000);
  EXPECT_EQ(load_model_config("infmllm-7b-chat").protocol, "chat");
}

TEST(ModelConfigTest, TinyConfigTakesSizesFromTheFixture) {
  const ModelConfig tiny = load_model_config("tiny-infmllm");
  EXPECT_EQ(tiny.image_size, 112);
  EXPECT_EQ(tiny.pool_out_size, 4);
  EXPECT_EQ(tiny.vision.width, 176);
  EXPECT_EQ(tiny.vision.depth, 2);
  EXPECT_EQ(tiny.lm.hidden_size, 256);
  EXPECT_EQ(tiny.lm.intermediate_size, 688);
  EXPECT_EQ(tiny.lm.vocab_size, 1000);
  EXPECT_NE(tiny.tokenizer.find("tiny-infmllm/tokenizer.model"), std::string::npos);
}

TEST_F(WeightsTest, CheckpointConfigOverridesImageAndPoolSize) {
  std::ofstream(dir_ + "/config.json") << R"({"image_size": 224, "pool_out_size": 8})";
  std::ofstream(dir_ + "/model.json") << R"({"name": "x", "protocol": "chat", "checkpoint": ")" << dir_
                                      << R"(", "image_size": 448, "pool_out_size": 16})";
  const ModelConfig config = load_model_config(dir_ + "/model.json");
  EXPECT_EQ(config.image_size, 224);
  EXPECT_EQ(config.pool_out_size, 8);
  EXPECT_EQ(config.protocol, "chat");
  EXPECT_EQ(config.vision.depth, 39);  // not in either file: the InfMLLM-7B default
  std::ofstream(dir_ + "/config.json") << R"({"image_size": 224, "pool_out_size": 5})";  // 16x16 grid, 5: no
  EXPECT_THROW(load_model_config(dir_ + "/model.json"), InputError);
  EXPECT_THROW(load_model_config("no-such-model"), InputError);
}

}  // namespace
}  // namespace infeval

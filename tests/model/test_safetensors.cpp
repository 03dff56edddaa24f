// Safetensors reading: the reference checkpoint loads, and every kind of damaged checkpoint (written here into a
// temporary directory) is an InputError naming the file and the tensor.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/model_config.h"
#include "model/safetensors.h"
#include "tests/support/input_error.h"

namespace infeval {
namespace {

using ::testing::HasSubstr;

std::string reference_fixture_dir() {
  const char* dir = std::getenv("INFEVAL_REFERENCE_FIXTURE");
  return dir != nullptr && dir[0] != '\0' ? std::string(dir) : std::string(INFEVAL_FIXTURES) + "/tiny-infmllm";
}

std::string header_size_bytes(uint64_t size) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((size >> (8 * i)) & 0xFF);
  return bytes;
}

// [u64 header length][header][data].
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return header_size_bytes(header.size()) + header + data;
}

std::string float_bytes(const std::vector<float>& values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(&bytes[0], values.data(), bytes.size());
  return bytes;
}

class SafetensorsTemp : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "infeval_safetensors_XXXXXX";
    ASSERT_NE(::mkdtemp(&pattern[0]), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& path : written_) ::unlink(path.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    written_.push_back(path);
    return path;
  }
  // Opens `path` as a checkpoint and returns the InputError message ("" if it opened).
  static std::string open_error(const std::string& path) {
    try {
      Checkpoint::open(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  // A valid file: "a" F32 [2,3] at [0,24), "b" BF16 [4] at [24,32).
  static std::string valid_header() {
    return R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
           R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}})";
  }
  static std::string valid_data() { return float_bytes({1, 2, 3, 4, 5, 6}) + std::string(8, '\x3f'); }

  std::string dir_;
  std::vector<std::string> written_;
};

TEST(Safetensors, ReferenceCheckpointLoadsWithExpectedShapes) {
  const std::string dir = reference_fixture_dir();
  auto checkpoint = Checkpoint::open(dir);
  ASSERT_EQ(checkpoint->files().size(), 1u);
  EXPECT_EQ(checkpoint->files()[0], dir + "/model.safetensors");
  std::ifstream config_file(dir + "/config.json");
  const nlohmann::json config = nlohmann::json::parse(config_file);
  const int64_t vocab = config.at("lm").at("vocab_size").get<int64_t>();
  const int64_t hidden = config.at("lm").at("hidden_size").get<int64_t>();
  const auto& tensors = checkpoint->tensors();
  ASSERT_TRUE(tensors.count("lm_model.lm_head.weight"));
  EXPECT_EQ(tensors.at("lm_model.lm_head.weight").shape, (std::vector<int64_t>{vocab, hidden}));
  EXPECT_EQ(tensors.at("lm_model.lm_head.weight").dtype, ST_F32);
  ASSERT_TRUE(tensors.count("lm_model.model.embed_tokens.weight"));
  EXPECT_EQ(tensors.at("lm_model.model.embed_tokens.weight").size_bytes, size_t(vocab * hidden * 4));
  size_t total = 0;
  for (const auto& entry : tensors) total += entry.second.size_bytes;
  EXPECT_GT(total, 0u);
}

TEST_F(SafetensorsTemp, ValidFileExposesDataMetadataAndDtypes) {
  const std::string path = write("ok.safetensors", safetensors_bytes(valid_header(), valid_data()));
  SafetensorsFile file(path);
  ASSERT_EQ(file.tensors().size(), 2u);
  const TensorView& a = file.tensors().at("a");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.size_bytes, 24u);
  EXPECT_EQ(a.file, path);
  float values[6];
  std::memcpy(values, a.data, sizeof(values));
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[5], 6.0f);
  EXPECT_EQ(file.tensors().at("b").dtype, ST_BF16);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(safetensors_dtype_size(ST_BF16), 2u);
  EXPECT_EQ(safetensors_dtype_name(ST_F16), "F16");
  // A directory holding model.safetensors opens the same file.
  write("model.safetensors", safetensors_bytes(valid_header(), valid_data()));
  EXPECT_EQ(Checkpoint::open(dir_)->tensors().size(), 2u);
}

TEST_F(SafetensorsTemp, TruncatedFileNamesFileTensorAndSizes) {
  const std::string full = safetensors_bytes(valid_header(), valid_data());
  const std::string path = write("cut.safetensors", full.substr(0, full.size() - 5));
  const std::string message = open_error(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("'b'"));
  EXPECT_THAT(message, HasSubstr("truncated"));
  EXPECT_THAT(message, HasSubstr("expected " + std::to_string(full.size()) + " bytes"));
  EXPECT_THAT(message, HasSubstr("the file has " + std::to_string(full.size() - 5)));
}

TEST_F(SafetensorsTemp, OffsetsOutOfRangeAreRejected) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}})";
  const std::string path = write("range.safetensors", safetensors_bytes(header, std::string(8, '\0')));
  const std::string message = open_error(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("'a'"));
  EXPECT_THAT(message, HasSubstr("outside the data section"));

  const std::string reversed = R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})";
  const std::string path2 = write("reversed.safetensors", safetensors_bytes(reversed, std::string(8, '\0')));
  EXPECT_THAT(open_error(path2), HasSubstr("end before begin"));
}

TEST_F(SafetensorsTemp, ShapeAndSizeMismatchIsRejected) {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})";
  const std::string path = write("shape.safetensors", safetensors_bytes(header, std::string(20, '\0')));
  const std::string message = open_error(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("'w'"));
  EXPECT_THAT(message, HasSubstr("20 bytes"));
  EXPECT_THAT(message, HasSubstr("24 bytes"));
}

TEST_F(SafetensorsTemp, BadHeaderLengthIsRejected) {
  const std::string data = valid_header() + valid_data();
  const std::string huge = write("huge.safetensors", header_size_bytes(1ull << 40) + data);
  EXPECT_THAT(open_error(huge), HasSubstr("bad safetensors header length"));
  EXPECT_THAT(open_error(huge), HasSubstr(huge));
  const std::string beyond = write("beyond.safetensors", header_size_bytes(data.size() + 1) + data);
  EXPECT_THAT(open_error(beyond), HasSubstr("bad safetensors header length"));
  const std::string tiny = write("tiny.safetensors", "abc");
  EXPECT_THAT(open_error(tiny), HasSubstr(tiny));
  const std::string not_json = write("notjson.safetensors", safetensors_bytes("{not json", ""));
  EXPECT_THAT(open_error(not_json), HasSubstr("not valid JSON"));
}

TEST_F(SafetensorsTemp, HostileHeaderJsonIsAnInputErrorNamingTheFile) {
  // Issue 14: 1e400 (nlohmann out_of_range.406) escaped as a non-InputError; 100,000 levels of nesting are refused
  // before parsing.
  const std::string big =
      write("big.safetensors", safetensors_bytes(R"({"x":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}})",
                                                 std::string(4, '\0')));
  EXPECT_THAT(open_error(big), HasSubstr(big + ": safetensors header is not valid JSON"));
  const std::string deep = write("deep.safetensors", safetensors_bytes(std::string(100000, '[') +
                                                                           std::string(100000, ']'), ""));
  EXPECT_THAT(open_error(deep), HasSubstr(deep + ": safetensors header is not valid JSON"));
  EXPECT_THAT(open_error(deep), HasSubstr("nested deeper than 64 levels"));
}

TEST_F(SafetensorsTemp, OverlappingTensorsAreRejected) {
  const std::string header = R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                             R"("y":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  const std::string path = write("overlap.safetensors", safetensors_bytes(header, std::string(16, '\0')));
  const std::string message = open_error(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("'x'"));
  EXPECT_THAT(message, HasSubstr("'y'"));
  EXPECT_THAT(message, HasSubstr("overlap"));
}

TEST_F(SafetensorsTemp, UnknownDtypeIsRejected) {
  const std::string header = R"({"q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})";
  const std::string path = write("dtype.safetensors", safetensors_bytes(header, std::string(4, '\0')));
  const std::string message = open_error(path);
  EXPECT_THAT(message, HasSubstr("'q'"));
  EXPECT_THAT(message, HasSubstr("unknown dtype"));
}

TEST_F(SafetensorsTemp, ShardedCheckpointJoinsShards) {
  write("model-00001-of-00002.safetensors",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", float_bytes({7})));
  write("model-00002-of-00002.safetensors",
        safetensors_bytes(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", float_bytes({8})));
  write("model.safetensors.index.json",
        R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
  auto checkpoint = Checkpoint::open(dir_);
  EXPECT_EQ(checkpoint->files().size(), 2u);
  ASSERT_EQ(checkpoint->tensors().size(), 2u);
  float b = 0;
  std::memcpy(&b, checkpoint->tensors().at("b").data, 4);
  EXPECT_EQ(b, 8.0f);
  EXPECT_THAT(checkpoint->tensors().at("b").file, HasSubstr("model-00002-of-00002.safetensors"));
}

TEST_F(SafetensorsTemp, MissingShardIsRejected) {
  write("model-00001-of-00002.safetensors",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", float_bytes({7})));
  write("model.safetensors.index.json",
        R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
  const std::string message = open_error(dir_);
  EXPECT_THAT(message, HasSubstr("model-00002-of-00002.safetensors"));
  EXPECT_THAT(message, HasSubstr("'b'"));
  EXPECT_THAT(message, HasSubstr("does not exist"));
}

TEST_F(SafetensorsTemp, TensorListedButAbsentFromItsShardIsRejected) {
  write("shard.safetensors",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", float_bytes({7})));
  write("model.safetensors.index.json", R"({"weight_map":{"a":"shard.safetensors","ghost":"shard.safetensors"}})");
  const std::string message = open_error(dir_);
  EXPECT_THAT(message, HasSubstr("shard.safetensors"));
  EXPECT_THAT(message, HasSubstr("'ghost'"));
}

TEST_F(SafetensorsTemp, EmptyDirectoryAndMissingPathAreRejected) {
  EXPECT_THAT(open_error(dir_), HasSubstr("no model.safetensors"));
  EXPECT_THAT(open_error(dir_ + "/nothing.safetensors"), HasSubstr("nothing.safetensors"));
}

TEST(ModelConfigNumbers, HugeIntegersAreRangeCheckedIntoTheirFields) {
  // Issue 14: get<int>() of 1e300 (image_size) or 3e9 (vocab_size) was undefined behaviour / a silent wrap.
  const auto error_of = [](const char* text) {
    return test::input_error_message([&] { parse_model_config(nlohmann::json::parse(text), "m.json"); });
  };
  const std::string huge = error_of(R"({"protocol": "chat", "image_size": 1e300})");
  EXPECT_THAT(huge, HasSubstr("m.json: field 'image_size' must be an integer in"));
  EXPECT_THAT(huge, HasSubstr("got 1e+300"));
  EXPECT_THAT(error_of(R"({"protocol": "chat", "lm": {"vocab_size": 3000000000}})"),
              HasSubstr("m.json: lm: field 'vocab_size' must be an integer in"));
  EXPECT_THAT(error_of(R"({"protocol": "chat", "image_mean": [0.5, "x", 0.5]})"),
              HasSubstr("m.json: field 'image_mean' must be a list of 3 finite numbers"));
}

}  // namespace
}  // namespace infeval

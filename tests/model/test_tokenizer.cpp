// The SentencePiece tokenizer against the reference's own token ids and decoded texts (golden.json of
// tests/fixtures/tiny-infmllm, or of the directory named by INFEVAL_REFERENCE_FIXTURE).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/tokenizer.h"

namespace infeval {
namespace {

using ::testing::HasSubstr;

std::string reference_fixture_dir() {
  const char* dir = std::getenv("INFEVAL_REFERENCE_FIXTURE");
  return dir != nullptr && dir[0] != '\0' ? std::string(dir) : std::string(INFEVAL_FIXTURES) + "/tiny-infmllm";
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read fixture file " + path + " (INFEVAL_REFERENCE_FIXTURE?)");
  std::ostringstream content;
  content << file.rdbuf();
  return nlohmann::json::parse(content.str());
}

std::vector<int> ids_of(const nlohmann::json& list) { return list.get<std::vector<int>>(); }

class TokenizerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = reference_fixture_dir();
    golden_ = read_json(dir_ + "/golden.json");
    tokenizer_ = std::make_unique<Tokenizer>(dir_ + "/tokenizer.model");
  }
  std::string dir_;
  nlohmann::json golden_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(TokenizerFixture, SpecialIdsMatchTheModelConfig) {
  const nlohmann::json config = read_json(dir_ + "/config.json");
  EXPECT_EQ(tokenizer_->bos_id(), config.at("lm").at("bos_token_id").get<int>());
  EXPECT_EQ(tokenizer_->eos_id(), config.at("lm").at("eos_token_id").get<int>());
  EXPECT_EQ(tokenizer_->pad_id(), config.at("lm").at("pad_token_id").get<int>());
  EXPECT_EQ(tokenizer_->vocab_size(), config.at("lm").at("vocab_size").get<int>());
}

TEST_F(TokenizerFixture, MultitaskPromptPartsMatchGoldenIds) {
  const std::string marker = "<ImageHere>";
  int checked = 0;
  for (const char* name : {"vqa", "grounding"}) {
    const nlohmann::json& c = golden_.at("cases").at(name);
    for (size_t i = 0; i < c.at("prompts").size(); ++i) {
      const std::string prompt = c.at("prompts").at(i).get<std::string>();
      SCOPED_TRACE(prompt);
      const size_t at = prompt.find(marker);
      ASSERT_NE(at, std::string::npos);
      EXPECT_EQ(tokenizer_->encode(prompt.substr(0, at)), ids_of(c.at("token_ids").at(i).at("before")));
      EXPECT_EQ(tokenizer_->encode(prompt.substr(at + marker.size())), ids_of(c.at("token_ids").at(i).at("after")));
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_F(TokenizerFixture, ChatPromptChunksMatchGoldenIds) {
  const std::string marker = "<image>";
  for (const auto& c : golden_.at("cases").at("chat")) {
    const std::string prompt = c.at("prompt").get<std::string>();
    SCOPED_TRACE(prompt);
    const size_t at = prompt.find(marker);
    ASSERT_NE(at, std::string::npos);
    // tokenizer_image_token: [bos] + sp(chunk0), then sp(chunk1) with its bos dropped.
    std::vector<int> before{tokenizer_->bos_id()};
    for (int id : tokenizer_->encode(prompt.substr(0, at))) before.push_back(id);
    EXPECT_EQ(before, ids_of(c.at("ids_before_image")));
    EXPECT_EQ(tokenizer_->encode(prompt.substr(at + marker.size())), ids_of(c.at("ids_after_image")));
  }
}

TEST_F(TokenizerFixture, DecodingGoldenSequencesGivesGoldenTexts) {
  int checked = 0;
  for (const char* name : {"vqa", "grounding"}) {
    for (const auto& mode : golden_.at("cases").at(name).at("generate").items()) {
      const nlohmann::json& result = mode.value();
      for (size_t i = 0; i < result.at("sequences").size(); ++i) {
        SCOPED_TRACE(std::string(name) + "/" + mode.key() + " #" + std::to_string(i));
        EXPECT_EQ(tokenizer_->decode(ids_of(result.at("sequences").at(i))), result.at("texts").at(i).get<std::string>());
        ++checked;
      }
    }
  }
  for (const auto& c : golden_.at("cases").at("chat")) {
    EXPECT_EQ(tokenizer_->decode(ids_of(c.at("sequence"))), c.at("text").get<std::string>());
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(TokenizerFixture, DecodeSkipsSpecialIdsAndStrips) {
  // " hello" -> leading "▁" piece(s); bos/eos/pad around it are dropped and the text is stripped.
  std::vector<int> ids = tokenizer_->encode("hello world");
  std::vector<int> wrapped{tokenizer_->bos_id()};
  wrapped.insert(wrapped.end(), ids.begin(), ids.end());
  wrapped.push_back(tokenizer_->eos_id());
  wrapped.push_back(tokenizer_->pad_id());
  wrapped.push_back(tokenizer_->pad_id());
  EXPECT_EQ(tokenizer_->decode(wrapped), "hello world");
  EXPECT_EQ(tokenizer_->decode(tokenizer_->encode("  spaced out \n")), "spaced out");
  EXPECT_EQ(tokenizer_->decode({}), "");
}

TEST_F(TokenizerFixture, ByteFallbackRoundTripsUtf8) {
  // Non-ASCII characters that a 1000-piece vocabulary lacks are encoded as <0xNN> byte pieces (ids 3..258) and
  // decoded back into the same UTF-8.
  const std::string text = "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80";  // "café ✓ 😀"
  std::vector<int> ids = tokenizer_->encode(text);
  bool has_byte_piece = false;
  for (int id : ids) has_byte_piece = has_byte_piece || (id >= 3 && id <= 258);
  EXPECT_TRUE(has_byte_piece);
  EXPECT_EQ(tokenizer_->decode(ids), text);
}

TEST(Tokenizer, MissingModelFileIsInputErrorNamingIt) {
  try {
    Tokenizer tokenizer("/nonexistent/tokenizer.model");
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/tokenizer.model"));
  }
}

}  // namespace
}  // namespace infeval

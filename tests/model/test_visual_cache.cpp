// The visual-token cache (LRU within a byte budget) and the image identity keys it is indexed by.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/sha256.h"
#include "model/image_pipeline.h"
#include "model/visual_cache.h"

namespace infeval {
namespace {

at::Tensor filled(float value) { return torch::full({4, 4}, value, torch::kFloat); }  // 64 bytes

TEST(VisualTokenCache, EvictsTheLeastRecentlyUsedBeyondTheBudget) {
  VisualTokenCache cache(128);  // two 64-byte entries
  cache.insert("a", filled(1));
  cache.insert("b", filled(2));
  EXPECT_EQ(cache.find("a")[0][0].item<float>(), 1.0f);  // a is now the most recently used
  cache.insert("c", filled(3));                           // evicts b
  EXPECT_TRUE(cache.contains("a"));
  EXPECT_FALSE(cache.contains("b"));
  EXPECT_TRUE(cache.contains("c"));
  EXPECT_FALSE(cache.find("b").defined());
  const nlohmann::json stats = cache.stats();
  EXPECT_EQ(stats["hits"], 1);
  EXPECT_EQ(stats["misses"], 1);
  EXPECT_EQ(stats["evictions"], 1);
  EXPECT_EQ(stats["entries"], 2);
  EXPECT_EQ(stats["bytes"], 128);
}

TEST(VisualTokenCache, StoresACopyAndSkipsWhatCannotFit) {
  VisualTokenCache cache(100);
  at::Tensor batch = torch::zeros({2, 4, 4});
  cache.insert("row0", batch[0]);
  batch.fill_(7.0f);  // the caller reuses its batch tensor
  EXPECT_EQ(cache.find("row0").sum().item<float>(), 0.0f);
  cache.insert("big", torch::zeros({8, 8}));  // 256 bytes > budget: not kept, nothing evicted
  EXPECT_FALSE(cache.contains("big"));
  EXPECT_TRUE(cache.contains("row0"));
  VisualTokenCache off(0);
  off.insert("x", filled(1));
  EXPECT_FALSE(off.contains("x"));
}

TEST(ImagePipeline, KeysFollowContentPathAndSquarePadding) {
  Request inline_image;
  inline_image.image_bytes = "abc";
  EXPECT_EQ(ImagePipeline::image_key(inline_image), "bytes:" + sha256_hex("abc"));
  inline_image.expand_to_square = true;
  EXPECT_EQ(ImagePipeline::image_key(inline_image), "bytes:" + sha256_hex("abc") + ":square");
  EXPECT_EQ(ImagePipeline::image_key(Request{}), "");

  const std::string path = "/tmp/infeval_image_key_test.jpg";
  std::ofstream(path, std::ios::binary) << "1234";
  Request file_image;
  file_image.image_path = path;
  const std::string before = ImagePipeline::image_key(file_image);
  EXPECT_EQ(before.rfind("file:" + path + ":4:", 0), 0u) << before;  // path, then the size in bytes
  std::ofstream(path, std::ios::binary) << "123456";                  // rewritten: another image
  EXPECT_NE(ImagePipeline::image_key(file_image), before);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace infeval

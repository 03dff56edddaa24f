// The native backend end to end on the bundled tiny model: real image files -> answers, per-sample errors that do
// not stop the batch, batch-size invariance, provenance (digest, precision, device) and stage times.
#include <cstdio>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/remove_tree.h"
#include "core/sha256.h"
#include "model/native_backend.h"
#include "reference_fixture.h"

namespace infeval {
namespace {

using namespace testing_fixture;

std::string image(const std::string& name) { return std::string(INFEVAL_FIXTURES) + "/preprocess/" + name; }

Backend& tiny_backend() {
  static std::unique_ptr<Backend> backend = [] {
    NativeBackendOptions options;
    options.model = reference_fixture_dir();
    return make_native_backend(options);
  }();
  return *backend;
}

Request vqa_request(const std::string& id, const std::string& path, const std::string& question, int beams) {
  Request r;
  r.task = "test_vqa";
  r.sample_id = id;
  r.image_path = path;
  r.prompt = "<image><ImageHere>Question:" + question + " Short answer:";
  r.protocol = "multitask";
  r.generation.num_beams = beams;
  r.generation.max_new_tokens = 8;
  r.generation.length_penalty = 0.0;
  return r;
}

TEST(NativeBackend, InfoReportsModelDigestPrecisionDevice) {
  const BackendInfo info = tiny_backend().info();
  EXPECT_EQ(info.name, "native");
  EXPECT_EQ(info.precision, "fp32");
  EXPECT_EQ(info.device, "cpu");
  EXPECT_EQ(info.protocol, "multitask");
  EXPECT_EQ(info.model_digest, sha256_file_hex(reference_fixture_dir() + "/model.safetensors"));
  EXPECT_EQ(info.extra["config"]["image_size"], fixture_config().image_size);
}

TEST(NativeBackend, AnswersAreIndependentOfBatchingAndGrouping) {
  const std::vector<Request> batch = {
      vqa_request("a", image("photo.jpg"), "what color is the bus", 1),
      vqa_request("b", image("rgba.png"), "is it raining", 5),
      vqa_request("c", image("gray.jpg"), "how many people are standing near the old red clock tower", 1),
      vqa_request("d", image("palette.png"), "what is this", 5),
  };
  const std::vector<Response> together = tiny_backend().generate(batch);
  ASSERT_EQ(together.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(together[i].error, "") << i;
    const std::vector<Response> alone = tiny_backend().generate({batch[i]});
    EXPECT_EQ(alone[0].text, together[i].text) << "sample " << batch[i].sample_id;
  }
}

TEST(NativeBackend, CorruptImageFailsOnlyThatSample) {
  const std::string corrupt = "/tmp/infeval_native_corrupt.jpg";
  {
    std::ifstream in(image("photo.jpg"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(corrupt, std::ios::binary) << bytes.substr(0, bytes.size() / 3);  // truncated
  }
  Request no_marker = vqa_request("m", image("photo.jpg"), "x", 1);
  no_marker.prompt = "Question: no image marker";
  Request inline_garbage = vqa_request("g", "", "what", 1);
  inline_garbage.image_bytes = "not an image";
  const std::vector<Request> batch = {vqa_request("ok", image("photo.jpg"), "what color is the bus", 1),
                                      vqa_request("bad", corrupt, "what color is the bus", 1),
                                      vqa_request("missing", "/nonexistent/image.jpg", "what", 1), no_marker,
                                      inline_garbage};
  const std::vector<Response> out = tiny_backend().generate(batch);
  std::remove(corrupt.c_str());
  ASSERT_EQ(out.size(), batch.size());
  EXPECT_EQ(out[0].error, "");
  EXPECT_EQ(out[0].text, tiny_backend().generate({batch[0]})[0].text);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_NE(out[i].error, "") << batch[i].sample_id;
}

TEST(NativeBackend, ChatRequestsWithAndWithoutImage) {
  Request with_image;
  with_image.task = "chat";
  with_image.sample_id = "1";
  with_image.image_path = image("portrait.jpg");
  with_image.expand_to_square = true;
  with_image.prompt = "<image>\nwhat color is the bus?\nAnswer the question using a single word or phrase.";
  with_image.protocol = "chat";
  with_image.generation.max_new_tokens = 6;
  Request text_only = with_image;
  text_only.sample_id = "2";
  text_only.image_path.clear();
  text_only.prompt = "Which letter comes first?\nAnswer with the option's letter from the given choices directly.";
  const std::vector<Response> out = tiny_backend().generate({with_image, text_only});
  EXPECT_EQ(out[0].error, "");
  EXPECT_EQ(out[1].error, "");
  EXPECT_EQ(tiny_backend().generate({text_only})[0].text, out[1].text);
}

TEST(NativeBackend, StatsHaveStageTimes) {
  NativeBackendOptions options;
  options.model = reference_fixture_dir();
  const std::unique_ptr<Backend> backend = make_native_backend(options);
  backend->generate({vqa_request("s", image("photo.jpg"), "what", 1)});
  const json stats = backend->stats();
  for (const char* stage : {"preprocess", "preprocess_wait", "vit", "adapter", "prefill", "decode"}) {
    ASSERT_TRUE(stats["stage_seconds"].contains(stage)) << stage;
    EXPECT_GT(stats["stage_seconds"][stage].get<double>(), 0.0) << stage;
  }
  EXPECT_EQ(stats["vit_images"], 1);
  EXPECT_EQ(stats["preprocess"]["images"], 1);
}

std::unique_ptr<Backend> backend_with(int feature_cache_mb, int preprocess_threads) {
  NativeBackendOptions options;
  options.model = reference_fixture_dir();
  options.feature_cache_mb = feature_cache_mb;
  options.preprocess_threads = preprocess_threads;
  return make_native_backend(options);
}

std::vector<std::string> texts(const std::vector<Response>& responses) {
  std::vector<std::string> out;
  for (const Response& r : responses) {
    EXPECT_EQ(r.error, "");
    out.push_back(r.text);
  }
  return out;
}

// Two batches over two images (photo.jpg three times, rgba.png twice). With the cache each image goes through the
// ViT once: 2 ViT images, batch 2 all hits (2), batch 1 two misses (a repeat inside a batch is not a lookup).
// Without it: each batch runs its distinct images, 2 + 2. Answers are identical to one request at a time.
TEST(NativeBackend, FeatureCacheRunsEachImageThroughTheVitOnce) {
  const std::vector<Request> first = {vqa_request("a", image("photo.jpg"), "what color is the bus", 1),
                                      vqa_request("b", image("photo.jpg"), "is it raining", 5),
                                      vqa_request("c", image("rgba.png"), "what is this", 1)};
  const std::vector<Request> second = {vqa_request("d", image("photo.jpg"), "how many people", 5),
                                       vqa_request("e", image("rgba.png"), "where is it", 1)};
  const auto cached = backend_with(64, 2);
  const std::vector<std::string> cached_1 = texts(cached->generate(first)), cached_2 = texts(cached->generate(second));
  const json stats = cached->stats();
  EXPECT_EQ(stats["vit_images"], 2);
  EXPECT_EQ(stats["feature_cache"]["hits"], 2);
  EXPECT_EQ(stats["feature_cache"]["misses"], 2);
  EXPECT_EQ(stats["feature_cache"]["entries"], 2);
  EXPECT_EQ(stats["preprocess"]["images"], 2);

  const auto uncached = backend_with(0, 0);
  EXPECT_EQ(texts(uncached->generate(first)), cached_1);
  EXPECT_EQ(texts(uncached->generate(second)), cached_2);
  EXPECT_EQ(uncached->stats()["vit_images"], 4);
  EXPECT_EQ(uncached->stats()["feature_cache"]["entries"], 0);
  // One request at a time through a fresh backend gives the same answers.
  std::vector<std::string> alone_1, alone_2;
  for (const Request& r : first) alone_1.push_back(backend_with(0, 0)->generate({r})[0].text);
  for (const Request& r : second) alone_2.push_back(backend_with(0, 0)->generate({r})[0].text);
  EXPECT_EQ(cached_1, alone_1);
  EXPECT_EQ(cached_2, alone_2);
}

// The runner announces the next batch: its images are decoded on the workers once, even when two requests share
// one, and an image whose tokens are already cached is not decoded again.
TEST(NativeBackend, PrefetchDecodesEachUpcomingImageOnce) {
  const std::vector<Request> batch = {vqa_request("a", image("gray.jpg"), "what color is the bus", 1),
                                      vqa_request("b", image("gray.jpg"), "is it raining", 1),
                                      vqa_request("c", image("palette.png"), "what is this", 1)};
  const auto backend = backend_with(64, 2);
  backend->prefetch(batch);
  const std::vector<std::string> answers = texts(backend->generate(batch));
  EXPECT_EQ(backend->stats()["preprocess"]["images"], 2);
  backend->prefetch({vqa_request("d", image("gray.jpg"), "and now", 1)});  // cached: nothing to decode
  backend->generate({vqa_request("d", image("gray.jpg"), "and now", 1)});
  EXPECT_EQ(backend->stats()["preprocess"]["images"], 2);
  EXPECT_EQ(backend->stats()["preprocess"]["discarded"], 0);
  EXPECT_EQ(texts(backend_with(0, 0)->generate(batch)), answers);
}

// A corrupt image fails every request that needs it, and only those, also when it was prefetched.
TEST(NativeBackend, PrefetchedCorruptImageFailsItsRequestsOnly) {
  const std::string corrupt = "/tmp/infeval_native_prefetch_corrupt.png";
  std::ofstream(corrupt, std::ios::binary) << "\x89PNG\r\n\x1a\n truncated";
  const std::vector<Request> batch = {vqa_request("bad1", corrupt, "what", 1),
                                      vqa_request("ok", image("photo.jpg"), "what", 1),
                                      vqa_request("bad2", corrupt, "why", 1)};
  const auto backend = backend_with(64, 2);
  backend->prefetch(batch);
  const std::vector<Response> out = backend->generate(batch);
  std::remove(corrupt.c_str());
  EXPECT_NE(out[0].error.find(corrupt), std::string::npos) << out[0].error;
  EXPECT_EQ(out[1].error, "");
  EXPECT_EQ(out[2].error, out[0].error);
}

// schedule(): shorter prompts first inside a window, one generation setting after the other (first appearance).
TEST(NativeBackend, ScheduleBucketsByPromptTokensPerGenerationSetting) {
  const std::vector<Request> pending = {
      vqa_request("long", image("photo.jpg"), "how many people are standing near the old red clock tower today", 1),
      vqa_request("beam", image("photo.jpg"), "what", 5),
      vqa_request("short", image("photo.jpg"), "what", 1),
      vqa_request("mid", image("photo.jpg"), "what color is the bus", 1)};
  EXPECT_EQ(tiny_backend().schedule(pending, 8), (std::vector<size_t>{2, 3, 0, 1}));
  // Windows of 16 batches of 1: here one window holds 16 requests, so a window of batch size 1 still sorts all 4.
  EXPECT_EQ(tiny_backend().schedule(pending, 1), (std::vector<size_t>{2, 3, 0, 1}));
}

TEST(NativeBackend, UnknownModelIsAnInputError) {
  NativeBackendOptions options;
  options.model = "no-such-model";
  EXPECT_THROW(make_native_backend(options), InputError);
}

// Issue 12 point 6: a device name at::Device cannot parse exited 3 (an internal c10::Error) from `run` while
// `bench` said exit 2 with a hint; both now read --device through model/device.h.
TEST(NativeBackend, UnparsableDeviceIsAnInputErrorNamingTheFlag) {
  for (const std::string device : {"tpu", "cuda:x"}) {
    NativeBackendOptions options;
    options.model = reference_fixture_dir();
    options.device = device;
    try {
      const std::unique_ptr<Backend> backend = make_native_backend(options);
      backend->info();
      ADD_FAILURE() << device << ": accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--device '" + device + "' is not a device name"), std::string::npos)
          << e.what();
    }
  }
}

// A checkpoint with NaN weights (here the final RMSNorm) has NaN logits: every sample fails with an error that says
// so, instead of answering "" (which POPE would read as "yes").
TEST(NativeBackend, NanWeightsFailEverySampleWithAClearError) {
  NativeBackendOptions options;
  options.model = nan_weight_fixture_copy(std::string(INFEVAL_BINARY_DIR) + "/test_native_backend_nan_" +
                                              std::to_string(::getpid()),
                                          "lm_model.model.norm.weight");
  const std::unique_ptr<Backend> backend = make_native_backend(options);
  const std::vector<Request> batch = {vqa_request("greedy", image("photo.jpg"), "is there a bus", 1),
                                      vqa_request("beam", image("gray.jpg"), "is there a bus", 5)};
  const std::vector<Response> out = backend->generate(batch);
  infeval::remove_tree(options.model);
  for (const Response& r : out) {
    EXPECT_NE(r.error.find("not finite"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("test_vqa:"), std::string::npos) << r.error;  // names the sample
    EXPECT_EQ(r.text, "");
  }
}

// A prompt longer than the model's positions (the fixture has 2048) fails its sample before anything runs; the
// other sample of the batch is answered as when alone.
TEST(NativeBackend, PromptLongerThanThePositionsFailsBeforeRunning) {
  std::string question;
  for (int i = 0; i < 5000; ++i) question += "word ";  // 5,000 words: more than 2048 tokens
  const Request ok = vqa_request("ok", image("photo.jpg"), "what color is the bus", 1);
  const std::vector<Response> out =
      tiny_backend().generate({vqa_request("long", image("photo.jpg"), question, 1), ok});
  EXPECT_NE(out[0].error.find("more than the model's 2048 positions"), std::string::npos) << out[0].error;
  EXPECT_NE(out[0].error.find("test_vqa:long"), std::string::npos) << out[0].error;
  EXPECT_EQ(out[1].error, "");
  EXPECT_EQ(out[1].text, tiny_backend().generate({ok})[0].text);
}

}  // namespace
}  // namespace infeval

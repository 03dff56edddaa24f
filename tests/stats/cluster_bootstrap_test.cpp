// The cluster bootstrap of `infeval compare` (harness/comparison.h) on MME-like runs built here: one subtask ("existence"),
// two questions per image, the image pair as extra.cluster. Subtask score = 100 * acc + 100 * acc+ (acc+: images
// with both questions right). Every resampled value is enumerated by hand below.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "datasets/registry.h"
#include "core/remove_tree.h"
#include "harness/comparison.h"
#include "harness/comparison_render.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/records.h"
#include "harness/stats.h"
#include "run_fixture.h"

namespace infeval {
namespace {

namespace fs = std::filesystem;

// One image: whether each of its two questions is right.
struct Image {
  bool first_right;
  bool second_right;
};

// Writes <dir>/results.json and <dir>/samples/mme.jsonl (ids "img<k>#1", "img<k>#2"), scored by "mme".
// with_cluster = false writes records as they were before extra.cluster existed (extra.pair only).
void write_mme_run(const fs::path& dir, const std::vector<Image>& images, bool with_cluster = true) {
  fs::create_directories(dir / "samples");
  std::vector<SampleRecord> records;
  for (size_t k = 0; k < images.size(); ++k) {
    for (int q = 1; q <= 2; ++q) {
      SampleRecord r;
      r.id = "img" + std::to_string(k) + "#" + std::to_string(q);
      r.question = "Is there a dog in this image?";
      r.references = json::array({"yes"});
      const bool right = q == 1 ? images[k].first_right : images[k].second_right;
      r.prediction = right ? "Yes" : "No";
      r.parsed = right ? "yes" : "no";
      r.score = right ? 1.0 : 0.0;
      r.extra["subtask"] = "existence";
      r.extra["pair"] = "existence#" + std::to_string(k);
      if (with_cluster) r.extra["cluster"] = "existence#" + std::to_string(k);
      records.push_back(r);
    }
  }
  write_sample_records((dir / "samples" / "mme.jsonl").string(), records);
  json results = {{"schema_version", 1},
                  {"run", json::object()},
                  {"model", {{"backend", "fixed"}, {"model_name", "toy"}, {"model_digest", "0"}}},
                  {"tasks",
                   {{"mme",
                     {{"metrics", json::object()},  // compare recomputes the metrics from the records
                      {"variant", "official"},
                      {"scorer", "mme"},
                      {"samples_file", "samples/mme.jsonl"}}}}}};
  write_text_file_atomic((dir / "results.json").string(), results.dump(1));
}

const MetricComparison& metric_named(const TaskComparison& task, const std::string& name) {
  for (const auto& m : task.metrics)
    if (m.metric == name) return m;
  throw std::runtime_error("no metric " + name);
}

// How many of the R resamples draw cluster `cluster` exactly `times` times among `clusters` draws, by the rule
// comparison.h documents: resample r draws from Xoshiro256StarStar(mix64(seed ^ mix64(r))).uniform_below(C).
size_t resamples_drawing(size_t clusters, size_t cluster, size_t times, uint64_t seed, size_t resamples) {
  size_t count = 0;
  for (size_t r = 0; r < resamples; ++r) {
    Xoshiro256StarStar rng(mix64(seed ^ mix64(static_cast<uint64_t>(r))));
    size_t drawn = 0;
    for (size_t j = 0; j < clusters; ++j) drawn += rng.uniform_below(clusters) == cluster ? 1 : 0;
    if (drawn == times) ++count;
  }
  return count;
}

class ClusterBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::fresh_test_dir("cluster");
  }
  void TearDown() override { infeval::remove_tree(root_); }
  std::string dir(const std::string& name) const { return (root_ / name).string(); }
  fs::path root_;
};

TEST_F(ClusterBootstrapTest, TwoImagesEnumerated) {
  // Base: image A both right, image B only the first right. Other: everything right (score 200 on any resample).
  // Base on (A, B): acc 3/4, acc+ 1/2 -> 75 + 50 = 125; delta 75.
  // Resamples draw 2 of {A, B} with replacement, 4 equally likely draws:
  //   AA: acc 4/4, acc+ 2/2 -> 200, delta 0     (1/4)
  //   AB, BA: 125, delta 75                      (1/2)
  //   BB: acc 2/4, acc+ 0/2 -> 50, delta 150    (1/4)
  write_mme_run(root_ / "base", {{true, true}, {true, false}});
  write_mme_run(root_ / "other", {{true, true}, {true, true}});
  CompareOptions options;
  options.bootstrap.resamples = 4001;  // (R - 1) * 0.025 = 100: the interval ends are order statistics
  options.bootstrap.seed = 7;
  const ComparisonReport report = compare_runs({dir("base"), dir("other")}, options);
  ASSERT_EQ(report.pairs[0].tasks.size(), 1u);
  const TaskComparison& task = report.pairs[0].tasks[0];
  EXPECT_EQ(task.common_samples, 4u);
  EXPECT_EQ(task.clusters, 2u);
  ASSERT_FALSE(task.notes.empty());
  EXPECT_NE(task.notes[0].find("2 clusters of the 4 common samples"), std::string::npos) << task.notes[0];
  const MetricComparison& m = metric_named(task, "perception");
  EXPECT_EQ(m.test, "cluster-bootstrap");
  EXPECT_DOUBLE_EQ(m.base, 125.0);
  EXPECT_DOUBLE_EQ(m.other, 200.0);
  EXPECT_DOUBLE_EQ(m.delta, 75.0);
  // P(delta = 0) = P(delta = 150) = 1/4 > 2.5%: the 95% interval is [0, 150].
  EXPECT_DOUBLE_EQ(m.interval.low, 0.0);
  EXPECT_DOUBLE_EQ(m.interval.high, 150.0);
  // No delta is negative, so p = 2 * (1 + #{delta = 0}) / (R + 1); #{delta = 0} = resamples drawing B zero times.
  const size_t zero = resamples_drawing(2, 1, 0, options.bootstrap.seed, options.bootstrap.resamples);
  EXPECT_DOUBLE_EQ(m.p_value, 2.0 * (1.0 + static_cast<double>(zero)) / 4002.0);
  EXPECT_NEAR(static_cast<double>(zero) / 4001.0, 0.25, 5 * std::sqrt(0.25 * 0.75 / 4001));
  // Cognition has no subtask here: 0 on both sides of every resample.
  EXPECT_DOUBLE_EQ(metric_named(task, "cognition").delta, 0.0);
  EXPECT_DOUBLE_EQ(metric_named(task, "cognition").p_value, 1.0);
  EXPECT_EQ(comparison_to_json(report)["comparisons"][0]["tasks"]["mme"]["clusters"], 2);
}

TEST_F(ClusterBootstrapTest, AClusterDrawnTwiceCountsTwice) {
  // Base: images A, B both right, C only the first right; other: everything right (200).
  // Observed base: acc 5/6, acc+ 2/3 -> 150; delta 50.
  // A resample with K draws of C (K ~ Binomial(3, 1/3): 8/27, 12/27, 6/27, 1/27) has acc (6 - K)/6 and
  // acc+ (3 - K)/3, base 200 - 50 K, delta 50 K: 0, 50, 100, 150.
  // Were a repeated image counted once in acc+ (records resampled with their original pair key), AAC would give
  // acc+ 1/2 and delta 66.67 (half of the K = 1 draws) and CCA 83.33 -- values the enumeration above excludes.
  write_mme_run(root_ / "base", {{true, true}, {true, true}, {true, false}});
  write_mme_run(root_ / "other", {{true, true}, {true, true}, {true, true}});
  CompareOptions options;
  options.bootstrap.resamples = 8001;  // (R - 1) * q is an integer for q = 0.025, 0.975, 0.4, 0.6
  options.bootstrap.seed = 3;
  const ComparisonReport report = compare_runs({dir("base"), dir("other")}, options);
  const TaskComparison& task = report.pairs[0].tasks[0];
  EXPECT_EQ(task.clusters, 3u);
  const MetricComparison& m = metric_named(task, "perception");
  EXPECT_EQ(m.test, "cluster-bootstrap");
  EXPECT_DOUBLE_EQ(m.base, 150.0);
  EXPECT_DOUBLE_EQ(m.delta, 50.0);
  // P(0) = 29.6% and P(150) = 3.7%, both above 2.5%.
  EXPECT_DOUBLE_EQ(m.interval.low, 0.0);
  EXPECT_DOUBLE_EQ(m.interval.high, 150.0);
  const size_t zero = resamples_drawing(3, 2, 0, options.bootstrap.seed, options.bootstrap.resamples);
  EXPECT_DOUBLE_EQ(m.p_value, 2.0 * (1.0 + static_cast<double>(zero)) / 8002.0);
  EXPECT_NEAR(m.p_value, 16.0 / 27.0, 5 * 2 * std::sqrt(8.0 / 27 * 19.0 / 27 / 8001));
  // sd of 50 K = 50 * sqrt(3 * 1/3 * 2/3) = 40.82.
  // The 40% and 60% quantiles: P(K = 0) = 29.6% < 40% and P(K <= 1) = 74.1% > 60%, so both are 50. Counting a
  // repeated image once would split K = 1 into 50 and 66.67 (22.2% each) and move the 60% quantile to 66.67.
  options.bootstrap.confidence = 0.2;
  const ComparisonReport narrow = compare_runs({dir("base"), dir("other")}, options);
  const MetricComparison& n = metric_named(narrow.pairs[0].tasks[0], "perception");
  EXPECT_DOUBLE_EQ(n.interval.low, 50.0);
  EXPECT_DOUBLE_EQ(n.interval.high, 50.0);
}

TEST_F(ClusterBootstrapTest, SameResultWithAnyThreadCount) {
  write_mme_run(root_ / "base", {{true, true}, {true, false}, {false, false}, {true, true}, {false, true}});
  write_mme_run(root_ / "other", {{true, true}, {true, true}, {true, false}, {true, true}, {false, true}});
  CompareOptions one;
  one.bootstrap.resamples = 1500;
  one.bootstrap.threads = 1;
  CompareOptions four = one;
  four.bootstrap.threads = 4;
  const ComparisonReport with_one = compare_runs({dir("base"), dir("other")}, one);
  const ComparisonReport with_four = compare_runs({dir("base"), dir("other")}, four);
  const MetricComparison& a = metric_named(with_one.pairs[0].tasks[0], "perception");
  const MetricComparison& b = metric_named(with_four.pairs[0].tasks[0], "perception");
  EXPECT_EQ(a.interval.low, b.interval.low);
  EXPECT_EQ(a.interval.high, b.interval.high);
  EXPECT_EQ(a.p_value, b.p_value);
}

TEST_F(ClusterBootstrapTest, RecordsWithoutClustersAreResampledOneByOne) {
  // Records written before extra.cluster existed: the task is compared as before (record bootstrap, no note).
  write_mme_run(root_ / "base", {{true, true}, {true, false}}, /*with_cluster=*/false);
  write_mme_run(root_ / "other", {{true, true}, {true, true}}, /*with_cluster=*/false);
  CompareOptions options;
  options.bootstrap.resamples = 500;
  const TaskComparison task = compare_runs({dir("base"), dir("other")}, options).pairs[0].tasks[0];
  EXPECT_EQ(task.clusters, 0u);
  EXPECT_TRUE(task.notes.empty());
  EXPECT_EQ(metric_named(task, "perception").test, "bootstrap");
  EXPECT_DOUBLE_EQ(metric_named(task, "perception").delta, 75.0);  // the pair key still groups acc+
}

TEST_F(ClusterBootstrapTest, ClusterOfOneRunOnlyIsUsedForBoth) {
  // Old base records (pair only) against new ones (cluster): the other run's clusters apply to both.
  write_mme_run(root_ / "base", {{true, true}, {true, false}}, /*with_cluster=*/false);
  write_mme_run(root_ / "other", {{true, true}, {true, true}});
  CompareOptions options;
  options.bootstrap.resamples = 4001;
  const TaskComparison task = compare_runs({dir("base"), dir("other")}, options).pairs[0].tasks[0];
  EXPECT_EQ(task.clusters, 2u);
  const MetricComparison& m = metric_named(task, "perception");
  EXPECT_EQ(m.test, "cluster-bootstrap");
  EXPECT_DOUBLE_EQ(m.interval.low, 0.0);  // as in TwoImagesEnumerated
  EXPECT_DOUBLE_EQ(m.interval.high, 150.0);
}

TEST_F(ClusterBootstrapTest, DisagreeingOrMalformedClustersAreErrors) {
  write_mme_run(root_ / "base", {{true, true}, {true, false}});
  write_mme_run(root_ / "other", {{true, true}, {true, true}});
  // Move other's img0#2 into image 1's cluster.
  const std::string other_samples = dir("other") + "/samples/mme.jsonl";
  std::vector<SampleRecord> records = read_sample_records(other_samples);
  records[1].extra["cluster"] = "existence#1";
  write_sample_records(other_samples, records);
  try {
    compare_runs({dir("base"), dir("other")}, CompareOptions());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("img0#2"), std::string::npos) << message;
    EXPECT_NE(message.find(dir("base") + "/samples/mme.jsonl"), std::string::npos) << message;
    EXPECT_NE(message.find(other_samples), std::string::npos) << message;
  }
  records[1].extra["cluster"] = 0;
  write_sample_records(other_samples, records);
  try {
    compare_runs({dir("base"), dir("other")}, CompareOptions());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("extra.cluster must be a string"), std::string::npos) << message;
    EXPECT_NE(message.find(other_samples), std::string::npos) << message;
  }
}

// The scorer side of the contract: MME writes the image pair as the cluster, and aggregate() groups by it.
TEST(MmeClusters, ScorerWritesThePairAndGroupsByCluster) {
  const Scorer& scorer = find_scorer("mme");
  std::vector<Sample> samples(2);
  std::vector<Prediction> predictions(2);
  for (int i = 0; i < 2; ++i) {
    samples[i].id = "q" + std::to_string(i);
    samples[i].vars["question"] = "Is it red?";
    samples[i].meta["subtask"] = "color";
    samples[i].meta["answer"] = "yes";
    samples[i].meta["pair"] = "color#0";
    predictions[i].present = true;
    predictions[i].text = "Yes";
  }
  const auto records = scorer.score_samples(TaskConfig(), samples, predictions, "official");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].extra["cluster"], "color#0");
  EXPECT_EQ(records[1].extra["cluster"], "color#0");
  // Image X right, image Y with one wrong answer; X appears twice under two cluster names (a resample drawing it
  // twice): 6 questions, 5 right; 3 images, 2 right -> 100 * 5/6 + 100 * 2/3 = 150.
  std::vector<SampleRecord> drawn;
  auto add = [&](const std::string& pair, const std::string& cluster, double score) {
    SampleRecord r;
    r.score = score;
    r.extra = {{"subtask", "color"}, {"pair", pair}, {"cluster", cluster}};
    drawn.push_back(r);
  };
  add("color#0", "0", 1);
  add("color#0", "0", 1);
  add("color#0", "1", 1);
  add("color#0", "1", 1);
  add("color#1", "2", 1);
  add("color#1", "2", 0);
  EXPECT_NEAR(scorer.aggregate(drawn, "official").at("color"), 150.0, 1e-9);
  // Without extra.cluster (older records) the pair groups: 2 images, 1 right -> 100 * 5/6 + 100 * 1/2.
  for (auto& r : drawn) r.extra.erase("cluster");
  EXPECT_NEAR(scorer.aggregate(drawn, "official").at("color"), 500.0 / 6.0 + 50.0, 1e-9);
}

// MMBench's CircularEval unit (a question and its rotated copies, index % 1e6) is its resampling cluster too.
TEST(MmbenchClusters, ScorerWritesTheCircularGroupAndGroupsByCluster) {
  const Scorer& scorer = find_scorer("mmbench");
  std::vector<Sample> samples(2);
  std::vector<Prediction> predictions(2);
  const long long indices[2] = {7, 1000007};  // the main row and its first rotation
  for (int i = 0; i < 2; ++i) {
    samples[i].id = std::to_string(indices[i]);
    samples[i].vars["question"] = "Which one?";
    samples[i].meta["index"] = indices[i];
    samples[i].meta["answer"] = "A";
    samples[i].meta["choices"] = {{"A", "cat"}, {"B", "dog"}};
    predictions[i].present = true;
    predictions[i].text = "A";
  }
  const auto records = scorer.score_samples(TaskConfig(), samples, predictions, "");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].extra["cluster"], "7");
  EXPECT_EQ(records[1].extra["cluster"], "7");
  // Question 7 drawn twice (clusters "0" and "1"), both right; question 8 drawn once with its rotation wrong:
  // 3 circular units, 2 right -> 66.67; plain accuracy 5 of 6 rows.
  std::vector<SampleRecord> drawn;
  auto add = [&](long long index, const std::string& cluster, double score) {
    SampleRecord r;
    r.score = score;
    r.extra = {{"index", index}, {"group", index % 1000000}, {"cluster", cluster}, {"has_answer", true}};
    drawn.push_back(r);
  };
  add(7, "0", 1);
  add(1000007, "0", 1);
  add(7, "1", 1);
  add(1000007, "1", 1);
  add(8, "2", 1);
  add(1000008, "2", 0);
  const auto metrics = scorer.aggregate(drawn, "");
  EXPECT_NEAR(metrics.at("circular_accuracy"), 200.0 / 3.0, 1e-9);
  EXPECT_NEAR(metrics.at("accuracy"), 500.0 / 6.0, 1e-9);
}

}  // namespace
}  // namespace infeval

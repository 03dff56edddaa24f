// The batch-size audit with a backend whose answers depend on the batch size in a known way: samples q3 and q7 are
// answered wrongly whenever they are generated in a batch of more than one request.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "harness/audit.h"
#include "tests/support/temp_dir.h"
#include "core/error.h"
#include "core/json_io.h"

namespace infeval {
namespace {

namespace fs = std::filesystem;

class BatchSensitiveBackend : public Backend {
 public:
  BackendInfo info() const override {
    BackendInfo info;
    info.name = "test";
    info.model_name = "batch-sensitive";
    info.model_digest = "batch-sensitive-1";
    info.precision = "n/a";
    info.device = "n/a";
    info.protocol = "multitask";
    return info;
  }
  std::vector<Response> generate(const std::vector<Request>& batch) override {
    std::vector<Response> out;
    for (const auto& r : batch) {
      Response response;
      const bool sensitive = r.sample_id == "q3" || r.sample_id == "q7";
      response.text = sensitive && batch.size() > 1 ? "batched" : "ans" + r.sample_id.substr(1);
      out.push_back(response);
    }
    return out;
  }
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::fresh_test_dir("audit");
    fs::create_directories(root_ / "configs" / "tasks");
    fs::create_directories(root_ / "data" / "images");
    std::string questions;
    for (int i = 0; i < 10; ++i) {
      questions += json({{"image", "img.jpg"}, {"question", "what is " + std::to_string(i) + "?"},
                         {"question_id", "q" + std::to_string(i)}, {"answer", "ans" + std::to_string(i)}})
                       .dump() +
                   "\n";
    }
    write_text_file_atomic((root_ / "data" / "questions.jsonl").string(), questions);
    write_text_file_atomic((root_ / "data" / "images" / "img.jpg").string(), "not decoded by the test backend");
    const json config = {
        {"name", "audit_small"},
        {"description", "audit test task"},
        {"version", 1},
        {"adapter", "qa_jsonl"},
        {"scorer", "exact_match"},
        {"files", {{"questions", "questions.jsonl"}, {"images", "images"}}},
        {"protocols",
         {{"multitask",
           {{"prompt", "<image><ImageHere>Question:{question} Short answer:"},
            {"generation", {{"max_new_tokens", 10}, {"num_beams", 1}}}}}}}};
    write_text_file_atomic((root_ / "configs" / "tasks" / "audit_small.json").string(), config.dump(2));
  }
  void TearDown() override { infeval::remove_tree(root_); }
  fs::path root_;
};

TEST_F(AuditTest, ReportsAnswersThatChangeWithBatchSize) {
  BatchSensitiveBackend backend;
  AuditOptions options;
  options.run.tasks = {"audit_small"};
  options.run.config_dir = (root_ / "configs").string();
  options.run.data_root = (root_ / "data").string();
  options.run.out_dir = (root_ / "audit").string();
  options.run.batch_size = 4;  // batches of 4, 4, 2: q3 and q7 are always in a batch of more than one
  options.run.show_progress = false;
  options.compare.bootstrap.resamples = 200;
  const AuditResult result = run_batch_audit(backend, options);
  ASSERT_EQ(result.tasks.size(), 1u);
  const TaskAudit& t = result.tasks[0];
  EXPECT_EQ(t.samples, 10u);
  EXPECT_EQ(t.changed, 2u);
  ASSERT_EQ(t.changes.size(), 2u);
  EXPECT_EQ(t.changes[0].id, "q3");
  EXPECT_EQ(t.changes[0].batched_answer, "batched");
  EXPECT_EQ(t.changes[0].single_answer, "ans3");
  EXPECT_EQ(t.changes[1].id, "q7");
  ASSERT_EQ(t.comparison.metrics.size(), 1u);
  const MetricComparison& m = t.comparison.metrics[0];
  EXPECT_DOUBLE_EQ(m.base, 80.0);    // batch 4: 8 of 10 right
  EXPECT_DOUBLE_EQ(m.other, 100.0);  // batch 1: all right
  EXPECT_DOUBLE_EQ(m.delta, 20.0);
  EXPECT_EQ(m.test, "mcnemar");
  EXPECT_DOUBLE_EQ(m.p_value, 0.5);  // b = 0, c = 2: 2 * 2^-2
  EXPECT_TRUE(result.any_changed());
  const std::string md = audit_to_markdown(result);
  EXPECT_NE(md.find("2 of 10 answers change with batch size"), std::string::npos) << md;
  EXPECT_EQ(audit_to_json(result)["tasks"]["audit_small"]["changed"], 2);
}

TEST_F(AuditTest, BatchSizeOneIsBadInput) {
  BatchSensitiveBackend backend;
  AuditOptions options;
  options.run.tasks = {"audit_small"};
  options.run.config_dir = (root_ / "configs").string();
  options.run.out_dir = (root_ / "audit").string();
  options.run.batch_size = 1;
  EXPECT_THROW(run_batch_audit(backend, options), InputError);
}

}  // namespace
}  // namespace infeval

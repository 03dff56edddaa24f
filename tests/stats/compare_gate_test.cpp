// compare and gate on runs built here: results.json + samples/<task>.jsonl scored with the "exact_match" scorer,
// differing on a known set of samples, so every expected number is derived by hand below.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "harness/comparison.h"
#include "harness/comparison_render.h"
#include "core/remove_tree.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/records.h"
#include "harness/gate_checks.h"
#include "harness/gate_render.h"
#include "harness/reference_table.h"
#include "run_fixture.h"

namespace infeval {
namespace {

namespace fs = std::filesystem;
using testing_runs::write_run;

const char* kTask = "ocr_small";

class CompareGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::fresh_test_dir("stats");
    // 40 samples. A is right on 0..24 (25/40 = 62.5%). B is right on 2..36 (35/40 = 87.5%).
    // Discordant: right in A only {0, 1} (b = 2); right in B only {25..36} (c = 12).
    std::vector<double> a(40, 0.0), b(40, 0.0);
    for (int i = 0; i <= 24; ++i) a[i] = 1.0;
    for (int i = 2; i <= 36; ++i) b[i] = 1.0;
    write_run(root_ / "A", {{kTask, a}});
    write_run(root_ / "B", {{kTask, b}});
    // C: only samples 0..29 (intersection test), right on 0..9.
    std::vector<double> c(30, 0.0);
    for (int i = 0; i <= 9; ++i) c[i] = 1.0;
    write_run(root_ / "C", {{kTask, c}});
    // D: A with one more mistake (sample 3): drop of 2.5 points, not significant (b = 1, c = 0, p = 1).
    std::vector<double> d = a;
    d[3] = 0.0;
    write_run(root_ / "D", {{kTask, d}});
  }
  void TearDown() override { infeval::remove_tree(root_); }
  std::string run(const std::string& name) const { return (root_ / name).string(); }
  GateResult gate(const std::string& baseline, const std::string& candidate, const std::vector<std::string>& rules,
                  double tolerance = 1.0) const {
    GateOptions options;
    options.baseline = baseline;
    options.candidate = candidate;
    for (const auto& r : rules) options.rules.push_back(parse_gate_rule(r));
    options.default_tolerance = tolerance;
    options.compare.bootstrap.resamples = 2000;
    return run_gate(options);
  }
  fs::path root_;
};

TEST_F(CompareGateTest, McNemarDeltaAndFlips) {
  CompareOptions options;
  options.bootstrap.resamples = 2000;
  const ComparisonReport report = compare_runs({run("A"), run("B")}, options);
  ASSERT_EQ(report.pairs.size(), 1u);
  ASSERT_EQ(report.pairs[0].tasks.size(), 1u);
  const TaskComparison& t = report.pairs[0].tasks[0];
  EXPECT_EQ(t.common_samples, 40u);
  EXPECT_TRUE(t.notes.empty());
  ASSERT_EQ(t.metrics.size(), 1u);
  const MetricComparison& m = t.metrics[0];
  EXPECT_EQ(m.metric, "accuracy");
  EXPECT_DOUBLE_EQ(m.base, 62.5);
  EXPECT_DOUBLE_EQ(m.other, 87.5);
  EXPECT_DOUBLE_EQ(m.delta, 25.0);
  EXPECT_EQ(m.test, "mcnemar");
  EXPECT_EQ(m.base_only, 2u);
  EXPECT_EQ(m.other_only, 12u);
  // n = 14, k = 2: 2 * (C(14,0) + C(14,1) + C(14,2)) / 2^14 = 2 * 106 / 16384.
  EXPECT_DOUBLE_EQ(m.p_value, 212.0 / 16384.0);
  // Bootstrap interval of the delta: per-sample differences are +1 (12), -1 (2), 0 (26); contains 25, excludes 0.
  EXPECT_LT(m.interval.low, 25.0);
  EXPECT_GT(m.interval.high, 25.0);
  EXPECT_GT(m.interval.low, 0.0);
  EXPECT_EQ(t.flips, 14u);
  EXPECT_EQ(t.improved, 12u);
  EXPECT_EQ(t.regressed, 2u);
  // The first 10 flips in question order: s0, s1 (regressed), then s25..s32 (improved).
  ASSERT_EQ(t.flipped.size(), 10u);
  const std::vector<std::string> want = {"s0", "s1", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "s32"};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(t.flipped[i].id, want[i]);
  EXPECT_EQ(t.flipped[0].base_answer, "ans0");
  EXPECT_EQ(t.flipped[0].other_answer, "wrong0");
  EXPECT_EQ(t.flipped[0].references, json::array({"ans0"}));
  EXPECT_EQ(t.flipped[0].question, "what is written in picture 0?");
  // One test: no multiple-comparison note.
  EXPECT_EQ(report.tests, 1u);
  EXPECT_TRUE(report.multiple_comparison_note.empty());

  const std::string md = comparison_to_markdown(report);
  EXPECT_NE(md.find("| ocr_small | accuracy | 62.50 | 87.50 | +25.00 *"), std::string::npos) << md;
  EXPECT_NE(md.find("14 samples flipped (12 improved, 2 regressed), first 10"), std::string::npos) << md;
  const json j = comparison_to_json(report);
  EXPECT_DOUBLE_EQ(j["comparisons"][0]["tasks"][kTask]["metrics"]["accuracy"]["p_value"].get<double>(),
                   212.0 / 16384.0);
  EXPECT_EQ(j["comparisons"][0]["tasks"][kTask]["flipped"].size(), 10u);
}

TEST_F(CompareGateTest, IntersectionOfDifferentSamplesAndSeveralRuns) {
  CompareOptions options;
  options.bootstrap.resamples = 500;
  const ComparisonReport report = compare_runs({run("A"), run("B"), run("C")}, options);
  ASSERT_EQ(report.pairs.size(), 2u);
  const TaskComparison& t = report.pairs[1].tasks[0];
  EXPECT_EQ(t.base_samples, 40u);
  EXPECT_EQ(t.other_samples, 30u);
  EXPECT_EQ(t.common_samples, 30u);
  ASSERT_FALSE(t.notes.empty());
  EXPECT_NE(t.notes[0].find("30 common ids"), std::string::npos) << t.notes[0];
  EXPECT_NE(t.notes[0].find("base has 40, 10 not in other"), std::string::npos) << t.notes[0];
  // On samples 0..29: A right on 0..24 (25/30), C right on 0..9 (10/30). Discordant: A only 10..24 (15), C only 0.
  const MetricComparison& m = t.metrics[0];
  EXPECT_NEAR(m.base, 100.0 * 25 / 30, 1e-12);
  EXPECT_NEAR(m.other, 100.0 * 10 / 30, 1e-12);
  EXPECT_EQ(m.base_only, 15u);
  EXPECT_EQ(m.other_only, 0u);
  EXPECT_DOUBLE_EQ(m.p_value, 2.0 / 32768.0);  // 2 * 2^-15
  // Two tests: Holm multiplies the smaller p by 2.
  EXPECT_EQ(report.tests, 2u);
  EXPECT_DOUBLE_EQ(m.p_holm, 4.0 / 32768.0);
  EXPECT_FALSE(report.multiple_comparison_note.empty());
}

TEST_F(CompareGateTest, BootstrapPathForSoftScores) {
  // Soft per-sample scores make accuracy a non-binary mean: compare must bootstrap aggregate(). B adds exactly 0.5
  // to every sample, so every resample's delta is 50: interval [50, 50], p = 2 / (R + 1).
  std::vector<double> a(20), b(20);
  for (int i = 0; i < 20; ++i) {
    a[i] = 0.25;
    b[i] = 0.75;
  }
  write_run(root_ / "softA", {{kTask, a}});
  write_run(root_ / "softB", {{kTask, b}});
  CompareOptions options;
  options.bootstrap.resamples = 999;
  const ComparisonReport report = compare_runs({run("softA"), run("softB")}, options);
  const MetricComparison& m = report.pairs[0].tasks[0].metrics[0];
  EXPECT_EQ(m.test, "bootstrap");
  EXPECT_DOUBLE_EQ(m.delta, 50.0);
  EXPECT_DOUBLE_EQ(m.interval.low, 50.0);
  EXPECT_DOUBLE_EQ(m.interval.high, 50.0);
  EXPECT_DOUBLE_EQ(m.p_value, 2.0 / 1000.0);
  // Reproducible from the seed.
  const ComparisonReport again = compare_runs({run("softA"), run("softB")}, options);
  EXPECT_EQ(again.pairs[0].tasks[0].metrics[0].p_value, m.p_value);
}

TEST_F(CompareGateTest, GateDefaultRule) {
  // Improvement: passes.
  EXPECT_EQ(gate(run("A"), run("B"), {}).exit_code(), 0);
  // Drop of 25 points with p = 0.0129 < 0.05: fails.
  const GateResult fail = gate(run("B"), run("A"), {});
  EXPECT_EQ(fail.exit_code(), 1);
  ASSERT_EQ(fail.checks.size(), 1u);
  EXPECT_FALSE(fail.checks[0].passed);
  EXPECT_DOUBLE_EQ(fail.checks[0].delta, -25.0);
  EXPECT_DOUBLE_EQ(fail.checks[0].p_value, 212.0 / 16384.0);
  // Same drop within a 30-point tolerance: passes.
  EXPECT_EQ(gate(run("B"), run("A"), {}, 30.0).exit_code(), 0);
  // Drop of 2.5 points (> 1) but not significant (b = 1, c = 0: p = 1): passes.
  const GateResult noise = gate(run("A"), run("D"), {});
  EXPECT_EQ(noise.exit_code(), 0);
  EXPECT_DOUBLE_EQ(noise.checks[0].delta, -2.5);
  EXPECT_DOUBLE_EQ(noise.checks[0].p_value, 1.0);
}

TEST_F(CompareGateTest, GateExplicitRules) {
  const std::string task = kTask;
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=abs:30"}).exit_code(), 0);
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=abs:10"}).exit_code(), 1);
  // rel: 50% of 87.5 = 43.75 allowed; 20% = 17.5 allowed.
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=rel:50"}).exit_code(), 0);
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=rel:20%"}).exit_code(), 1);
  // sig: p = 0.0129.
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=sig:0.01"}).exit_code(), 0);
  EXPECT_EQ(gate(run("B"), run("A"), {task + ":accuracy=sig:0.05"}).exit_code(), 1);
  // Wildcards, and one failing rule among passing ones fails the gate.
  const GateResult mixed = gate(run("B"), run("A"), {"*:*=abs:30", "*:accuracy=sig:0.05"});
  ASSERT_EQ(mixed.checks.size(), 2u);
  EXPECT_TRUE(mixed.checks[0].passed);
  EXPECT_FALSE(mixed.checks[1].passed);
  EXPECT_EQ(mixed.exit_code(), 1);
}

// Issue 13, finding 4: a baseline task the candidate lacks fails the gate (default and wildcard rules alike), as a
// failed JUnit test case naming it; a variant mismatch fails naming both variants.
TEST_F(CompareGateTest, GateFailsOnMissingTaskAndVariantMismatch) {
  std::vector<double> a(40, 0.0);
  for (int i = 0; i <= 24; ++i) a[i] = 1.0;
  write_run(root_ / "two", {{kTask, a}, {"other_task", a}});
  for (const std::vector<std::string>& rules : {std::vector<std::string>{}, std::vector<std::string>{"*:*=abs:1"}}) {
    const GateResult r = gate(run("two"), run("A"), rules);
    EXPECT_EQ(r.exit_code(), 1);
    ASSERT_EQ(r.checks.size(), 2u);  // ocr_small/accuracy (identical: passes) + other_task missing
    size_t failed = 0;
    for (const auto& c : r.checks)
      if (!c.passed) {
        ++failed;
        EXPECT_EQ(c.task, "other_task");
        EXPECT_NE(c.reason.find("no task other_task"), std::string::npos) << c.reason;
      }
    EXPECT_EQ(failed, 1u);
    const std::string xml = gate_to_junit_xml(r);
    EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
    EXPECT_NE(xml.find("classname=\"other_task\""), std::string::npos);
    // The missing task has no values at all: "-" in the table and null in JSON, never a made-up 0.00.
    EXPECT_NE(gate_to_markdown(r).find("| **FAIL** | other_task | * | - | - | - | - |"), std::string::npos)
        << gate_to_markdown(r);
    for (const json& c : gate_to_json(r)["checks"])
      if (c["task"] == "other_task") {
        EXPECT_TRUE(c["baseline"].is_null());
        EXPECT_TRUE(c["candidate"].is_null());
        EXPECT_TRUE(c["delta"].is_null());
      }
  }
  // Variant mismatch: the candidate's ocr_small scored with another variant.
  write_run(root_ / "V", {{kTask, a}});
  json results = read_json_file((root_ / "V" / "results.json").string());
  results["tasks"][kTask]["variant"] = "official";
  write_text_file_atomic((root_ / "V" / "results.json").string(), results.dump(1));
  const GateResult v = gate(run("A"), run("V"), {});
  EXPECT_EQ(v.exit_code(), 1);
  ASSERT_EQ(v.checks.size(), 1u);
  EXPECT_NE(v.checks[0].reason.find("variant 'infmllm'"), std::string::npos) << v.checks[0].reason;
  EXPECT_NE(v.checks[0].reason.find("variant 'official'"), std::string::npos) << v.checks[0].reason;
}

TEST_F(CompareGateTest, GateJUnitXmlAndMarkdown) {
  const std::string task = kTask;
  const GateResult result = gate(run("B"), run("A"), {task + ":accuracy=abs:30", task + ":accuracy=sig:0.05"});
  const std::string xml = gate_to_junit_xml(result);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_NE(xml.find("<testsuite name=\"infeval-gate\" tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"ocr_small\" name=\"accuracy [ocr_small:accuracy=abs:30]\""),
            std::string::npos) << xml;
  size_t testcases = 0, failures = 0;
  for (size_t p = xml.find("<testcase"); p != std::string::npos; p = xml.find("<testcase", p + 1)) ++testcases;
  for (size_t p = xml.find("<failure "); p != std::string::npos; p = xml.find("<failure ", p + 1)) ++failures;
  EXPECT_EQ(testcases, 2u);
  EXPECT_EQ(failures, 1u);
  EXPECT_NE(xml.find("significant drop at 0.05"), std::string::npos) << xml;
  const std::string md = gate_to_markdown(result);
  EXPECT_NE(md.find("FAILED (1 of 2 checks)"), std::string::npos) << md;
  EXPECT_NE(md.find("| **FAIL** | ocr_small | accuracy | 87.50 | 62.50 | -25.00 |"), std::string::npos) << md;
  // Escaping.
  EXPECT_EQ(xml_escape("a<b & \"c\">'"), "a&lt;b &amp; &quot;c&quot;&gt;&apos;");
  // A passing gate has no <failure>.
  const std::string ok = gate_to_junit_xml(gate(run("A"), run("B"), {}));
  EXPECT_EQ(ok.find("<failure"), std::string::npos);
  EXPECT_NE(ok.find("failures=\"0\""), std::string::npos);
}

TEST_F(CompareGateTest, GateAgainstReferenceTable) {
  const fs::path ref = root_ / "ref.json";
  write_text_file_atomic(ref.string(), json({{"model", "test-model"},
                                             {"source", "hand-written for this test"},
                                             {"tasks", {{kTask, {{"accuracy", 90.0}}}, {"other_task", {{"accuracy", 50.0}}}}}})
                                                .dump());
  // A = 62.5 vs paper 90: below by 27.5 > 1: fails; absent other_task is not checked by the default rule.
  const GateResult fail = gate(ref.string(), run("A"), {});
  EXPECT_TRUE(fail.baseline_is_reference);
  ASSERT_EQ(fail.checks.size(), 1u);
  EXPECT_EQ(fail.exit_code(), 1);
  EXPECT_DOUBLE_EQ(fail.checks[0].delta, -27.5);
  EXPECT_EQ(gate(ref.string(), run("A"), {std::string(kTask) + ":accuracy=abs:28"}).exit_code(), 0);
  // A named task the candidate lacks is a failed check.
  const GateResult missing = gate(ref.string(), run("A"), {"other_task:accuracy=abs:5"});
  EXPECT_EQ(missing.exit_code(), 1);
  EXPECT_TRUE(missing.checks[0].candidate_missing);
  // No significance test against a table: bad input.
  EXPECT_THROW(gate(ref.string(), run("A"), {std::string(kTask) + ":accuracy=sig:0.05"}), InputError);
}

TEST_F(CompareGateTest, GateBadInput) {
  EXPECT_THROW(parse_gate_rule("ocr_small:accuracy"), InputError);
  EXPECT_THROW(parse_gate_rule("ocr_small=abs:1"), InputError);
  EXPECT_THROW(parse_gate_rule("ocr_small:accuracy=foo:1"), InputError);
  EXPECT_THROW(parse_gate_rule("ocr_small:accuracy=abs:x"), InputError);
  EXPECT_THROW(parse_gate_rule("ocr_small:accuracy=sig:1.5"), InputError);
  EXPECT_THROW(gate(run("A"), run("B"), {"ocr_smal:accuracy=abs:1"}), InputError);
  EXPECT_THROW(gate(run("A"), run("B"), {"ocr_small:acuracy=abs:1"}), InputError);
  EXPECT_THROW(gate(run("A"), run("nonexistent"), {}), InputError);
  try {
    gate(run("A"), run("B"), {"ocr_smal:accuracy=abs:1"});
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean ocr_small"), std::string::npos) << e.what();
  }
  const GateRule rule = parse_gate_rule("pope:adversarial/f1=rel:2%");
  EXPECT_EQ(rule.task, "pope");
  EXPECT_EQ(rule.metric, "adversarial/f1");
  EXPECT_EQ(rule.kind, GATE_RULE_REL);
  EXPECT_DOUBLE_EQ(rule.value, 2.0);
}

TEST(ReferenceTables, ShippedTablesLoad) {
  for (const std::string name : {"infmllm-7b", "infmllm-7b-chat"}) {
    const std::string path = resolve_reference_path("ref:" + name, "");
    const ReferenceTable table = read_reference_table(path);
    EXPECT_EQ(table.model, name);
    EXPECT_FALSE(table.source.empty());
    EXPECT_FALSE(table.tasks.empty());
    EXPECT_TRUE(is_reference_table_file(path));
  }
  // Values from infmllm-reference.md section 7 (paper column).
  EXPECT_DOUBLE_EQ(read_reference_table(resolve_reference_path("ref:infmllm-7b", "")).tasks.at("ocrvqa_test").at("accuracy"), 73.52);
  EXPECT_DOUBLE_EQ(read_reference_table(resolve_reference_path("ref:infmllm-7b-chat", "")).tasks.at("pope").at("f1"), 86.5);
  EXPECT_THROW(resolve_reference_path("ref:no-such-model", ""), InputError);
}

}  // namespace
}  // namespace infeval

// Reference tables' per-task "variant" and the report's "not comparable" marks, on a hand-made results.json and
// table: one task scored with the paper's variant, one with another, one whose paper number states none.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/error.h"
#include "core/remove_tree.h"
#include "core/json_io.h"
#include "harness/gate_checks.h"
#include "harness/html_report.h"
#include "harness/leaderboard.h"
#include "harness/leaderboard_render.h"
#include "harness/reference_table.h"
#include "run_fixture.h"

namespace infeval {
namespace {

namespace fs = std::filesystem;
using testing_runs::count_of;

// The line of `text` that contains `needle` ("" if none).
std::string line_with(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

class ReportVariantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::fresh_test_dir("variant");
    fs::create_directories(root_ / "run");
    // The run: GQA scored with "official" (the paper used "infmllm-chat"), TextVQA with "llava" as the paper,
    // POPE with "llava" against a paper number that states no variant.
    json results = {{"schema_version", 1},
                    {"run", json::object()},
                    {"model", {{"backend", "fixed"}, {"model_name", "toy-chat"}, {"model_digest", "0"}}},
                    {"tasks",
                     {{"gqa_testdev", {{"metrics", {{"accuracy", 64.0}}}, {"variant", "official"}}},
                      {"textvqa_val", {{"metrics", {{"accuracy", 65.0}}}, {"variant", "llava"}}},
                      {"pope", {{"metrics", {{"f1", 85.0}}}, {"variant", "llava"}}}}}};
    write_text_file_atomic((root_ / "run" / "results.json").string(), results.dump(1));
    fs::create_directories(root_ / "configs" / "references");
    write_table(R"({"model": "toy-chat", "source": "hand-made for this test", "tasks": {
        "gqa_testdev": {"accuracy": 65.1, "variant": "infmllm-chat"},
        "textvqa_val": {"accuracy": 64.1, "variant": "llava"},
        "pope": {"f1": 86.5}}})");
    options_.runs = {(root_ / "run").string()};
    options_.config_dir = (root_ / "configs").string();
  }
  void TearDown() override { infeval::remove_tree(root_); }
  std::string table_path() const { return (root_ / "configs" / "references" / "toy-chat.json").string(); }
  void write_table(const std::string& text) const { write_text_file_atomic(table_path(), text); }

  fs::path root_;
  LeaderboardOptions options_;
};

TEST_F(ReportVariantTest, MarksExactlyTheMismatchingDelta) {
  const Leaderboard board = build_leaderboard(options_);
  ASSERT_EQ(board.rows.size(), 2u);  // the run, the paper
  const LeaderboardRow& run = board.rows[0];
  // Deltas: 64.0 - 65.1 = -1.10, 65.0 - 64.1 = +0.90, 85.0 - 86.5 = -1.50.
  EXPECT_NEAR(*run.deltas.at("gqa_testdev/accuracy"), -1.1, 1e-9);
  EXPECT_TRUE(run.delta_not_comparable("gqa_testdev/accuracy"));
  EXPECT_FALSE(run.delta_not_comparable("textvqa_val/accuracy"));
  EXPECT_FALSE(run.delta_not_comparable("pope/f1"));  // the paper states no variant: unknown, not marked
  EXPECT_EQ(run.variants.at("gqa_testdev/accuracy"), "official");
  EXPECT_EQ(run.paper_variants.at("gqa_testdev/accuracy"), "infmllm-chat");
  EXPECT_EQ(board.rows[1].variants.at("gqa_testdev/accuracy"), "infmllm-chat");
  EXPECT_EQ(board.rows[1].variants.at("pope/f1"), "");

  const std::string markdown = render_leaderboard_markdown(board);
  const std::string row = line_with(markdown, "| " + options_.runs[0] + " |");
  EXPECT_NE(row.find("64.00 (-1.10 \u2020)"), std::string::npos) << markdown;
  EXPECT_NE(row.find("65.00 (+0.90) |"), std::string::npos) << markdown;
  EXPECT_NE(row.find("85.00 (-1.50) |"), std::string::npos) << markdown;
  EXPECT_EQ(count_of(row, "\u2020"), 1u) << markdown;
  EXPECT_NE(markdown.find("not comparable: " + options_.runs[0] +
                          " gqa_testdev/accuracy was scored with variant 'official', the paper's number (toy-chat) "
                          "with 'infmllm-chat'"),
            std::string::npos)
      << markdown;

  // CSV: value/delta pairs first (unchanged positions), then variant and delta_comparable per column, in the
  // column order gqa, pope, textvqa (results.json's task order, alphabetical as nlohmann::json keeps it).
  const std::string csv = render_leaderboard_csv(board);
  EXPECT_NE(csv.find("run,model,is_reference,gqa_testdev/accuracy,gqa_testdev/accuracy:delta,pope/f1,pope/f1:delta,"
                     "textvqa_val/accuracy,textvqa_val/accuracy:delta,gqa_testdev/accuracy:variant,"
                     "gqa_testdev/accuracy:delta_comparable,pope/f1:variant,pope/f1:delta_comparable,"
                     "textvqa_val/accuracy:variant,textvqa_val/accuracy:delta_comparable\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",official,no,llava,unknown,llava,yes\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("paper: toy-chat,toy-chat,1,65.1,,86.5,,64.1,,infmllm-chat,,,,llava,\n"), std::string::npos)
      << csv;

  const json j = leaderboard_to_json(board);
  const json& r = j["rows"][0];
  EXPECT_EQ(r["delta_comparable"]["gqa_testdev/accuracy"], false);
  EXPECT_EQ(r["delta_comparable"]["textvqa_val/accuracy"], true);
  EXPECT_TRUE(r["delta_comparable"]["pope/f1"].is_null());
  EXPECT_EQ(r["variants"]["gqa_testdev/accuracy"], "official");
  EXPECT_EQ(r["paper_variants"]["gqa_testdev/accuracy"], "infmllm-chat");
  EXPECT_TRUE(r["paper_variants"]["pope/f1"].is_null());
  EXPECT_TRUE(j["rows"][1]["delta_comparable"].empty());  // the paper row has no deltas

  const std::string html = render_html_report(board, nullptr, {}, HtmlReportOptions());
  EXPECT_EQ(count_of(html, "class=\"num not-comparable\""), 1u);
  const size_t cell = html.find("class=\"num not-comparable\"");
  ASSERT_NE(cell, std::string::npos);
  EXPECT_NE(html.substr(cell, 300).find("64.00"), std::string::npos) << html.substr(cell, 300);
  EXPECT_NE(html.find("not comparable: scored with variant official, the paper's number with infmllm-chat"),
            std::string::npos);
}

TEST_F(ReportVariantTest, MatchingVariantsMarkNothing) {
  write_table(R"({"model": "toy-chat", "source": "hand-made", "tasks": {
      "gqa_testdev": {"accuracy": 65.1, "variant": "official"},
      "textvqa_val": {"accuracy": 64.1, "variant": "llava"}}})");
  const Leaderboard board = build_leaderboard(options_);
  for (const auto& c : board.columns) EXPECT_FALSE(board.rows[0].delta_not_comparable(c.key())) << c.key();
  const std::string markdown = render_leaderboard_markdown(board);
  EXPECT_EQ(markdown.find("\u2020"), std::string::npos) << markdown;
  EXPECT_EQ(markdown.find("not comparable"), std::string::npos) << markdown;
  EXPECT_NE(render_leaderboard_csv(board).find(",official,yes,"), std::string::npos);
  EXPECT_EQ(count_of(render_html_report(board, nullptr, {}, HtmlReportOptions()), "class=\"num not-comparable\""), 0u);
}

TEST_F(ReportVariantTest, BadVariantEntriesNameFileAndTask) {
  struct Case {
    std::string tasks;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"({"gqa_testdev": {"accuracy": 65.1, "variant": 3}})", "tasks.gqa_testdev.variant: expected the name"},
      {R"({"gqa_testdev": {"accuracy": 65.1, "variant": ""}})", "tasks.gqa_testdev.variant: expected the name"},
      {R"({"gqa_testdev": {"accuracy": 65.1, "varient": "official"}})", "did you mean variant"},
      {R"({"gqa_testdev": {"accuracy": "65.1"}})", "tasks.gqa_testdev: accuracy holds \"65.1\""},
      {R"({"gqa_testdev": [65.1]})", "tasks.gqa_testdev: expected an object"},
  };
  for (const auto& c : cases) {
    write_table(R"({"model": "toy-chat", "source": "s", "tasks": )" + c.tasks + "}");
    try {
      load_reference_table(options_.config_dir, "toy-chat");
      ADD_FAILURE() << "no error for " << c.tasks;
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(table_path()), std::string::npos) << message;
      EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    }
    // The gate reads the same tables with the same checks.
    EXPECT_THROW(read_reference_table(table_path(), options_.config_dir), InputError) << c.tasks;
  }
}

TEST_F(ReportVariantTest, VariantNamesAreCheckedAgainstTheTaskScorer) {
  // With the shipped task configs, gqa_testdev's scorer "gqa" has official, infmllm-chat, infmllm.
  const std::string shipped = std::string(INFEVAL_SOURCE_DIR) + "/configs";
  write_table(R"({"model": "toy-chat", "source": "s",
                  "tasks": {"gqa_testdev": {"accuracy": 65.1, "variant": "infmllm_chat"}}})");
  try {
    load_reference_table(shipped, table_path());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(table_path() + ": tasks.gqa_testdev.variant: unknown variant 'infmllm_chat'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("did you mean infmllm-chat"), std::string::npos) << message;
  }
  // A task without a config (a custom table) is not checked.
  write_table(R"({"model": "toy-chat", "source": "s", "tasks": {"my_task": {"accuracy": 1, "variant": "anything"}}})");
  EXPECT_NO_THROW(load_reference_table(shipped, table_path()));
}

TEST(ReferenceTableVariants, ShippedTablesStateTheEvaluatorsOfTheReferenceDoc) {
  // infmllm-reference.md section 5: the multitask model's numbers come from evaluate/infmllm (vqa_metric.py, its
  // GQA post-processing, raw VQAv2 answers); the chat model's from LLaVA-style scripts (eval_gqa.py, m4c TextVQA,
  // EvalAI-processed VQAv2) and the official MME tool; MMBench and MM-Vet were scored by a server / GPT-4.
  const std::string configs = std::string(INFEVAL_SOURCE_DIR) + "/configs";
  const ReferenceTable multitask = load_reference_table(configs, "infmllm-7b");
  EXPECT_EQ(multitask.variant("gqa_testdev"), "infmllm");
  EXPECT_EQ(multitask.variant("textvqa_val"), "infmllm");
  EXPECT_EQ(multitask.variant("okvqa_val"), "infmllm");
  EXPECT_EQ(multitask.variant("vqav2_testdev"), "infmllm");
  const ReferenceTable chat = read_reference_table(configs + "/references/infmllm-7b-chat.json", configs);
  EXPECT_EQ(chat.variants.at("gqa_testdev"), "infmllm-chat");
  EXPECT_EQ(chat.variants.at("textvqa_val"), "llava");
  EXPECT_EQ(chat.variants.at("vqav2_testdev"), "llava");
  EXPECT_EQ(chat.variants.at("mme"), "official");
  EXPECT_EQ(chat.variants.count("mmbench_dev_en"), 0u);
  EXPECT_EQ(chat.variants.count("mmvet"), 0u);
  EXPECT_DOUBLE_EQ(chat.tasks.at("gqa_testdev").at("accuracy"), 65.1);
  EXPECT_EQ(chat.tasks.at("gqa_testdev").count("variant"), 0u);
}

TEST(ReferenceTableVariants, GateNotesAVariantMismatch) {
  const fs::path root = test::fresh_test_dir("variant-gate");
  // write_run scores with exact_match, variant "infmllm"; the table says the paper used "llava".
  testing_runs::write_run(root / "candidate", {{"ocr_small", std::vector<double>(10, 1.0)}});
  fs::create_directories(root / "configs" / "references");
  write_text_file_atomic((root / "configs" / "references" / "toy.json").string(),
                         R"({"model": "toy", "source": "s",
                             "tasks": {"ocr_small": {"accuracy": 90, "variant": "llava"}}})");
  GateOptions options;
  options.baseline = "ref:toy";
  options.candidate = (root / "candidate").string();
  options.config_dir = (root / "configs").string();
  const GateResult result = run_gate(options);
  EXPECT_TRUE(result.passed());  // 100 vs 90: the check itself still runs
  size_t notes = 0;
  for (const auto& note : result.notes)
    if (note.find("ocr_small: not comparable: the candidate was scored with variant 'infmllm', the paper's numbers "
                  "with 'llava'") != std::string::npos)
      ++notes;
  EXPECT_EQ(notes, 1u);
  infeval::remove_tree(root);
}

}  // namespace
}  // namespace infeval

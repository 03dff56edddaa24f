// MMBench and MM-Vet end to end, plus every a2 task config loading its miniature under tests/data/mini.
#include <cmath>

#include <gtest/gtest.h>

#include "core/json_io.h"
#include "core/text_util.h"
#include "core/prompt.h"
#include "vqa_family_test_helpers.h"

namespace infeval {
namespace {

using namespace infeval::test;

TEST(MmbenchDataset, SinglePassAndCircularMatchVlmEvalKit) {
  const auto t = load_task("mmbench_dev_en", "", {{"questions", data_path("mmbench/mmbench_dev_synthetic.tsv")}});
  ASSERT_EQ(t.samples.size(), 17u);
  // Rotated copies reuse the main row's image by index.
  EXPECT_EQ(t.samples[1].image_bytes, t.samples[0].image_bytes);
  EXPECT_EQ(t.samples[0].image_bytes, read_text_file(data_path("mini/_pool/img0.jpg")));
  const json expected = read_json_file(data_path("mmbench/expected.json"));
  std::vector<SampleRecord> records;
  const auto m = score_task(t, llava_answers(data_path("mmbench/answers.jsonl")), "vlmevalkit", &records);
  EXPECT_NEAR(m.at("accuracy"), 100 * expected["vanilla_accuracy"].get<double>(), 1e-6);
  EXPECT_NEAR(m.at("circular_accuracy"), 100 * expected["circular_accuracy"].get<double>(), 1e-6);
  for (const auto& r : records) EXPECT_EQ(r.parsed, expected["per_item"][r.id]["inferred"].get<std::string>()) << r.id;
}

TEST(MmbenchDataset, PromptsFollowModelVqaMmbench) {
  const auto en = load_task("mmbench_dev_en", mini_root());
  ASSERT_EQ(en.samples.size(), 5u);
  // Hand-derived from model_vqa_mmbench.py: hint first, options up to the first missing one, then the suffix.
  EXPECT_EQ(render_prompt("mmbench_dev_en", protocol_spec(en.config, "chat"), en.samples[0]),
            "<image>\nThe picture is a gradient.\nWhat is the main colour?\nA. red\nB. green\nC. blue\n"
            "Answer with the option's letter from the given choices directly.");
  EXPECT_EQ(en.samples[1].vars.at("question"),  // hint "nan" is missing; options stop at C
            "How many objects are there?\nA. one\nB. two\nAnswer with the option's letter from the given choices "
            "directly.");
  const auto cn = load_task("mmbench_dev_cn", mini_root());
  EXPECT_EQ(cn.samples[1].vars.at("question"), "有几个物体？\nA. 一个\nB. 两个\n请直接回答选项字母。");
  EXPECT_EQ(render_prompt("mmbench_dev_cn", protocol_spec(cn.config, "multitask"), cn.samples[1]),
            "<image><ImageHere>有几个物体？\nA. 一个\nB. 两个\n请直接回答选项字母。");
}

TEST(MmbenchDataset, SubmissionTable) {
  const auto t = load_task("mmbench_dev_en", mini_root());
  const Scorer& scorer = find_scorer("mmbench");
  const std::vector<ForeignPrediction> answers = {{"0", "C", json::object(), "a:1"}, {"1", "A\tB", json::object(), "a:2"},
                                                  {"2", "B", json::object(), "a:3"}, {"1000000", "B", json::object(), "a:4"},
                                                  {"2000000", "A", json::object(), "a:5"}};
  std::vector<SampleRecord> records;
  const auto m = score_task(t, answers, "vlmevalkit", &records);
  EXPECT_DOUBLE_EQ(m.at("circular_accuracy"), 100.0 * 2 / 3);  // groups 0 (all 3 right), 1 (A\tB: two letters), 2
  TempDir out("mmbench-sub");
  scorer.write_outputs(t.config, t.samples, records, out.path.string(), json::object());
  const auto lines = split(read_text_file((out.path / "mmbench_dev_en_submission.tsv").string()), '\n');
  EXPECT_EQ(lines[0], "index\tquestion\tA\tB\tC\tD\tprediction\tanswer\tsplit");
  EXPECT_EQ(lines[2], "1\tHow many objects are there?\tone\ttwo\t\t\t\"A\tB\"\tA\tdev");
  const json manifest = read_json_file((out.path / "mmbench_dev_en_submission.tsv.manifest.json").string());
  EXPECT_EQ(manifest["answered"], 5);
  records[2].missing = true;
  expect_input_error([&] { scorer.write_outputs(t.config, t.samples, records, out.path.string(), json::object()); },
                     {"1 of 5", "2"});
}

TEST(MmbenchDataset, BadRecords) {
  TempDir dir("mmbench-bad");
  const auto load = [&](const std::string& content) {
    return load_task("mmbench_dev_en", "", {{"questions", dir.write("m.tsv", content)}});
  };
  const std::string header = "index\tquestion\thint\tA\tB\tC\tD\tanswer\timage\n";
  expect_input_error([&] { load("index\tquestion\tA\tB\n"); }, {"m.tsv:1", "image"});
  expect_input_error([&] { load(header + "x\tq\t\ta\tb\t\t\tA\tAAAA\n"); }, {"m.tsv:2", "index"});
  expect_input_error([&] { load(header + "1\tq\t\ta\tb\t\t\tA\tAAAA\n1\tq\t\ta\tb\t\t\tA\tAAAA\n"); },
                     {"m.tsv:3", "duplicate index 1"});
  expect_input_error([&] { load(header + "1\tq\t\ta\tb\t\t\tA\n"); }, {"m.tsv:2", "fields"});
  expect_input_error([&] { load(header + "1000001\tq\t\ta\tb\t\t\tA\t1\n"); }, {"m.tsv:2", "row index 1"});
  expect_input_error([&] { load(header + "1\tq\t\ta\tb\t\t\tA\t!!!\n"); }, {"m.tsv:2", "base64"});
}

TEST(MmvetDataset, GraderInputFile) {
  const auto t = load_task("mmvet", mini_root());
  ASSERT_EQ(t.samples.size(), 4u);
  EXPECT_FALSE(t.config.protocols.at("chat").expand_to_square);
  const Scorer& scorer = find_scorer("mmvet");
  EXPECT_TRUE(scorer.metric_names().empty());
  EXPECT_NE(scorer.notes("grader_input")[0].find("no offline score"), std::string::npos);
  std::vector<ForeignPrediction> answers;
  for (int i = 0; i < 4; ++i) answers.push_back({std::to_string(i), "answer " + std::to_string(i), json::object(), "a"});
  std::vector<SampleRecord> records;
  EXPECT_TRUE(score_task(t, answers, "grader_input", &records).empty());
  TempDir out("mmvet-sub");
  scorer.write_outputs(t.config, t.samples, records, out.path.string(), json::object());
  const json grader = read_json_file((out.path / "mmvet_grader_input.json").string());
  EXPECT_EQ(grader.size(), 4u);
  EXPECT_EQ(grader["v1_3"], "answer 3");
  records.pop_back();
  records.push_back(records.back());
  records.back().missing = true;
  expect_input_error([&] { scorer.write_outputs(t.config, t.samples, records, out.path.string(), json::object()); },
                     {"1 of 4"});
}

TEST(MmvetDataset, BadRecords) {
  TempDir dir("mmvet-bad");
  const auto load = [&](const std::string& content) {
    return load_task("mmvet", "", {{"questions", dir.write("q.jsonl", content)}});
  };
  expect_input_error([&] { load("{\"question_id\": 0, \"image\": \"a.jpg\"}\n"); }, {"q.jsonl:1", "text"});
  expect_input_error([&] { load("{\"question_id\": 0, \"image\": [1], \"text\": \"q\"}\n"); }, {"q.jsonl:1", "image"});
  expect_input_error(
      [&] { load("{\"question_id\": 0, \"image\": \"a.jpg\", \"text\": \"q\"}\n\n{\"question_id\": 0, \"image\": \"b.jpg\", \"text\": \"q\"}\n"); },
      {"q.jsonl:3", "duplicate question_id 0", "first at", "q.jsonl:1"});
  expect_input_error([&] { load("{\"question_id\": 0, \"image\": \"a.jpg\", \"text\": \"q\"\n"); }, {"q.jsonl:1"});
}

// Every config of these benchmarks loads its miniature through its adapter and renders its prompts.
TEST(A2MiniBenchmarks, EveryConfigLoadsItsMiniData) {
  const std::vector<std::pair<std::string, size_t>> tasks = {
      {"pope", 6}, {"mme", 6}, {"refcoco_val", 4}, {"refcoco_testA", 4}, {"refcoco_testB", 4}, {"refcoco+_val", 4},
      {"refcoco+_testA", 4}, {"refcoco+_testB", 4}, {"refcocog_val", 4}, {"refcocog_test", 4}, {"scienceqa_img", 4},
      {"seed_bench", 5}, {"mmbench_dev_en", 5}, {"mmbench_dev_cn", 4}, {"mmvet", 4}};
  for (const auto& [task, count] : tasks) {
    SCOPED_TRACE(task);
    const auto t = load_task(task, mini_root());
    ASSERT_EQ(t.samples.size(), count);
    for (const auto& s : t.samples) {
      if (!s.image_path.empty()) EXPECT_TRUE(std::filesystem::exists(s.image_path)) << s.image_path;
      for (const auto& [protocol, spec] : t.config.protocols) {
        const std::string prompt = render_prompt(task, spec, s);
        if (protocol == "multitask" && (!s.image_path.empty() || !s.image_bytes.empty()))
          EXPECT_NE(prompt.find("<ImageHere>"), std::string::npos) << prompt;
        if (protocol == "chat") EXPECT_EQ(prompt.rfind("<image>\n", 0) == 0, !s.image_path.empty() || !s.image_bytes.empty()) << prompt;
      }
    }
    // Scoring with no predictions works (everything missing) and gives the task's metrics.
    const auto m = score_task(t, {}, "");
    (void)m;
  }
  const auto g = load_task("refcoco_testA", mini_root());
  EXPECT_EQ(render_prompt("refcoco_testA", protocol_spec(g.config, "multitask"), g.samples[0]),
            "<image><ImageHere><ref>the car on the left</ref>");
  EXPECT_EQ(g.config.protocols.at("multitask").generation.num_beams, 5);
  EXPECT_EQ(g.config.protocols.at("multitask").generation.max_new_tokens, 30);
}

}  // namespace
}  // namespace infeval

// Task configs: every shipped config loads and names a registered adapter and scorer; malformed configs are errors
// that name the file and the key.
#include <gtest/gtest.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/prompt.h"
#include "core/task_config.h"
#include "harness/task_registry.h"
#include "harness_test_util.h"

using namespace infeval;
using namespace infeval_test;

namespace {

std::string error_of(const std::string& path) {
  try {
    load_task_config(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TaskConfig, EveryShippedConfigLoadsWithRegisteredParts) {
  const std::string dir = std::string(INFEVAL_SOURCE_DIR) + "/configs";
  const auto names = task_names(dir);
  ASSERT_GE(names.size(), 20u);
  for (const auto& name : names) {
    const TaskConfig t = load_task(dir, name);
    EXPECT_NO_THROW(find_adapter(t.adapter)) << name;
    const Scorer& s = find_scorer(t.scorer);
    if (!t.default_variant.empty()) {
      const auto v = s.variants();
      EXPECT_NE(std::find(v.begin(), v.end(), t.default_variant), v.end()) << name;
    }
    EXPECT_FALSE(t.protocols.empty()) << name;
  }
}

TEST(TaskConfig, MalformedConfigsNameFileAndKey) {
  const std::string dir = infeval::test::fresh_test_dir("task-config").string();
  const std::string base = R"("name": "t", "description": "d", "version": 1, "adapter": "qa_jsonl", "scorer": "exact_match", "files": {"questions": "q.jsonl"})";
  write_file(dir + "/unknown_key.json", "{" + base + R"(, "protocols": {"multitask": {"prompt": "x"}}, "protocol": 1})");
  EXPECT_NE(error_of(dir + "/unknown_key.json").find("unknown_key.json: unknown key 'protocol'; did you mean protocols?"),
            std::string::npos) << error_of(dir + "/unknown_key.json");
  write_file(dir + "/bad_protocol.json", "{" + base + R"(, "protocols": {"multitsk": {"prompt": "x"}}})");
  EXPECT_NE(error_of(dir + "/bad_protocol.json").find("protocols.multitsk: unknown protocol"), std::string::npos);
  write_file(dir + "/no_prompt.json", "{" + base + R"(, "protocols": {"chat": {}}})");
  EXPECT_NE(error_of(dir + "/no_prompt.json").find("field 'prompt' is missing"), std::string::npos);
  write_file(dir + "/bad_generation.json",
             "{" + base + R"(, "protocols": {"chat": {"prompt": "x", "generation": {"num_beam": 5}}}})");
  EXPECT_NE(error_of(dir + "/bad_generation.json").find("unknown generation setting 'num_beam'; did you mean num_beams?"),
            std::string::npos) << error_of(dir + "/bad_generation.json");
  write_file(dir + "/bad_transform.json",
             "{" + base + R"(, "protocols": {"chat": {"prompt": "{question}", "transforms": {"question": "lavis"}}}})");
  EXPECT_NE(error_of(dir + "/bad_transform.json").find("unknown transform 'lavis'"), std::string::npos);
  write_file(dir + "/broken.json", "{\n  \"name\": \"t\",\n  oops\n}");
  EXPECT_NE(error_of(dir + "/broken.json").find("broken.json:3:"), std::string::npos) << error_of(dir + "/broken.json");
}

TEST(Prompt, LavisQuestionTransformAsInfMllmQuestionProcessor) {
  // Hand-derived from the QuestionProcessor rules: lowercase, delete . ! " ( ) * # : ; ~, rstrip spaces.
  EXPECT_EQ(apply_text_transform("lavis_question", "What (color) is the \"Bus\"?!  "), "what color is the bus?");
  std::string long_question;
  for (int i = 0; i < 60; ++i) long_question += "w" + std::to_string(i) + " ";
  const std::string out = apply_text_transform("lavis_question", long_question);
  EXPECT_EQ(std::count(out.begin(), out.end(), ' '), 49);  // 50 words kept
  ProtocolSpec spec;
  spec.prompt_template = "<image><ImageHere>Question:{question} Short answer:";
  spec.transforms["question"] = "lavis_question";
  Sample s;
  s.id = "1";
  s.vars["question"] = "Is it RED?";
  EXPECT_EQ(render_prompt("t", spec, s), "<image><ImageHere>Question:is it red? Short answer:");
  s.vars.clear();
  try {
    render_prompt("t", spec, s);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sample 1 has no value for prompt variable '{question}'"), std::string::npos);
  }
}

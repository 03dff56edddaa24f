// Hostile JSON (issue 14): nesting deeper than kMaxJsonDepth, numbers that do not fit a double (1e400) or an int
// (1e300), and float ids are InputErrors naming the file, never a crash or undefined behaviour.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/json_io.h"
#include "core/task_config.h"
#include "harness/predictions_store.h"
#include "harness_test_util.h"
#include "tests/support/input_error.h"

using namespace infeval;
using namespace infeval_test;

namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST(JsonLimits, DeepNestingIsAnInputErrorNamingTheFile) {
  const std::string dir = infeval::test::fresh_test_dir("json-deep").string();
  // 160,000 levels crashed the recursive copy in read_json_records (SIGSEGV, no message).
  write_file(dir + "/deep.jsonl", "{\"a\": 1}\n" + nested(160000) + "\n");
  std::string error = test::input_error_message([&] { read_json_records(dir + "/deep.jsonl"); });
  EXPECT_NE(error.find("deep.jsonl:2: JSON nested deeper than 64 levels"), std::string::npos) << error;

  write_file(dir + "/deep.json", "{\"x\":\n" + nested(160000) + "}");
  error = test::input_error_message([&] { read_json_file(dir + "/deep.json"); });
  // The '{' is level 1, so the 64th '[' (line 2, column 64) is level 65, the first too deep.
  EXPECT_NE(error.find("deep.json:2:64: JSON nested deeper than 64 levels"), std::string::npos) << error;

  const std::string prefix = R"({"task": "t", "sample_id": "1", "prediction": "p", "diagnostics": )";
  write_file(dir + "/predictions.jsonl", prefix + nested(160000) + "}\n");
  error = test::input_error_message([&] { read_prediction_records(dir + "/predictions.jsonl"); });
  EXPECT_NE(error.find("predictions.jsonl:1:"), std::string::npos) << error;
  EXPECT_NE(error.find("nested deeper than 64 levels"), std::string::npos) << error;

  // Exactly 64 levels is accepted; brackets inside strings do not count.
  write_file(dir + "/ok.json", "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\", " +
                                   nested(63) + "]");
  EXPECT_NO_THROW(read_json_file(dir + "/ok.json"));
}

TEST(JsonLimits, NumberOutOfRangeIsAnInputErrorNamingTheFile) {
  const std::string dir = infeval::test::fresh_test_dir("json-1e400").string();
  write_file(dir + "/big.json", R"({"question_id": 1e400})");
  std::string error = test::input_error_message([&] { read_json_file(dir + "/big.json"); });
  EXPECT_NE(error.find("big.json: invalid JSON"), std::string::npos) << error;
  EXPECT_NE(error.find("1e400"), std::string::npos) << error;

  write_file(dir + "/big.jsonl", "{\"question_id\": 1}\n{\"question_id\": 1e400}\n");
  error = test::input_error_message([&] { read_json_records(dir + "/big.jsonl"); });
  EXPECT_NE(error.find("big.jsonl:2: invalid JSON line"), std::string::npos) << error;

  write_file(dir + "/predictions.jsonl", R"({"task": "t", "sample_id": 1e400, "prediction": "p"})" "\n");
  error = test::input_error_message([&] { read_prediction_records(dir + "/predictions.jsonl"); });
  EXPECT_NE(error.find("predictions.jsonl:1: invalid JSON"), std::string::npos) << error;

  // A field of the wrong type in a predictions record (type_error.302 from value()) names the line.
  write_file(dir + "/typed.jsonl", R"({"task": "t", "sample_id": "1", "prediction": "p", "prompt_hash": 3})" "\n");
  error = test::input_error_message([&] { read_prediction_records(dir + "/typed.jsonl"); });
  EXPECT_NE(error.find("typed.jsonl:1: "), std::string::npos) << error;
}

TEST(JsonLimits, FloatIdsMustBeExactIntegers) {
  // 47758082102758082102 exceeds uint64, so nlohmann reads it as a double; static_cast<long long> of it (or of
  // 1e300) was undefined behaviour.
  for (const char* text : {R"({"question_id": 47758082102758082102})", R"({"question_id": 1e300})",
                           R"({"question_id": 1.5})"}) {
    const json record = json::parse(text);
    const std::string error = test::input_error_message([&] { require_id(record, "question_id", "q.jsonl:3"); });
    EXPECT_NE(error.find("q.jsonl:3: field 'question_id': id "), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find("exactly representable integer"), std::string::npos) << error;
  }
  EXPECT_EQ(require_id(json::parse(R"({"id": 262148000.0})"), "id", "w"), "262148000");
  EXPECT_EQ(require_id(json::parse(R"({"id": 18446744073709551615})"), "id", "w"), "18446744073709551615");
  EXPECT_EQ(require_id(json::parse(R"({"id": "47758082102758082102"})"), "id", "w"), "47758082102758082102");
}

TEST(JsonLimits, TaskConfigIntegersAreRangeChecked) {
  const std::string dir = infeval::test::fresh_test_dir("json-task-ints").string();
  const std::string files = R"("adapter": "qa_jsonl", "scorer": "exact_match", "files": {"questions": "q.jsonl"})";
  write_file(dir + "/version.json", R"({"name": "t", "description": "d", "version": 1e300, )" + files +
                                        R"(, "protocols": {"chat": {"prompt": "x"}}})");
  std::string error = test::input_error_message([&] { load_task_config(dir + "/version.json"); });
  EXPECT_NE(error.find("version.json: field 'version' must be an integer in [0, 2147483647], got 1e+300"),
            std::string::npos) << error;

  write_file(dir + "/tokens.json", R"({"name": "t", "description": "d", "version": 1, )" + files +
                                       R"(, "protocols": {"chat": {"prompt": "x", "generation": {"max_new_tokens": 1e300}}}})");
  error = test::input_error_message([&] { load_task_config(dir + "/tokens.json"); });
  EXPECT_NE(error.find("tokens.json: protocols.chat.generation: field 'max_new_tokens' must be an integer in "
                       "[1, 1048576], got 1e+300"),
            std::string::npos) << error;

  // A wrong type (type_error from nlohmann) names the file too.
  write_file(dir + "/variant.json", R"({"name": "t", "description": "d", "version": 1, "default_variant": 3, )" +
                                        files + R"(, "protocols": {"chat": {"prompt": "x"}}})");
  error = test::input_error_message([&] { load_task_config(dir + "/variant.json"); });
  EXPECT_NE(error.find("variant.json: "), std::string::npos) << error;
  EXPECT_NE(error.find("type_error"), std::string::npos) << error;
}

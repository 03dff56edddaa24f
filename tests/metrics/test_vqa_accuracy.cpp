// VQA soft accuracy against numbers produced by running the official scripts (tests/data/vqa/README.md).
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics/python_text.h"
#include "metrics/vqa_accuracy.h"
#include "metrics/vqa_normalize.h"

namespace infeval {
namespace {

using json = nlohmann::json;

json load(const std::string& name) {
  std::ifstream in(std::string(INFEVAL_TEST_DATA) + "/vqa/" + name);
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

struct Case {
  std::vector<VqaGtAnswer> gts;
  std::string answer_type;
  std::string prediction;
};

std::map<std::string, Case> load_cases() {
  std::map<std::string, Case> cases;
  const json annotations = load("annotations.json");
  const json results = load("results.json");
  for (const auto& a : annotations["annotations"]) {
    Case c;
    for (auto answer : a["answers"]) {
      const std::string text = answer["answer"];
      answer.erase("answer");
      c.gts.push_back({text, answer.dump()});
    }
    c.answer_type = a["answer_type"];
    cases[std::to_string(a["question_id"].get<long long>())] = c;
  }
  for (const auto& r : results) cases[std::to_string(r["question_id"].get<long long>())].prediction = r["answer"];
  return cases;
}

void check_variant(const std::string& variant, VqaScoring scoring) {
  const json expected = load("expected.json")[variant];
  const auto cases = load_cases();
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_type;
  for (const auto& [id, c] : cases) {
    const double accuracy = vqa_question_accuracy(c.gts, c.prediction, scoring).accuracy;
    ASSERT_TRUE(expected["per_question_percent"].contains(id)) << id;
    EXPECT_NEAR(100.0 * accuracy, expected["per_question_percent"][id].get<double>(), 1e-9)
        << variant << " question " << id << " prediction '" << c.prediction << "'";
    all.push_back(accuracy);
    by_type[c.answer_type].push_back(accuracy);
  }
  EXPECT_NEAR(vqa_rounded_percent(all, 2), expected["overall"].get<double>(), 1e-6) << variant;
  for (const auto& [type, values] : by_type)
    EXPECT_NEAR(vqa_rounded_percent(values, 2), expected["perAnswerType"][type].get<double>(), 1e-6)
        << variant << " " << type;
}

TEST(VqaAccuracy, OfficialCurrentMatchesScript) { check_variant("official", VqaScoring::kOfficial); }
TEST(VqaAccuracy, Official2017MatchesScript) { check_variant("official-2017", VqaScoring::kOfficial2017); }
TEST(VqaAccuracy, InfmllmMatchesScript) { check_variant("infmllm", VqaScoring::kInfmllm); }
TEST(VqaAccuracy, LlavaMatchesScript) { check_variant("llava", VqaScoring::kLlava); }

TEST(VqaAccuracy, EvalAiProcessorMatchesScript) {
  const json expected = load("expected.json")["evalai_processed_predictions"];
  const json results = load("results.json");
  for (const auto& r : results) {
    const std::string id = std::to_string(r["question_id"].get<long long>());
    EXPECT_EQ(evalai_answer_processor(r["answer"].get<std::string>()), expected[id].get<std::string>()) << id;
  }
}

// Hand-derived: the scripts delete at most 32 periods (re.UNICODE passed as re.sub's count).
TEST(VqaNormalize, PeriodStripStopsAfter32) {
  const std::string input = std::string(40, '.') + "x";
  EXPECT_EQ(vqa_process_punctuation(input, VqaCommaRule::kDigitCommaDigit), std::string(8, '.') + "x");
  EXPECT_EQ(vqa_process_punctuation("3.5 m.", VqaCommaRule::kDigitCommaDigit), "3.5 m");
}

TEST(VqaNormalize, PunctuationNextToSpaceIsDeletedElseSpaced) {
  EXPECT_EQ(vqa_process_punctuation("black/white", VqaCommaRule::kDigitCommaDigit), "black white");
  EXPECT_EQ(vqa_process_punctuation("black / white", VqaCommaRule::kDigitCommaDigit), "black  white");
  // a digit-comma-digit anywhere deletes every punctuation mark
  EXPECT_EQ(vqa_process_punctuation("1,000 t-shirt", VqaCommaRule::kDigitCommaDigit), "1000 tshirt");
  EXPECT_EQ(vqa_process_punctuation("1,,0 a-b", VqaCommaRule::kDigitCommaDigit), "1  0 a b");
  EXPECT_EQ(vqa_process_punctuation("1,,0 a-b", VqaCommaRule::kDigitCommasDigit), "10 ab");
}

TEST(VqaNormalize, DigitsArticlesContractions) {
  EXPECT_EQ(vqa_process_digit_article("The  Two dogs DONT"), "2 dogs don't");
  EXPECT_EQ(vqa_process_digit_article("none of a kind"), "0 of kind");
  EXPECT_EQ(vqa_process_digit_article(""), "");
}

TEST(PythonText, StrMethods) {
  EXPECT_EQ(python_split("a  b", " "), std::vector<std::string>({"a", "", "b"}));
  EXPECT_EQ(python_split("", " "), std::vector<std::string>({""}));
  EXPECT_EQ(python_split_whitespace("\u00a0 a\tb\u3000"), std::vector<std::string>({"a", "b"}));
  EXPECT_EQ(python_replace("aaa", "aa", "b"), "ba");
  EXPECT_TRUE(python_re_digit(0x0661));  // ARABIC-INDIC DIGIT ONE matches `\d`
  EXPECT_FALSE(python_re_digit(0x00B2)); // SUPERSCRIPT TWO is No, not Nd
}

TEST(PythonText, RoundIsPython3Round) {
  EXPECT_EQ(python_round(2.675, 2), 2.67);  // 2.675 is 2.67499999... in binary
  EXPECT_EQ(python_round(0.125, 2), 0.12);  // exact tie: to even
  EXPECT_EQ(python_round(0.375, 2), 0.38);
  EXPECT_EQ(python_round(76.845, 2), 76.84);
}

// Values printed by CPython 2.7.18 (`print round(x, n)`, repr) and 3.11 for the same calls.
TEST(PythonText, RoundOfPython2TakesExactHalvesAwayFromZero) {
  const auto py2 = PythonVersion::k2;
  EXPECT_EQ(python_round(0.125, 2, py2), 0.13);   // exact tie (Python 3: 0.12)
  EXPECT_EQ(python_round(-0.125, 2, py2), -0.13);
  EXPECT_EQ(python_round(12.125, 2, py2), 12.13);  // Python 3: 12.12
  EXPECT_EQ(python_round(2.5, 0, py2), 3.0);       // Python 3: 2.0
  EXPECT_EQ(python_round(9.995, 2, py2), 9.99);    // 9.9949999... in binary: no tie
  EXPECT_EQ(python_round(99.995, 2, py2), 100.0);  // 99.99500000000000454...: above the half
  EXPECT_EQ(python_round(3.125, 2, py2), 3.13);
  EXPECT_EQ(python_round(2.675, 2, py2), 2.67);   // no tie: same as Python 3
  EXPECT_EQ(python_round(0.285, 2, py2), 0.28);
  EXPECT_EQ(python_round(1.005, 2, py2), 1.0);
}

TEST(PythonText, Python2StrSemantics) {
  const auto py2 = PythonVersion::k2;
  EXPECT_FALSE(python_re_digit(0x0661, py2));  // no re.UNICODE: `\d` is [0-9]
  EXPECT_TRUE(python_re_digit('7', py2));
  EXPECT_TRUE(python_isspace(0x180E, py2));    // Unicode 5.2: MONGOLIAN VOWEL SEPARATOR is Zs
  EXPECT_FALSE(python_isspace(0x180E));
  EXPECT_EQ(python_split_whitespace("a\u180eb", py2), std::vector<std::string>({"a", "b"}));
  EXPECT_EQ(python_split_whitespace("a\u180eb"), std::vector<std::string>({"a\u180eb"}));
  EXPECT_EQ(python_strip("\u180eyes", py2), "yes");
  EXPECT_EQ(python_lower("\u0130", py2), "i");          // u'\u0130'.lower() == u'i'
  EXPECT_EQ(python_lower("\u0130"), "i\u0307");        // '\u0130'.lower() == 'i\u0307'
  EXPECT_EQ(python_lower("\u039f\u03a3", py2), "\u03bf\u03c3");  // no final sigma in Python 2
}

// Python 3's str.lower() applies Final_Sigma: 'ΟΔΟΣ ΣΑ Σ'.lower() == 'οδος σα σ', 'AΣ.'.lower() == 'aς.'.
TEST(PythonText, Python3LowersAFinalSigma) {
  EXPECT_EQ(python_lower("\u039f\u0394\u039f\u03a3 \u03a3\u0391 \u03a3"),
            "\u03bf\u03b4\u03bf\u03c2 \u03c3\u03b1 \u03c3");
  EXPECT_EQ(python_lower("A\u03a3."), "a\u03c2.");
}

}  // namespace
}  // namespace infeval

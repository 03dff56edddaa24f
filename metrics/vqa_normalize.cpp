#include "metrics/vqa_normalize.h"

#include <unordered_map>
#include <vector>

#include "metrics/python_text.h"

namespace infeval {

namespace {

const char* const kPunctuation[] = {";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+",
                                    "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"};

// re.UNICODE == 32, passed where re.sub expects `count`.
constexpr int kPeriodReplacementLimit = 32;

bool has_comma_between_digits(const std::vector<uint32_t>& cps, VqaCommaRule rule, PythonVersion python) {
  for (size_t i = 1; i + 1 < cps.size(); ++i) {
    if (cps[i] != ',' || !python_re_digit(cps[i - 1], python)) continue;
    if (rule == VqaCommaRule::kDigitCommaDigit) {
      if (python_re_digit(cps[i + 1], python)) return true;
    } else {
      size_t j = i;
      while (j < cps.size() && cps[j] == ',') ++j;
      if (j < cps.size() && python_re_digit(cps[j], python)) return true;
    }
  }
  return false;
}

const std::unordered_map<std::string, std::string>& number_words() {
  static const std::unordered_map<std::string, std::string> map = {
      {"none", "0"}, {"zero", "0"}, {"one", "1"}, {"two", "2"},   {"three", "3"}, {"four", "4"},
      {"five", "5"}, {"six", "6"},  {"seven", "7"}, {"eight", "8"}, {"nine", "9"},  {"ten", "10"}};
  return map;
}

const std::unordered_map<std::string, std::string>& contractions() {
  // The scripts' table, keys verbatim (the capitalized keys can never match after lower(); kept for fidelity).
  static const std::unordered_map<std::string, std::string> map = {
      {"aint", "ain't"}, {"arent", "aren't"}, {"cant", "can't"}, {"couldve", "could've"}, {"couldnt", "couldn't"},
      {"couldn'tve", "couldn't've"}, {"couldnt've", "couldn't've"}, {"didnt", "didn't"}, {"doesnt", "doesn't"},
      {"dont", "don't"}, {"hadnt", "hadn't"}, {"hadnt've", "hadn't've"}, {"hadn'tve", "hadn't've"},
      {"hasnt", "hasn't"}, {"havent", "haven't"}, {"hed", "he'd"}, {"hed've", "he'd've"}, {"he'dve", "he'd've"},
      {"hes", "he's"}, {"howd", "how'd"}, {"howll", "how'll"}, {"hows", "how's"}, {"Id've", "I'd've"},
      {"I'dve", "I'd've"}, {"Im", "I'm"}, {"Ive", "I've"}, {"isnt", "isn't"}, {"itd", "it'd"},
      {"itd've", "it'd've"}, {"it'dve", "it'd've"}, {"itll", "it'll"}, {"let's", "let's"}, {"maam", "ma'am"},
      {"mightnt", "mightn't"}, {"mightnt've", "mightn't've"}, {"mightn'tve", "mightn't've"},
      {"mightve", "might've"}, {"mustnt", "mustn't"}, {"mustve", "must've"}, {"neednt", "needn't"},
      {"notve", "not've"}, {"oclock", "o'clock"}, {"oughtnt", "oughtn't"}, {"ow's'at", "'ow's'at"},
      {"'ows'at", "'ow's'at"}, {"'ow'sat", "'ow's'at"}, {"shant", "shan't"}, {"shed've", "she'd've"},
      {"she'dve", "she'd've"}, {"she's", "she's"}, {"shouldve", "should've"}, {"shouldnt", "shouldn't"},
      {"shouldnt've", "shouldn't've"}, {"shouldn'tve", "shouldn't've"}, {"somebody'd", "somebodyd"},
      {"somebodyd've", "somebody'd've"}, {"somebody'dve", "somebody'd've"}, {"somebodyll", "somebody'll"},
      {"somebodys", "somebody's"}, {"someoned", "someone'd"}, {"someoned've", "someone'd've"},
      {"someone'dve", "someone'd've"}, {"someonell", "someone'll"}, {"someones", "someone's"},
      {"somethingd", "something'd"}, {"somethingd've", "something'd've"}, {"something'dve", "something'd've"},
      {"somethingll", "something'll"}, {"thats", "that's"}, {"thered", "there'd"}, {"thered've", "there'd've"},
      {"there'dve", "there'd've"}, {"therere", "there're"}, {"theres", "there's"}, {"theyd", "they'd"},
      {"theyd've", "they'd've"}, {"they'dve", "they'd've"}, {"theyll", "they'll"}, {"theyre", "they're"},
      {"theyve", "they've"}, {"twas", "'twas"}, {"wasnt", "wasn't"}, {"wed've", "we'd've"},
      {"we'dve", "we'd've"}, {"weve", "we've"}, {"werent", "weren't"}, {"whatll", "what'll"},
      {"whatre", "what're"}, {"whats", "what's"}, {"whatve", "what've"}, {"whens", "when's"},
      {"whered", "where'd"}, {"wheres", "where's"}, {"whereve", "where've"}, {"whod", "who'd"},
      {"whod've", "who'd've"}, {"who'dve", "who'd've"}, {"wholl", "who'll"}, {"whos", "who's"},
      {"whove", "who've"}, {"whyll", "why'll"}, {"whyre", "why're"}, {"whys", "why's"}, {"wont", "won't"},
      {"wouldve", "would've"}, {"wouldnt", "wouldn't"}, {"wouldnt've", "wouldn't've"},
      {"wouldn'tve", "wouldn't've"}, {"yall", "y'all"}, {"yall'll", "y'all'll"}, {"y'allll", "y'all'll"},
      {"yall'd've", "y'all'd've"}, {"y'alld've", "y'all'd've"}, {"y'all'dve", "y'all'd've"}, {"youd", "you'd"},
      {"youd've", "you'd've"}, {"you'dve", "you'd've"}, {"youll", "you'll"}, {"youre", "you're"},
      {"youve", "you've"}};
  return map;
}

}  // namespace

std::string vqa_process_punctuation(const std::string& text, VqaCommaRule rule, PythonVersion python) {
  // Fast path (most answers): nothing to replace and no period to strip.
  if (text.find_first_of(";/[]\"{}()=+\\_-><@`,?!.") == std::string::npos) return text;
  const bool comma_digits = has_comma_between_digits(utf8_to_code_points(text), rule, python);
  std::string out = text;
  for (const char* p : kPunctuation) {
    const std::string mark = p;
    if (out.find(mark) == std::string::npos) continue;  // replacing an absent mark changes nothing
    const bool delete_mark =
        text.find(mark + " ") != std::string::npos || text.find(" " + mark) != std::string::npos || comma_digits;
    out = python_replace(out, mark, delete_mark ? "" : " ");
  }
  if (out.find('.') == std::string::npos) return out;
  const std::vector<uint32_t> cps = utf8_to_code_points(out);
  std::vector<uint32_t> kept;
  kept.reserve(cps.size());
  int removed = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    const bool digit_follows = i + 1 < cps.size() && python_re_digit(cps[i + 1], python);
    if (cps[i] == '.' && !digit_follows && removed < kPeriodReplacementLimit) {
      ++removed;
      continue;
    }
    kept.push_back(cps[i]);
  }
  return code_points_to_utf8(kept);
}

std::string vqa_process_digit_article(const std::string& text, PythonVersion python) {
  std::vector<std::string> words;
  for (std::string word : python_split_whitespace(python_lower(text, python), python)) {
    auto number = number_words().find(word);
    if (number != number_words().end()) word = number->second;
    if (word == "a" || word == "an" || word == "the") continue;
    words.push_back(word);
  }
  for (auto& word : words) {
    auto contraction = contractions().find(word);
    if (contraction != contractions().end()) word = contraction->second;
  }
  return python_join(words, " ");
}

std::string vqa_clean_whitespace(const std::string& text, PythonVersion python) {
  return python_strip(python_replace(python_replace(text, "\n", " "), "\t", " "), python);
}

std::string evalai_answer_processor(const std::string& text) {
  std::string item = python_lower(text);
  item = python_replace(python_replace(item, ",", ""), "?", "");
  item = python_replace(item, "'s", " 's");
  item = python_strip(item);
  item = vqa_clean_whitespace(item);
  item = vqa_process_punctuation(item, VqaCommaRule::kDigitCommasDigit);
  return vqa_process_digit_article(item);
}

}  // namespace infeval

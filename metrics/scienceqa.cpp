#include "metrics/scienceqa.h"

namespace infeval {

namespace {

bool is_option(const std::string& text) {
  return text.size() == 1 && text[0] >= 'A' && text[0] <= 'E';
}

// Number of non-overlapping matches of "The answer is ([A-Z])." and the letter of the first one.
int count_answer_phrases(const std::string& text, char& letter) {
  static const std::string phrase = "The answer is ";
  int count = 0;
  size_t pos = 0;
  while ((pos = text.find(phrase, pos)) != std::string::npos) {
    const size_t l = pos + phrase.size();
    // "." is one code point other than "\n"; it must exist after the letter.
    if (l + 1 < text.size() && text[l] >= 'A' && text[l] <= 'Z' && text[l + 1] != '\n') {
      if (count == 0) letter = text[l];
      ++count;
      size_t next = l + 2;  // skip the rest of a multi-byte "." character
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
      pos = next;
    } else {
      ++pos;
    }
  }
  return count;
}

}  // namespace

std::string scienceqa_parse_answer(const std::string& prediction) {
  if (is_option(prediction)) return prediction;
  if (prediction.size() >= 3 && prediction[0] >= 'A' && prediction[0] <= 'E' && prediction.compare(1, 2, ". ") == 0)
    return prediction.substr(0, 1);
  char letter = 0;
  if (count_answer_phrases(prediction, letter) == 1) return std::string(1, letter);
  return "FAILED";
}

int scienceqa_answer_index(const std::string& parsed, int num_choices) {
  if (!is_option(parsed)) return -1;
  const int index = parsed[0] - 'A';
  return index < num_choices ? index : -1;
}

}  // namespace infeval

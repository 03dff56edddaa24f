#include "metrics/mmbench.h"

#include <algorithm>
#include <cstdint>

#include "metrics/python_text.h"

namespace infeval {

namespace {

// Decodes one UTF-8 code point at text[pos]; sets `length`. Malformed bytes decode as themselves, length 1.
uint32_t decode_code_point(const std::string& text, size_t pos, size_t& length) {
  const unsigned char c = static_cast<unsigned char>(text[pos]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra > 0 && pos + extra >= text.size()) extra = 0;
  uint32_t cp = extra == 0 ? c : (c & (0x3F >> extra));
  for (int i = 1; i <= extra; ++i) cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  length = static_cast<size_t>(extra) + 1;
  return cp;
}

// Python's str.isspace() code points (as str.split() uses them).
bool is_python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

std::vector<std::string> python_split(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (size_t pos = 0; pos < text.size();) {
    size_t length = 1;
    const uint32_t cp = decode_code_point(text, pos, length);
    if (is_python_space(cp)) {
      if (!current.empty()) words.push_back(current);
      current.clear();
    } else {
      current.append(text, pos, length);
    }
    pos += length;
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

std::string to_lower_ascii_copy(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

size_t code_point_count(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// _VERBOSE_ANSWER_RE = (?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\** searched in `text`: the letter (upper case)
// after the leftmost "answer<spaces>is<spaces>[*...]" whose next character is a-d/A-D; "" if none. (The optional
// "correct " prefix only moves the match start, never the letter.) ASCII case folding.
std::string verbose_answer_letter(const std::string& text) {
  const std::string lower = to_lower_ascii_copy(text);
  const auto skip_spaces = [&](size_t pos) {
    while (pos < text.size()) {
      size_t length = 1;
      if (!is_python_space(decode_code_point(text, pos, length))) break;
      pos += length;
    }
    return pos;
  };
  for (size_t start = lower.find("answer"); start != std::string::npos; start = lower.find("answer", start + 1)) {
    size_t pos = start + 6;
    const size_t after_answer = skip_spaces(pos);
    if (after_answer == pos || lower.compare(after_answer, 2, "is") != 0) continue;
    pos = after_answer + 2;
    const size_t after_is = skip_spaces(pos);
    if (after_is == pos) continue;
    pos = after_is;
    while (pos < text.size() && text[pos] == '*') ++pos;
    if (pos < text.size() && lower[pos] >= 'a' && lower[pos] <= 'd')
      return std::string(1, static_cast<char>(lower[pos] - 'a' + 'A'));
  }
  return "";
}

std::string can_infer_option(const std::string& answer, const std::map<std::string, std::string>& choices) {
  static const char* const refusals[] = {"Sorry, I can't help with images of people yet.",
                                         "I can't process this file.", "I'm sorry, but without the image provided",
                                         "Cannot determine the answer"};
  if (answer.find("Failed to obtain answer via API") != std::string::npos) return "";
  for (const char* refusal : refusals)
    if (answer.find(refusal) != std::string::npos) return "Z";
  std::string modified = answer;
  for (char& c : modified)
    if (std::string(".()[],:;!*#{}").find(c) != std::string::npos) c = ' ';
  const std::vector<std::string> words = python_split(modified);
  const auto contains = [&](const std::string& w) { return std::find(words.begin(), words.end(), w) != words.end(); };
  int count = 0;
  for (const auto& choice : choices) count += contains(choice.first) ? 1 : 0;
  if (count == 1) {
    for (const auto& choice : choices) {  // dict order: A, B, C, ...
      // The letter must be among the last 4 words: splits.index(ch) > len(splits) - 5.
      const auto it = std::find(words.begin(), words.end(), choice.first);
      if (it != words.end() && static_cast<long>(it - words.begin()) > static_cast<long>(words.size()) - 5)
        return choice.first;
    }
  } else if (count == 0 && contains("Z")) {  // count_choice(splits, {'Z', ''}): "" is never a word
    return "Z";
  }
  const std::string verbose = verbose_answer_letter(answer);
  if (!verbose.empty() && choices.count(verbose)) return verbose;
  return "";
}

std::string can_infer_text(const std::string& answer, const std::map<std::string, std::string>& choices) {
  const std::string lower = python_lower(answer);
  size_t option_chars = 0;
  for (const auto& choice : choices) option_chars += code_point_count(choice.second);
  if (code_point_count(lower) > 2 * option_chars) return "";
  std::string found;
  int count = 0;
  for (const auto& choice : choices) {
    if (lower.find(python_lower(choice.second)) != std::string::npos) {
      if (count == 0) found = choice.first;
      ++count;
    }
  }
  return count == 1 ? found : "";
}

}  // namespace

std::string mmbench_can_infer(const std::string& answer, const std::map<std::string, std::string>& choices) {
  const std::string option = can_infer_option(answer, choices);
  return option.empty() ? can_infer_text(answer, choices) : option;
}

bool mmbench_hit(const std::string& prediction, const std::map<std::string, std::string>& choices,
                 const std::string& answer) {
  return mmbench_can_infer(prediction, choices) == answer;
}

long long mmbench_circular_group(long long index) { return index % 1000000; }

}  // namespace infeval

#include "metrics/caption_tokenizer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "metrics/python_text.h"

namespace infeval {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha_byte(char c) { return std::isalpha(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) >= 0x80); }

// Curly quotes become their ASCII counterparts first (PTB normalizes them to `` '' ` ').
std::string ascii_quotes(const std::string& text) {
  std::string out = python_replace(text, "\xE2\x80\x9C", "\"");  // left double
  out = python_replace(out, "\xE2\x80\x9D", "\"");                // right double
  out = python_replace(out, "\xE2\x80\x98", "'");                 // left single
  out = python_replace(out, "\xE2\x80\x99", "'");                 // right single
  return out;
}

const std::set<std::string>& abbreviations() {
  // Common abbreviations PTBLexer keeps together with their period.
  static const std::set<std::string> set = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "prof", "inc",
                                            "co", "corp", "ltd", "mt", "ft", "ave", "no", "jan", "feb", "mar", "apr",
                                            "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"};
  return set;
}

// "u.s", "a.m", "e.g": single letters separated by periods (the caller has removed the final period).
bool is_dotted_letters(const std::string& core) {
  if (core.size() < 3) return false;
  for (size_t i = 0; i < core.size(); ++i) {
    if (i % 2 == 0 && !std::isalpha(static_cast<unsigned char>(core[i]))) return false;
    if (i % 2 == 1 && core[i] != '.') return false;
  }
  return core.size() % 2 == 1;
}

std::string bracket_token(char c) {
  switch (c) {
    case '(': return "-LRB-";
    case ')': return "-RRB-";
    case '[': return "-LSB-";
    case ']': return "-RSB-";
    case '{': return "-LCB-";
    case '}': return "-RCB-";
    default: return std::string(1, c);
  }
}

// A run of hyphens as PTBLexer's {HYPHENS} rule returns it: 3 or 4 become "--" (ptb3Dashes), others stay.
std::string hyphen_token(size_t length) { return length == 3 || length == 4 ? "--" : std::string(length, '-'); }

// PTBLexer's assimilation rules (splitAssimilations, on by default): "cannot" -> "can" "not", "gonna" -> "gon"
// "na" (also gotta lemme gimme wanna), "'twas" -> "'t" "was", "'tis" -> "'t" "is". True if `word` was one.
bool split_assimilation(const std::string& word, std::vector<std::string>* out) {
  const std::string lower = python_lower(word);
  size_t keep = 0;
  if (lower == "cannot") keep = 3;
  else if (lower == "gonna" || lower == "gotta" || lower == "lemme" || lower == "gimme" || lower == "wanna") keep = 3;
  else if (lower == "'twas" || lower == "'tis") keep = 2;
  else return false;
  out->push_back(word.substr(0, keep));
  out->push_back(word.substr(keep));
  return true;
}

// Splits a word (no brackets/quotes/trailing punctuation left) at clitics: n't 's 're 've 'll 'd 'm, and a final '
// after s.
void split_clitics(const std::string& word, std::vector<std::string>* out) {
  if (split_assimilation(word, out)) return;
  std::string lower = python_lower(word);
  const size_t n_quote = lower.find("'n'");  // "rock'n'roll" -> "rock" "'n'" "roll" (APOWORD {APOS}n{APOS})
  if (n_quote != std::string::npos && n_quote > 0 && n_quote + 3 < lower.size()) {
    out->push_back(word.substr(0, n_quote));
    out->push_back(word.substr(n_quote, 3));
    split_clitics(word.substr(n_quote + 3), out);
    return;
  }
  static const char* const kClitics[] = {"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"};
  for (const char* clitic : kClitics) {
    const std::string c = clitic;
    if (lower.size() > c.size() && python_endswith(lower, c) && is_alpha_byte(lower[lower.size() - c.size() - 1])) {
      out->push_back(word.substr(0, word.size() - c.size()));
      out->push_back(word.substr(word.size() - c.size()));
      return;
    }
  }
  if (lower.size() > 1 && lower.back() == '\'' && lower[lower.size() - 2] == 's') {
    out->push_back(word.substr(0, word.size() - 1));
    out->push_back("'");
    return;
  }
  out->push_back(word);
}

// Whether a chunk's leading apostrophe is part of a token (PTBLexer's REDAUX and APOWORD rules: "'s", "'re",
// "'em", "'til(l)", "'cause", "'n'", "'90s", "'twas"); otherwise, before a letter or digit, it is an opening quote.
bool leading_apostrophe_stays(const std::string& chunk) {
  const std::string lower = python_lower(chunk);
  std::string word = lower;
  while (!word.empty() && std::string(",;:.?!\")]}").find(word.back()) != std::string::npos) word.pop_back();
  static const char* const kWholeWords[] = {"'s", "'m", "'d", "'re", "'ve", "'ll", "'n", "'n'", "'em", "'til",
                                            "'till", "'cause", "'twas", "'tis"};
  for (const char* w : kWholeWords)
    if (word == w) return true;
  return word.size() == 4 && word[1] >= '2' && word[1] <= '9' && word[2] == '0' && word[3] == 's';  // '90s
}

// Tokens of one whitespace-free chunk.
void tokenize_chunk(std::string chunk, std::vector<std::string>* out) {
  // Leading quotes and opening brackets.
  while (!chunk.empty()) {
    const char c = chunk[0];
    if (c == '"') { out->push_back("``"); chunk.erase(0, 1); }
    else if (c == '`') { out->push_back("`"); chunk.erase(0, 1); }
    else if (c == '\'' && chunk.size() > 1 && !leading_apostrophe_stays(chunk)) {
      out->push_back("`");
      chunk.erase(0, 1);
    } else if (c == '(' || c == '[' || c == '{') { out->push_back(bracket_token(c)); chunk.erase(0, 1); }
    else if (c == '-' && !(chunk.size() > 1 && is_digit(chunk[1]))) {
      // A leading hyphen run splits off ("-go" -> "-" "go"); one hyphen before a digit is a sign ("-5").
      size_t end = 0;
      while (end < chunk.size() && chunk[end] == '-') ++end;
      if (end == chunk.size()) break;  // hyphens only: handled below
      out->push_back(hyphen_token(end));
      chunk.erase(0, end);
    } else break;
  }
  // Trailing punctuation, collected in reverse.
  std::vector<std::string> tail;
  while (!chunk.empty()) {
    const char c = chunk.back();
    if (c == '"') { tail.push_back("''"); chunk.pop_back(); }
    else if (c == ')' || c == ']' || c == '}') { tail.push_back(bracket_token(c)); chunk.pop_back(); }
    else if (c == ',' || c == ';' || c == ':') { tail.push_back(std::string(1, c)); chunk.pop_back(); }
    else if (c == '?' || c == '!') {
      size_t start = chunk.size();
      while (start > 0 && (chunk[start - 1] == '?' || chunk[start - 1] == '!')) --start;
      tail.push_back(chunk.substr(start));
      chunk.erase(start);
    } else if (c == '.') {
      size_t start = chunk.size();
      while (start > 0 && chunk[start - 1] == '.') --start;
      const size_t dots = chunk.size() - start;
      if (dots >= 2) {
        tail.push_back(chunk.substr(start));
        chunk.erase(start);
        continue;
      }
      const std::string core = python_lower(chunk.substr(0, chunk.size() - 1));
      if (abbreviations().count(core) || is_dotted_letters(core)) break;  // "mr." "u.s." keep their period
      tail.push_back(".");
      chunk.pop_back();
    } else if (c == '\'' && chunk.size() > 1 && chunk[chunk.size() - 2] != 's' && chunk[chunk.size() - 2] != 'S') {
      tail.push_back("''");
      chunk.pop_back();
    } else if (c == '-' && chunk.find_first_not_of('-') != std::string::npos) {
      // A trailing hyphen run splits off ("city-" -> "city" "-"): no word rule ends in a hyphen.
      size_t start = chunk.size();
      while (start > 0 && chunk[start - 1] == '-') --start;
      tail.push_back(hyphen_token(chunk.size() - start));
      chunk.erase(start);
    } else {
      break;
    }
  }
  // Interior splits: "--", and , ; ! ? not between digits.
  std::string word;
  auto flush = [&] {
    if (!word.empty()) split_clitics(word, out);
    word.clear();
  };
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if ((c == '-' && (i + 1 == chunk.size() || chunk[i + 1] == '-')) || c == '*') {
      // "--" and longer hyphen runs separate words ("x--y" -> "x" "--" "y"; a chunk of hyphens only lands here
      // too); asterisks are their own tokens ("a*b" -> "a" "*" "b", "**" stays).
      flush();
      size_t j = i;
      while (j < chunk.size() && chunk[j] == c) ++j;
      out->push_back(c == '-' ? hyphen_token(j - i) : chunk.substr(i, j - i));
      i = j - 1;
      continue;
    }
    const bool between_digits = i > 0 && i + 1 < chunk.size() && is_digit(chunk[i - 1]) && is_digit(chunk[i + 1]);
    if ((c == ',' || c == ';' || c == '!' || c == '?') && !between_digits) {
      flush();
      out->push_back(std::string(1, c));
      continue;
    }
    if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"') {
      flush();
      out->push_back(c == '"' ? "''" : bracket_token(c));
      continue;
    }
    word.push_back(c);
  }
  flush();
  for (auto it = tail.rbegin(); it != tail.rend(); ++it) out->push_back(*it);
}

}  // namespace

std::vector<std::string> ptb_tokenize(const std::string& caption) {
  std::vector<std::string> tokens;
  for (const auto& chunk : python_split_whitespace(ascii_quotes(caption))) {
    if (chunk == "...") {
      tokens.push_back(chunk);
      continue;
    }
    tokenize_chunk(chunk, &tokens);
  }
  // -lowerCase lowercases every token, the bracket names too ("-LRB-" -> "-lrb-"), which pycocoevalcap's filter
  // (it lists "-LRB-") then keeps.
  for (auto& token : tokens) token = python_lower(token);
  return tokens;
}

std::string coco_tokenize_caption(const std::string& caption) {
  static const std::set<std::string> kPunctuation = {"''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".",
                                                     "?",  "!", ",",  ":", "-",     "--",    "...",   ";"};
  std::vector<std::string> kept;
  for (const auto& token : ptb_tokenize(caption))
    if (!kPunctuation.count(token)) kept.push_back(token);
  return python_join(kept, " ");
}

}  // namespace infeval

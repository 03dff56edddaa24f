// Caption tokenization as pycocoevalcap does it, without Java: a C++ rendering of the rules of Stanford CoreNLP
// 3.4.1's PTBLexer that captions meet, with PTBTokenizer's -preserveLines -lowerCase (the only options
// pycocoevalcap passes), then pycocoevalcap's removal of punctuation tokens
// ('' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;), tokens joined with single spaces.
// As the lexer does (checked against it: tests/data/captions/ptb/): punctuation split off words (commas between
// digits, periods inside numbers and dotted abbreviations such as "u.s." / "mr." kept), quotes and brackets (every
// token is lowercased, so "-LRB-" becomes "-lrb-", which the filter keeps), clitics ("don't" -> "do n't", "dog's"
// -> "dog 's", "dogs'" -> "dogs '"), "cannot" -> "can not" and "gonna" -> "gon na" (splitAssimilations), hyphen
// runs at a word's edges and runs of two or more inside it split off (3 or 4 hyphens become "--"), asterisks
// split off, "/" kept inside words and not escaped (escapeForwardSlashAsterisk is off in 3.4.1), and no
// British-to-American respelling (americanize is off unless asked for, and pycocoevalcap does not ask).
// Known differences: rules that look across a line break at the next caption (an abbreviation at the end of one
// caption followed by a capital) and rare token classes (URLs, e-mail addresses, smileys, phone numbers).
#pragma once
#include <string>
#include <vector>

namespace infeval {

// PTB-style tokens of one caption (newlines treated as spaces), lowercased, before punctuation removal.
std::vector<std::string> ptb_tokenize(const std::string& caption);

// The pycocoevalcap caption string: ptb_tokenize, punctuation tokens dropped, joined with ' '.
std::string coco_tokenize_caption(const std::string& caption);

}  // namespace infeval

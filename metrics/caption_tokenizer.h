// Caption tokenization as pycocoevalcap does it, without Java: a C++ approximation of Stanford CoreNLP 3.4.1
// PTBTokenizer (-preserveLines -lowerCase), then pycocoevalcap's removal of punctuation tokens
// ('' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;), tokens joined with single spaces.
// Handled as PTB does: punctuation split off words (commas between digits, periods inside numbers and dotted
// abbreviations such as "u.s." / "mr." kept), quotes and brackets, clitics split ("don't" -> "do n't",
// "dog's" -> "dog 's", "dogs'" -> "dogs '"), "--" split, "/" and "*" escaped with a backslash as 3.4.1 does.
// Not reproduced: British-to-American respelling ("americanize") and the splitting of "cannot"/"gonna", so that
// lowercase, space-separated, punctuation-free captions always come out unchanged.
#pragma once
#include <string>
#include <vector>

namespace infeval {

// PTB-style tokens of one caption (newlines treated as spaces), lowercased, before punctuation removal.
std::vector<std::string> ptb_tokenize(const std::string& caption);

// The pycocoevalcap caption string: ptb_tokenize, punctuation tokens dropped, joined with ' '.
std::string coco_tokenize_caption(const std::string& caption);

}  // namespace infeval

// ScienceQA as LLaVA's eval_science_qa.py (v1.5) scores it, with options A-E:
//   1. the prediction is exactly one of A..E -> that letter;
//   2. else, if it is >= 3 characters, starts with a letter A..E and characters 1..2 are ". " -> that letter;
//   3. else re.findall("The answer is ([A-Z]).") (unescaped ".": any character but "\n" must follow) -> the letter
//      if there is exactly one match;
//   4. else "FAILED".
// The letter's index among A..E counts only if it is below the number of choices; right iff it equals the answer.
#pragma once
#include <string>

namespace infeval {

// The parsed answer: "A".."Z" or "FAILED".
std::string scienceqa_parse_answer(const std::string& prediction);

// Index of the parsed answer among A..E when within num_choices, else -1.
int scienceqa_answer_index(const std::string& parsed, int num_choices);

}  // namespace infeval

// The question inside a LLaVA TextVQA prompt, as eval_textvqa.py's prompt_processor reads it, lowercased:
//   "OCR tokens: ... Question: Q Short answer:"         -> Q
//   "Q\nReference OCR token: ...\nAnswer ..." (3 lines)   -> line 1 (line 2 if the prompt starts with the tokens)
//   "Q\nAnswer the question ..." (2 lines)               -> line 1
// Anything else is an InputError naming `where` (the script asserts).
#pragma once
#include <string>

namespace infeval {

std::string textvqa_question_from_prompt(const std::string& prompt, const std::string& where);

}  // namespace infeval

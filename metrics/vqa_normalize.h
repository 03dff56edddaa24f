// Answer normalization of the VQA evaluation code (GT-Vision-Lab vqaEval.py, LAVIS/InfMLLM vqa_metric.py) and of
// the EvalAI answer processor (m4c_evaluator.py in LLaVA/MMF), reproduced with their quirks:
//   - punctuation: each of ; / [ ] " { } ( ) = + \ _ - > < @ ` , ? ! is deleted when it appears next to a space
//     in the ORIGINAL text (or when the text has a digit-comma-digit anywhere), otherwise replaced by a space;
//   - periods not followed by a digit are deleted, but only the first 32: the scripts pass re.UNICODE (= 32) as
//     re.sub's count argument, and the malformed "(?!<=\d)" lookbehind never matches;
//   - digits are Python's `\d`, lowercasing, stripping and splitting Python's lower()/strip()/split(), of the
//     interpreter the script runs under (metrics/python_text.h): vqaEval.py is Python 2.7 (`\d` = [0-9]), the
//     EvalAI processor (m4c_evaluator.py) and InfMLLM's vqa_metric.py are Python 3 (`\d` = any Unicode Nd).
#pragma once
#include <string>

#include "metrics/python_text.h"

namespace infeval {

enum class VqaCommaRule {
  kDigitCommaDigit,   // vqaEval.py: re.search("(\d)(\,)(\d)")
  kDigitCommasDigit,  // EvalAI: re.search("(?<=\d)(\,)+(?=\d)")
};

// processPunctuation / process_punctuation.
std::string vqa_process_punctuation(const std::string& text, VqaCommaRule rule,
                                    PythonVersion python = PythonVersion::k3);
// processDigitArticle: lower, split, number words none/zero..ten -> 0..10, drop a/an/the, contractions table,
// join with single spaces.
std::string vqa_process_digit_article(const std::string& text, PythonVersion python = PythonVersion::k3);
// replace('\n',' ').replace('\t',' ').strip(), applied to answers before everything else.
std::string vqa_clean_whitespace(const std::string& text, PythonVersion python = PythonVersion::k3);
// EvalAIAnswerProcessor.__call__: lower; delete ',' and '?'; "'s" -> " 's"; strip; whitespace cleanup;
// punctuation (EvalAI comma rule); digits and articles.
std::string evalai_answer_processor(const std::string& text);

}  // namespace infeval

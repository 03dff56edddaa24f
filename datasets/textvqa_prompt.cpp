#include "datasets/textvqa_prompt.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"
#include "metrics/python_text.h"

namespace infeval {

std::string textvqa_question_from_prompt(const std::string& prompt, const std::string& where) {
  const std::vector<std::string> lines = split(prompt, '\n');
  std::string question;
  if (starts_with(prompt, "OCR tokens: ")) {
    // re.search(r"Question: (.*?) Short answer:", prompt, re.DOTALL): the first "Question: " followed (lazily)
    // by the first " Short answer:".
    const size_t start = prompt.find("Question: ");
    const size_t end = start == std::string::npos ? std::string::npos : prompt.find(" Short answer:", start + 10);
    if (start == std::string::npos || end == std::string::npos)
      throw InputError(fmt::format("{}: prompt starts with 'OCR tokens: ' but has no 'Question: ... Short answer:'",
                                   where));
    question = prompt.substr(start + 10, end - start - 10);
  } else if (prompt.find("Reference OCR token: ") != std::string::npos && lines.size() == 3) {
    question = starts_with(prompt, "Reference OCR token:") ? lines[1] : lines[0];
  } else if (lines.size() == 2) {
    question = lines[0];
  } else {
    throw InputError(fmt::format("{}: cannot read the question from the prompt (expected LLaVA's TextVQA prompt "
                                 "layouts; eval_textvqa.py would assert): {}", where, prompt.substr(0, 80)));
  }
  return python_lower(question);
}

}  // namespace infeval

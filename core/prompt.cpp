#include "core/prompt.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/text_util.h"

namespace infeval {

static std::string lavis_question(const std::string& question) {
  std::string text = to_lower_ascii(question);
  std::string kept;
  for (char c : text) {
    if (std::string(".!\"()*#:;~").find(c) == std::string::npos) kept.push_back(c);
  }
  while (!kept.empty() && kept.back() == ' ') kept.pop_back();
  // Python: question.split(" ")[:50] then " ".join: splitting on single spaces keeps empty words.
  std::vector<std::string> words = split(kept, ' ');
  if (words.size() > 50) words.resize(50);
  return join(words, " ");
}

std::vector<std::string> text_transform_names() { return {"lavis_question"}; }

std::string apply_text_transform(const std::string& transform, const std::string& text) {
  if (transform == "lavis_question") return lavis_question(text);
  throw InputError(unknown_name_message("transform", transform, text_transform_names(), ""));
}

std::string render_prompt(const std::string& task_name, const ProtocolSpec& spec, const Sample& sample) {
  const std::string& tpl = spec.prompt_template;
  std::string out;
  for (size_t i = 0; i < tpl.size();) {
    if (tpl[i] == '{') {
      const size_t close = tpl.find('}', i);
      if (close == std::string::npos) throw InputError(fmt::format("task {}: unclosed '{{' in prompt template", task_name));
      const std::string var = tpl.substr(i + 1, close - i - 1);
      auto it = sample.vars.find(var);
      if (it == sample.vars.end())
        throw InputError(fmt::format("task {}: sample {} has no value for prompt variable '{{{}}}'", task_name,
                                     sample.id, var));
      auto transform = spec.transforms.find(var);
      out += transform == spec.transforms.end() ? it->second : apply_text_transform(transform->second, it->second);
      i = close + 1;
    } else {
      out.push_back(tpl[i++]);
    }
  }
  return out;
}

}  // namespace infeval

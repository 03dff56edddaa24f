// Prompt rendering: "{name}" placeholders filled from a Sample's vars, after optional named transforms.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

// Renders `spec.prompt_template` for `sample`; InputError naming the task and sample if a var is missing.
std::string render_prompt(const std::string& task_name, const ProtocolSpec& spec, const Sample& sample);

// Named transforms usable in "transforms":
//   lavis_question: InfMLLM's QuestionProcessor: lowercase, delete . ! " ( ) * # : ; ~, rstrip spaces, keep at
//                   most 50 space-separated words.
std::string apply_text_transform(const std::string& transform, const std::string& text);
std::vector<std::string> text_transform_names();

}  // namespace infeval

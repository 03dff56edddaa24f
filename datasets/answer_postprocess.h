// Optional external post-processing of model answers (e.g. InfMLLM's spaCy lemmatization for OK-VQA, which
// cannot be reproduced in C++). Contract of the command: stdin = one JSON string per line (the answers, in
// sample order); stdout = one JSON string per line, the same count, in the same order. Run with /bin/sh -c.
#pragma once
#include <string>
#include <vector>

namespace infeval {

// RuntimeFailure if the command fails or returns a different number of lines; InputError if a line is not a
// JSON string.
std::vector<std::string> run_answer_postprocess_command(const std::string& command,
                                                        const std::vector<std::string>& answers,
                                                        const std::string& task_name);

}  // namespace infeval

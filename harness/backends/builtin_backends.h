// Backends that need no model: `fixed` (answers from a rule, for pipeline tests) and `replay` (answers from an
// existing predictions file, so any model's output can be run through the harness).
#pragma once
#include <memory>
#include <string>

#include "core/backend.h"

namespace infeval {

// Rules: "text:ANSWER" (always ANSWER, default "text:yes"), "cycle:A|B|C" (picks by a hash of task and sample id,
// so the answer does not depend on batching or sharding), "echo" (the prompt itself); any rule may end with
// ";delay_ms=N" (sleep N ms per batch, for tests that interrupt a run).
std::unique_ptr<Backend> make_fixed_backend(const std::string& rule, const std::string& protocol);

// `path`: a predictions file in any format `infeval score` reads (harness JSONL, LLaVA answers, VQA results list,
// grounding answers, COCO captions); matched by (task, sample id) or by sample id alone.
std::unique_ptr<Backend> make_replay_backend(const std::string& path, const std::string& protocol);

}  // namespace infeval

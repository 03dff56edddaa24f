// Loading and validating task configs (configs/tasks/<name>.json). Format, with every key:
// {
//   "name": "vqav2_val", "description": "one line", "version": 1,
//   "adapter": "vqa_official", "scorer": "vqav2", "default_variant": "official",   (optional)
//   "files": {"questions": "vqav2/...json", "annotations": "...", "images": "coco/val2014"},
//   "protocols": {
//     "multitask": {"prompt": "<image><ImageHere>Question:{question} Short answer:",
//                   "transforms": {"question": "lavis_question"}, "expand_to_square": false,
//                   "generation": {"max_new_tokens": 10, "num_beams": 5, "min_length": 1, "length_penalty": 0}},
//     "chat": {...}},
//   "missing_policy": "count" | "error",
//   "options": {...adapter/scorer specific...; "submission_only": true makes an incomplete submission file an
//               error (server-scored tasks); elsewhere it is skipped with a note and local metrics are kept}
// }
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

// Parses and validates one config file; InputError naming the file and the offending key.
TaskConfig load_task_config(const std::string& path);

// Applies --data-root and --file [TASK:]KEY=PATH overrides (a "TASK:KEY" override applies to that task only).
// Unknown override keys are errors listing the task's keys.
ResolvedFiles resolve_task_files(const TaskConfig& task, const std::string& data_root,
                                 const std::vector<std::pair<std::string, std::string>>& overrides);

// The spec for `protocol`, or an InputError listing the task's protocols.
const ProtocolSpec& protocol_spec(const TaskConfig& task, const std::string& protocol);

}  // namespace infeval

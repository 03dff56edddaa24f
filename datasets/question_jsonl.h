// The question files in JSONL with one record per line naming "question_id" (unique) and "image" (LLaVA's
// llava_*.jsonl, Qwen-VL's converted files, SEED, POPE, MM-Vet): one reader for the part they share.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "datasets/unique_ids.h"
#include "core/json_io.h"
#include "core/task.h"

namespace infeval {

// For each line of `path`: a Sample with id = question_id (InputError "path:line: duplicate question_id ..." when
// repeated) and image_path = images_dir + "/" + image (image alone when images_dir is empty); then
// fill(record, where, &sample) adds what the format defines (where = "path:line" for errors). Question-file order.
// `question_ids`, when given, receives where each id stands (for later errors that name the line).
std::vector<Sample> read_question_jsonl(
    const std::string& path, const std::string& images_dir,
    const std::function<void(const json& record, const std::string& where, Sample* sample)>& fill,
    UniqueIds* question_ids = nullptr);

}  // namespace infeval

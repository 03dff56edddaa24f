// Per-sample records on disk: <out>/samples/<task>.jsonl, one SampleRecord per line in question-file order:
//   {"id": "262148000", "question": "...", "prediction": "raw text", "parsed": "...", "references": [...],
//    "score": 1.0, "extra": {...}, "missing": false, "failed": false}
#pragma once
#include <string>
#include <vector>

#include "harness/core/task.h"

namespace infeval {

json sample_record_to_json(const SampleRecord& record);
SampleRecord sample_record_from_json(const json& j, const std::string& where);
void write_sample_records(const std::string& path, const std::vector<SampleRecord>& records);
std::vector<SampleRecord> read_sample_records(const std::string& path);

}  // namespace infeval

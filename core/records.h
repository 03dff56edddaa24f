// Per-sample records on disk: <out>/samples/<task>.jsonl, one SampleRecord per line in question-file order:
//   {"id": "262148000", "question": "...", "prediction": "raw text", "parsed": "...", "references": [...],
//    "score": 1.0, "extra": {...}, "missing": false, "failed": false}
// extra.cluster (optional string): records sharing it are scored together (MME's two questions of an image) and
// are resampled as one unit by `infeval compare` (harness/comparison.h).
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

// A record with the fields every scorer fills the same way: id, question (the sample's "question" var, else
// "text", else "sentence"), the raw prediction, and the missing/failed flags. The scorer adds the rest.
SampleRecord start_record(const Sample& sample, const Prediction& prediction);

json sample_record_to_json(const SampleRecord& record);
SampleRecord sample_record_from_json(const json& j, const std::string& where);
void write_sample_records(const std::string& path, const std::vector<SampleRecord>& records);
std::vector<SampleRecord> read_sample_records(const std::string& path);

}  // namespace infeval

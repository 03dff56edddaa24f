// Validated submission files for server-scored splits (VQAv2 test-dev/test-std, MMBench, MM-Vet, SEED, ...).
// A scorer's write_outputs() builds the file's bytes; this module checks id coverage first and writes the file
// atomically with a manifest beside it (<file>.manifest.json):
//   {"task", "file", "format", "normalization", "sha256", "bytes", "required", "answered", "missing",
//    "allow_missing", "missing_ids_first": [...up to 20], ...extra}
// so that an upload can be audited later (which answers, which normalization, which file exactly).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/task.h"

namespace infeval {

using json = nlohmann::json;

// Which of the required ids have an answer. required_ids are in question-file order.
struct SubmissionCoverage {
  size_t required = 0;
  size_t answered = 0;
  std::vector<std::string> missing_ids;  // in question-file order
};

// Counts answered ids; without allow_missing, any missing id is an InputError naming `what` (e.g. "task
// vqav2_testdev"), the count and the first ids, with a hint about --allow-missing.
SubmissionCoverage check_submission_coverage(const std::vector<std::string>& required_ids,
                                             const std::vector<bool>& answered, bool allow_missing,
                                             const std::string& what);

// The same for scored records aligned with samples (an id is answered when its record is neither missing nor
// failed); `answered` receives the per-sample flags.
SubmissionCoverage check_records_coverage(const TaskConfig& task, const std::vector<Sample>& samples,
                                          const std::vector<SampleRecord>& records, bool allow_missing,
                                          std::vector<bool>* answered);

// The --allow-missing switch: write_outputs options key "allow_missing" (bool), else the task option of the same
// name, else false. A non-boolean value is an InputError.
bool submission_allow_missing(const TaskConfig& task, const json& options);

struct SubmissionFile {
  std::string file_name;      // written under out_dir, e.g. "vqav2_testdev_submission.json"
  std::string content;        // the exact bytes to upload
  std::string format;         // one line, e.g. "JSON list [{question_id:int, answer:str}] (EvalAI challenge 830)"
  std::string normalization;  // what was applied to the answers, e.g. "EvalAI answer processor"
  json extra = json::object();  // more manifest fields (server, split, ...)
};

// Writes out_dir/file_name and out_dir/file_name.manifest.json (both atomically; creates out_dir).
// Returns the manifest. RuntimeFailure if the files cannot be written.
json write_submission(const std::string& task_name, const std::string& out_dir, const SubmissionFile& file,
                      const SubmissionCoverage& coverage, bool allow_missing);

// JSON for an id as the server expects it: a number if the id is all digits (VQAv2 question ids are ints),
// otherwise the string.
json submission_id_json(const std::string& id);

}  // namespace infeval

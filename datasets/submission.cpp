#include "datasets/submission.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/sha256.h"
#include "core/text_util.h"

namespace infeval {

namespace {
constexpr size_t kMissingIdsShown = 20;
}

SubmissionCoverage check_submission_coverage(const std::vector<std::string>& required_ids,
                                             const std::vector<bool>& answered, bool allow_missing,
                                             const std::string& what) {
  if (required_ids.size() != answered.size())
    throw RuntimeFailure(fmt::format("{}: internal error: {} ids but {} answer flags", what, required_ids.size(),
                                     answered.size()));
  SubmissionCoverage coverage;
  coverage.required = required_ids.size();
  for (size_t i = 0; i < required_ids.size(); ++i) {
    if (answered[i]) ++coverage.answered;
    else coverage.missing_ids.push_back(required_ids[i]);
  }
  if (!coverage.missing_ids.empty() && !allow_missing) {
    std::vector<std::string> shown(coverage.missing_ids.begin(),
                                   coverage.missing_ids.begin() +
                                       std::min(coverage.missing_ids.size(), size_t{5}));
    throw InputError(fmt::format(
        "{}: submission would miss {} of {} required question ids (first: {}); the server scores a missing id as "
        "wrong. hint: generate the missing answers, or pass --allow-missing (task option \"allow_missing\") to "
        "write them as empty answers",
        what, coverage.missing_ids.size(), coverage.required, join(shown, ", ")));
  }
  return coverage;
}

SubmissionCoverage check_records_coverage(const TaskConfig& task, const std::vector<Sample>& samples,
                                          const std::vector<SampleRecord>& records, bool allow_missing,
                                          std::vector<bool>* answered) {
  std::vector<std::string> ids;
  answered->clear();
  for (size_t i = 0; i < samples.size(); ++i) {
    ids.push_back(samples[i].id);
    answered->push_back(!records[i].missing && !records[i].failed);
  }
  return check_submission_coverage(ids, *answered, allow_missing, "task " + task.name);
}

bool submission_allow_missing(const TaskConfig& task, const json& options) {
  auto read = [&](const json& from, const std::string& where) -> int {
    if (!from.is_object() || !from.contains("allow_missing")) return -1;
    const json& value = from["allow_missing"];
    if (!value.is_boolean())
      throw InputError(fmt::format("{}: 'allow_missing' must be true or false, got {}", where, value.dump()));
    return value.get<bool>() ? 1 : 0;
  };
  const int from_options = read(options, "task " + task.name + " output options");
  if (from_options >= 0) return from_options == 1;
  const int from_task = read(task.options, task.config_path.empty() ? "task " + task.name : task.config_path);
  return from_task == 1;
}

json write_submission(const std::string& task_name, const std::string& out_dir, const SubmissionFile& file,
                      const SubmissionCoverage& coverage, bool allow_missing) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) throw RuntimeFailure(fmt::format("{}: cannot create directory: {}", out_dir, error.message()));
  const std::string path = out_dir + "/" + file.file_name;
  write_text_file_atomic(path, file.content);

  json manifest = json::object();
  manifest["task"] = task_name;
  manifest["file"] = file.file_name;
  manifest["format"] = file.format;
  manifest["normalization"] = file.normalization;
  manifest["sha256"] = sha256_hex(file.content);
  manifest["bytes"] = file.content.size();
  manifest["required"] = coverage.required;
  manifest["answered"] = coverage.answered;
  manifest["missing"] = coverage.missing_ids.size();
  manifest["allow_missing"] = allow_missing;
  json first = json::array();
  for (size_t i = 0; i < coverage.missing_ids.size() && i < kMissingIdsShown; ++i)
    first.push_back(coverage.missing_ids[i]);
  manifest["missing_ids_first"] = first;
  for (auto it = file.extra.begin(); it != file.extra.end(); ++it) manifest[it.key()] = it.value();
  write_text_file_atomic(path + ".manifest.json", manifest.dump(2) + "\n");
  return manifest;
}

json submission_id_json(const std::string& id) {
  const bool digits = !id.empty() && id.size() <= 18 &&
                      id.find_first_not_of("0123456789") == std::string::npos && (id == "0" || id[0] != '0');
  if (digits) return json(std::stoll(id));
  return json(id);
}

}  // namespace infeval

#include "core/records.h"

#include <fmt/format.h>

#include "core/json_io.h"

namespace infeval {

SampleRecord start_record(const Sample& sample, const Prediction& prediction) {
  SampleRecord r;
  r.id = sample.id;
  for (const char* var : {"question", "text", "sentence"}) {
    auto it = sample.vars.find(var);
    if (it != sample.vars.end()) {
      r.question = it->second;
      break;
    }
  }
  r.prediction = prediction.text;
  r.missing = !prediction.present;
  r.failed = !prediction.error.empty();
  return r;
}

json sample_record_to_json(const SampleRecord& r) {
  return json{{"id", r.id},         {"question", r.question}, {"prediction", r.prediction},
              {"parsed", r.parsed}, {"references", r.references}, {"score", r.score},
              {"extra", r.extra},   {"missing", r.missing},       {"failed", r.failed}};
}

SampleRecord sample_record_from_json(const json& j, const std::string& where) {
  SampleRecord r;
  r.id = require_id(j, "id", where);
  r.question = j.value("question", "");
  r.prediction = j.value("prediction", "");
  r.parsed = j.value("parsed", "");
  r.references = j.value("references", json());
  r.score = require_number(j, "score", where);
  r.extra = j.value("extra", json::object());
  r.missing = j.value("missing", false);
  r.failed = j.value("failed", false);
  return r;
}

void write_sample_records(const std::string& path, const std::vector<SampleRecord>& records) {
  std::string content;
  for (const auto& r : records) content += sample_record_to_json(r).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  write_text_file_atomic(path, content);
}

std::vector<SampleRecord> read_sample_records(const std::string& path) {
  std::vector<SampleRecord> out;
  read_jsonl_file(path, [&](const json& j, int line) {
    out.push_back(sample_record_from_json(j, fmt::format("{}:{}", path, line)));
  });
  return out;
}

}  // namespace infeval

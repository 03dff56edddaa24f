#include "datasets/json_record_list.h"

#include <fmt/format.h>

#include "datasets/json_positions.h"
#include "core/error.h"

namespace infeval {

std::string JsonRecordList::where(size_t index) const {
  return json_record_where(path, lines, index, fmt::format("{}[{}]", key, index));
}

JsonListDocument::JsonListDocument(const std::string& path, const std::string& what)
    : path_(path), text_(read_text_file(path)), document_(read_json_file(path)) {
  if (!document_.is_object())
    throw InputError(fmt::format("{}: expected {}, got {}", path_, what, document_.type_name()));
}

JsonRecordList JsonListDocument::list(const std::string& key) const& {
  const json& records = require_field(document_, key, path_);
  if (!records.is_array())
    throw InputError(fmt::format("{}: '{}' must be a list, got {}", path_, key, records.type_name()));
  JsonRecordList out;
  out.path = path_;
  out.key = key;
  out.records = &records;
  out.lines = json_array_element_lines(text_, key);
  return out;
}

}  // namespace infeval

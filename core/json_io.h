// Reading and writing JSON / JSON Lines with errors that name the file and line, plus typed field access that
// names the record ("questions.jsonl:17: field 'question_id' is missing").
#pragma once
#include <climits>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace infeval {

using json = nlohmann::json;

// Reads a whole file; InputError naming the path if it is missing or unreadable.
std::string read_text_file(const std::string& path);

// Deepest nesting of arrays/objects any reader accepts (a deeper file would overflow the stack).
constexpr int kMaxJsonDepth = 64;

// Parses JSON text; every failure (malformed, nested deeper than kMaxJsonDepth, a number out of range such as
// 1e400) is an InputError "where:line:column: ..." (line/column where known).
json parse_json_text(const std::string& text, const std::string& where);
json parse_json_text(const char* begin, const char* end, const std::string& where);
// The same for one JSON Lines record; `where` is "path:line", messages give the column.
json parse_json_line(const std::string& line, const std::string& where);

// Parses a JSON file; InputError "path:line:column: message" when malformed.
json read_json_file(const std::string& path);

// Calls on_record(record, line_number) for each non-blank line; InputError "path:line: ..." when malformed.
void read_jsonl_file(const std::string& path, const std::function<void(const json&, int)>& on_record);

// Loads either a JSON list or JSON Lines (detected from the first non-space character). line_numbers[i] is the
// 1-based line of record i for JSONL, or the 0-based list index + 1 for a list (reported as "item N").
struct JsonRecords {
  std::vector<json> records;
  std::vector<int> line_numbers;
  bool is_jsonl = false;
  std::string where(size_t index, const std::string& path) const;  // "path:17" or "path: item 17"
};
JsonRecords read_json_records(const std::string& path);

// Writes through a temporary file and rename, so a crash never leaves a half-written file.
void write_text_file_atomic(const std::string& path, const std::string& content);

// Typed access with record context; `where` is e.g. "file.jsonl:17".
const json& require_field(const json& record, const std::string& key, const std::string& where);
std::string require_string(const json& record, const std::string& key, const std::string& where);
// Ids may be numbers or strings in official files; returns the canonical string form ("262148000").
std::string require_id(const json& record, const std::string& key, const std::string& where);
double require_number(const json& record, const std::string& key, const std::string& where);
// Strings, integers, and floats that are exactly representable integers; anything else is an InputError.
std::string json_id_to_string(const json& value);
// An integer in [min, max] (a float must be integral and in range); InputError "<what> must be ..." otherwise.
int json_to_int(const json& value, const std::string& what, long long min, long long max);
int require_int(const json& record, const std::string& key, const std::string& where, int min = INT_MIN,
                int max = INT_MAX);

}  // namespace infeval

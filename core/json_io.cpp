#include "core/json_io.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

namespace infeval {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file (missing or unreadable)", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Converts a byte offset into 1-based line and column numbers.
static void offset_to_line_column(const std::string& text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    int line = 0, column = 0;
    offset_to_line_column(text, e.byte > 0 ? e.byte - 1 : 0, &line, &column);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON ({})", path, line, column, e.what()));
  }
}

void read_jsonl_file(const std::string& path, const std::function<void(const json&, int)>& on_record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file (missing or unreadable)", path));
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    json record;
    try {
      record = json::parse(line);
    } catch (const json::parse_error& e) {
      throw InputError(fmt::format("{}:{}: malformed JSON line ({})", path, line_number, e.what()));
    }
    on_record(record, line_number);
  }
}

std::string JsonRecords::where(size_t index, const std::string& path) const {
  if (is_jsonl) return fmt::format("{}:{}", path, line_numbers.at(index));
  return fmt::format("{}: item {}", path, line_numbers.at(index));
}

JsonRecords read_json_records(const std::string& path) {
  const std::string text = read_text_file(path);
  JsonRecords out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return out;
  if (text[first] == '[') {
    json list = read_json_file(path);
    for (size_t i = 0; i < list.size(); ++i) {
      out.records.push_back(std::move(list[i]));
      out.line_numbers.push_back(static_cast<int>(i) + 1);
    }
    return out;
  }
  out.is_jsonl = true;
  read_jsonl_file(path, [&](const json& record, int line) {
    out.records.push_back(record);
    out.line_numbers.push_back(line);
  });
  return out;
}

void write_text_file_atomic(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw RuntimeFailure(fmt::format("{}: cannot write file", temporary));
    out << content;
    out.flush();
    if (!out) throw RuntimeFailure(fmt::format("{}: write failed (disk full?)", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw RuntimeFailure(fmt::format("{}: cannot rename {} into place", path, temporary));
}

const json& require_field(const json& record, const std::string& key, const std::string& where) {
  if (!record.is_object()) throw InputError(fmt::format("{}: expected a JSON object, got {}", where, record.type_name()));
  auto it = record.find(key);
  if (it == record.end()) throw InputError(fmt::format("{}: field '{}' is missing", where, key));
  return *it;
}

std::string require_string(const json& record, const std::string& key, const std::string& where) {
  const json& value = require_field(record, key, where);
  if (!value.is_string())
    throw InputError(fmt::format("{}: field '{}' must be a string, got {}", where, key, value.type_name()));
  return value.get<std::string>();
}

std::string json_id_to_string(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number_unsigned()) return std::to_string(value.get<unsigned long long>());
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d))) return std::to_string(static_cast<long long>(d));
    return value.dump();
  }
  throw InputError("id must be a string or a number, got " + std::string(value.type_name()));
}

std::string require_id(const json& record, const std::string& key, const std::string& where) {
  const json& value = require_field(record, key, where);
  if (!value.is_string() && !value.is_number())
    throw InputError(fmt::format("{}: field '{}' must be a string or number id, got {}", where, key, value.type_name()));
  return json_id_to_string(value);
}

double require_number(const json& record, const std::string& key, const std::string& where) {
  const json& value = require_field(record, key, where);
  if (!value.is_number())
    throw InputError(fmt::format("{}: field '{}' must be a number, got {}", where, key, value.type_name()));
  return value.get<double>();
}

}  // namespace infeval

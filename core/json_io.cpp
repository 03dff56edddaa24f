#include "core/json_io.h"

#include <cmath>
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
static void offset_to_line_column(const char* begin, const char* end, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (const char* p = begin; p < end && static_cast<size_t>(p - begin) < offset; ++p) {
    if (*p == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

// Byte offset of the first bracket that nests deeper than the limit, or npos. Brackets inside strings do not
// count; malformed text is left to the parser.
static size_t find_too_deep(const char* begin, const char* end, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (const char* p = begin; p < end; ++p) {
    const char c = *p;
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return static_cast<size_t>(p - begin);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string::npos;
}

json parse_json_text(const char* begin, const char* end, const std::string& where) {
  const size_t deep = find_too_deep(begin, end, kMaxJsonDepth);
  if (deep != std::string::npos) {
    int line = 0, column = 0;
    offset_to_line_column(begin, end, deep, &line, &column);
    throw InputError(fmt::format("{}:{}:{}: JSON nested deeper than {} levels", where, line, column, kMaxJsonDepth));
  }
  try {
    return json::parse(begin, end);
  } catch (const json::parse_error& e) {
    int line = 0, column = 0;
    offset_to_line_column(begin, end, e.byte > 0 ? e.byte - 1 : 0, &line, &column);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON ({})", where, line, column, e.what()));
  } catch (const json::exception& e) {
    // out_of_range.406 (a number such as 1e400 that does not fit a double) and the like.
    throw InputError(fmt::format("{}: invalid JSON ({})", where, e.what()));
  }
}

json parse_json_text(const std::string& text, const std::string& where) {
  return parse_json_text(text.data(), text.data() + text.size(), where);
}

json parse_json_line(const std::string& line, const std::string& where) {
  const size_t deep = find_too_deep(line.data(), line.data() + line.size(), kMaxJsonDepth);
  if (deep != std::string::npos)
    throw InputError(fmt::format("{}: JSON nested deeper than {} levels (column {})", where, kMaxJsonDepth, deep + 1));
  try {
    return json::parse(line);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: malformed JSON line ({})", where, e.what()));
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: invalid JSON line ({})", where, e.what()));
  }
}

json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  return parse_json_text(text, path);
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
    const std::string where = fmt::format("{}:{}", path, line_number);
    const json record = parse_json_line(line, where);
    try {
      on_record(record, line_number);
    } catch (const json::exception& e) {
      throw InputError(fmt::format("{}: {}", where, e.what()));
    }
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
    json list = parse_json_text(text, path);  // the text already read, not a second read of the file
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
  if (value.is_number_unsigned()) return std::to_string(value.get<unsigned long long>());  // before integer:
  if (value.is_number_integer()) return std::to_string(value.get<long long>());  // unsigned is an integer too
  if (value.is_number_float()) {
    // Only a float that is an integer a double holds exactly (|d| <= 2^53) is an id: 47758082102758082102 or
    // 1e300 would otherwise be cast to long long out of range (undefined behaviour) or lose digits.
    const double d = value.get<double>();
    const double kExact = 9007199254740992.0;  // 2^53
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= kExact)
      return std::to_string(static_cast<long long>(d));
    throw InputError("id " + value.dump() +
                     " is not a string or an exactly representable integer; hint: write large ids as strings");
  }
  throw InputError("id must be a string or a number, got " + std::string(value.type_name()));
}

std::string require_id(const json& record, const std::string& key, const std::string& where) {
  const json& value = require_field(record, key, where);
  if (!value.is_string() && !value.is_number())
    throw InputError(fmt::format("{}: field '{}' must be a string or number id, got {}", where, key, value.type_name()));
  try {
    return json_id_to_string(value);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: field '{}': {}", where, key, e.what()));
  }
}

double require_number(const json& record, const std::string& key, const std::string& where) {
  const json& value = require_field(record, key, where);
  if (!value.is_number())
    throw InputError(fmt::format("{}: field '{}' must be a number, got {}", where, key, value.type_name()));
  return value.get<double>();
}

int json_to_int(const json& value, const std::string& what, long long min, long long max) {
  long long n = 0;
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    n = value.get<long long>();
  } else if (value.is_number_unsigned()) {
    const unsigned long long u = value.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(max))
      throw InputError(fmt::format("{} must be an integer in [{}, {}], got {}", what, min, max, value.dump()));
    n = static_cast<long long>(u);
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d || d < static_cast<double>(min) || d > static_cast<double>(max))
      throw InputError(fmt::format("{} must be an integer in [{}, {}], got {}", what, min, max, value.dump()));
    n = static_cast<long long>(d);
  } else {
    throw InputError(fmt::format("{} must be an integer, got {}", what, value.type_name()));
  }
  if (n < min || n > max)
    throw InputError(fmt::format("{} must be an integer in [{}, {}], got {}", what, min, max, value.dump()));
  return static_cast<int>(n);
}

int require_int(const json& record, const std::string& key, const std::string& where, int min, int max) {
  return json_to_int(require_field(record, key, where), fmt::format("{}: field '{}'", where, key), min, max);
}

}  // namespace infeval

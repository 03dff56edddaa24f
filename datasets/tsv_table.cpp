#include "datasets/tsv_table.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"

namespace infeval {

TsvTable read_tsv(const std::string& path) {
  const std::string text = read_text_file(path);
  TsvTable table;
  std::vector<std::string> row;
  std::string field;
  int line = 1, row_line = 1;
  bool quoted = false, field_started = false;
  const auto end_row = [&]() {
    row.push_back(field);
    field.clear();
    field_started = false;
    if (!(row.size() == 1 && row[0].empty())) {  // skip blank lines
      if (table.header.empty()) table.header = row;
      else {
        table.rows.push_back(row);
        table.lines.push_back(row_line);
      }
    }
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == '\t') {
      row.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row_line = line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw InputError(fmt::format("{}:{}: unterminated quoted field", path, row_line));
  if (!field.empty() || !row.empty()) end_row();
  if (table.header.empty()) throw InputError(path + ": empty TSV (expected a header line)");
  return table;
}

size_t TsvTable::column(const std::string& name, const std::string& path) const {
  for (size_t k = 0; k < header.size(); ++k)
    if (header[k] == name) return k;
  throw InputError(fmt::format("{}: no column '{}' in the header", path, name));
}

}  // namespace infeval

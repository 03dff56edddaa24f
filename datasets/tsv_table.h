// Tab-separated tables as MMBench ships them and pandas writes them: a header line, fields in double quotes may
// hold tabs, newlines and doubled quotes; blank lines are skipped. Used for the MMBench TSV and its upload table.
#pragma once
#include <string>
#include <vector>

namespace infeval {

struct TsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // 1-based line where each row starts
  // Index of the header column `name`; InputError naming `path` when there is none.
  size_t column(const std::string& name, const std::string& path) const;
};

// InputError naming path:line for an unterminated quoted field or an empty file.
TsvTable read_tsv(const std::string& path);

}  // namespace infeval

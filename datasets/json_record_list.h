// The record lists of an official JSON document: {"data": [...]} (TextVQA), {"images": [...], "annotations": [...]}
// (COCO captions), {"questions": [...]} / {"annotations": [...]} (VQA format). One place reads the document,
// checks its shape, and names each record "file:line" (json_positions.h) for the adapters' errors.
#pragma once
#include <string>
#include <vector>

#include "core/json_io.h"

namespace infeval {

// One list of a JsonListDocument. Refers into the document it came from, which must outlive it.
struct JsonRecordList {
  std::string path;
  std::string key;
  const json* records = nullptr;  // the array under `key`
  std::vector<int> lines;         // 1-based line of each record; may be shorter if the scanner lost track

  size_t size() const { return records->size(); }
  const json& operator[](size_t index) const { return (*records)[index]; }
  // "path:line", or "path: key[index]" when the record's line is unknown.
  std::string where(size_t index) const;
};

class JsonListDocument {
 public:
  // Reads and parses `path` (malformed JSON: InputError "path:line:column: ..."). `what` describes the expected
  // document for the error when it is not an object: "<path>: expected <what>, got <type>".
  JsonListDocument(const std::string& path, const std::string& what);

  const std::string& path() const { return path_; }
  const json& document() const { return document_; }

  // The list under top-level `key`; InputError naming the file when it is missing or not a list. Not on a
  // temporary document: the list refers into it.
  JsonRecordList list(const std::string& key) const&;
  JsonRecordList list(const std::string& key) const&& = delete;

 private:
  std::string path_;
  std::string text_;  // kept for the line numbers of records
  json document_;
};

}  // namespace infeval

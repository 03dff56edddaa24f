// Line numbers of records inside a (pretty or one-line) JSON document, so that errors about records of official
// JSON files (VQA questions, COCO annotations, GQA question dicts) can name "file:line" like JSONL errors do.
// A light scanner over the text (strings and escapes respected); it assumes the text already parsed as JSON.
#pragma once
#include <string>
#include <vector>

namespace infeval {

// 1-based line of each element of the array under top-level key `key` ({"key": [ ... ]}); empty key: the
// elements of a top-level array. Empty result if there is no such array.
std::vector<int> json_array_element_lines(const std::string& text, const std::string& key);

// 1-based line of each member key of the top-level object, in file order (raw key text between the quotes).
std::vector<std::pair<std::string, int>> json_object_member_lines(const std::string& text);

// "path:line" when line > 0, else "path: <fallback>".
std::string json_record_where(const std::string& path, const std::vector<int>& lines, size_t index,
                              const std::string& fallback);

}  // namespace infeval

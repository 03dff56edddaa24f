// Small string helpers shared by the CLI and the registries.
#pragma once
#include <string>
#include <vector>

namespace infeval {

// Levenshtein distance (bytes).
size_t edit_distance(const std::string& a, const std::string& b);

// Up to `limit` candidates closest to `name` (edit distance <= max(2, len/3), or sharing a prefix), nearest first.
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       size_t limit = 3);

// "unknown task 'vqa2_val'; did you mean vqav2_val? (see `infeval list tasks`)"
std::string unknown_name_message(const std::string& kind, const std::string& name,
                                 const std::vector<std::string>& candidates, const std::string& list_hint);

std::vector<std::string> split(const std::string& text, char separator);
std::string join(const std::vector<std::string>& parts, const std::string& separator);
std::string trim(const std::string& text);  // ASCII whitespace, both ends
std::string to_lower_ascii(std::string text);
bool starts_with(const std::string& text, const std::string& prefix);
bool ends_with(const std::string& text, const std::string& suffix);
std::string replace_all(std::string text, const std::string& from, const std::string& to);
// `text` as one Markdown table cell: '|' escaped, line breaks and tabs as spaces, cut to `max_chars` bytes (at a
// UTF-8 character boundary) with "..." appended when longer.
std::string markdown_cell(const std::string& text, size_t max_chars);

}  // namespace infeval

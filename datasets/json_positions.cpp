#include "datasets/json_positions.h"

#include <fmt/format.h>

namespace infeval {

namespace {

// Walks the text calling on_value(depth, line, parent, opened) at the first character of every value (depth 0 =
// the top-level value; parent = id of the enclosing container, -1 at top level; opened = id of the container this
// value opens, or -1), and on_key(depth, key, line) for object member keys.
struct Scanner {
  const std::string& text;
  template <typename OnValue, typename OnKey>
  void run(OnValue on_value, OnKey on_key) {
    int depth = 0, line = 1;
    std::vector<char> stack;  // '{' or '['
    std::vector<int> ids;     // container ids, parallel to stack
    int next_id = 0;
    auto parent = [&] { return ids.empty() ? -1 : ids.back(); };
    bool expect_value = false;  // next non-space token starts a value inside the current container
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\n') { ++line; continue; }
      if (c == ' ' || c == '\t' || c == '\r') continue;
      const bool in_object = !stack.empty() && stack.back() == '{';
      if (c == '"') {
        const int start_line = line;
        size_t j = i + 1;
        for (; j < text.size() && text[j] != '"'; ++j) {
          if (text[j] == '\\') ++j;
          else if (text[j] == '\n') ++line;
        }
        const std::string raw = text.substr(i + 1, j - i - 1);
        // A string in an object, not after ':', is a key.
        if (in_object && !expect_value) on_key(depth, raw, start_line);
        else if (expect_value || stack.empty()) on_value(depth, start_line, parent(), -1);
        expect_value = false;
        i = j;
        continue;
      }
      if (c == ':') { expect_value = true; continue; }
      if (c == ',') { expect_value = !in_object; continue; }
      if (c == '{' || c == '[') {
        if (expect_value || stack.empty()) on_value(depth, line, parent(), next_id);
        stack.push_back(c);
        ids.push_back(next_id++);
        ++depth;
        expect_value = (c == '[');
        continue;
      }
      if (c == '}' || c == ']') {
        if (!stack.empty()) {
          stack.pop_back();
          ids.pop_back();
        }
        --depth;
        expect_value = false;
        continue;
      }
      // number, true, false, null
      if (expect_value || stack.empty()) on_value(depth, line, parent(), -1);
      expect_value = false;
      while (i + 1 < text.size() && std::string(",]}: \t\r\n").find(text[i + 1]) == std::string::npos) ++i;
    }
  }
};

}  // namespace

std::vector<int> json_array_element_lines(const std::string& text, const std::string& key) {
  std::vector<int> lines;
  bool armed = key.empty();  // the next value at the right depth is the target
  int target = -1;           // id of the target array
  Scanner scanner{text};
  scanner.run(
      [&](int depth, int line, int parent, int opened) {
        if (target >= 0 && parent == target) {
          lines.push_back(line);
          return;
        }
        if (armed && ((key.empty() && depth == 0) || (!key.empty() && depth == 1))) {
          target = opened;
          armed = false;
        }
      },
      [&](int depth, const std::string& raw, int) {
        if (!key.empty() && depth == 1 && target < 0 && raw == key) armed = true;
      });
  return lines;
}

std::vector<std::pair<std::string, int>> json_object_member_lines(const std::string& text) {
  std::vector<std::pair<std::string, int>> members;
  Scanner scanner{text};
  scanner.run([](int, int, int, int) {},
              [&](int depth, const std::string& raw, int line) {
                if (depth == 1) members.emplace_back(raw, line);
              });
  return members;
}

std::string json_record_where(const std::string& path, const std::vector<int>& lines, size_t index,
                              const std::string& fallback) {
  if (index < lines.size() && lines[index] > 0) return fmt::format("{}:{}", path, lines[index]);
  return fmt::format("{}: {}", path, fallback);
}

}  // namespace infeval

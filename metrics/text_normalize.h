// Python string semantics that the official scorers rely on, reproduced exactly for UTF-8 text.
#pragma once
#include <string>

namespace infeval {

// str.strip() with no argument: strips Unicode whitespace (ASCII whitespace, \x1c-\x1f, U+0085, U+00A0,
// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) from both ends.
std::string python_strip(const std::string& text);
// str.lower() for ASCII and the Latin-1/Greek/Cyrillic letters whose lowercase is a single code point.
std::string python_lower(const std::string& text);

}  // namespace infeval

// Markdown table cells (audit and compare tables): hand-derived expected strings.
#include <gtest/gtest.h>

#include "core/text_util.h"

using namespace infeval;

TEST(MarkdownCell, EscapesPipesAndFlattensLineBreaks) {
  EXPECT_EQ(markdown_cell("a|b\nc\td\re", 80), "a\\|b c d e");
}

TEST(MarkdownCell, CutsAtACharacterBoundary) {
  EXPECT_EQ(markdown_cell("abcdef", 4), "abcd...");
  EXPECT_EQ(markdown_cell("abcd", 4), "abcd");
  // "aé" is 'a' + 2 bytes; a cut at byte 2 would split the é, so the cut moves back to byte 1.
  EXPECT_EQ(markdown_cell("a\xc3\xa9z", 2), "a...");
}

// `infeval report --html OUT.html`: one self-contained page (inline CSS, inline SVG, no scripts, no external
// assets): the leaderboard with deltas to the paper, one bar chart per leaderboard column, and, with two or more
// runs, the paired comparison of each run against the first (deltas with intervals drawn as inline SVG, tests,
// flipped-sample tables). Every text from the runs is HTML-escaped.
#pragma once
#include <string>

#include "harness/comparison.h"
#include "harness/leaderboard.h"

namespace infeval {

struct HtmlReportOptions {
  std::string title = "infeval report";
  size_t max_charts = 60;          // bar charts (one per leaderboard column), the first N
  CompareOptions compare;          // statistics of the comparison section
};

// Escapes & < > " ' for text and attribute values.
std::string html_escape(const std::string& text);

// The page. `comparison` may be null (a single run, or runs without samples).
std::string render_html_report(const Leaderboard& board, const ComparisonReport* comparison,
                               const std::vector<std::string>& notes, const HtmlReportOptions& options);

// Loads the runs named in `options.runs` (samples optional), compares them when there are two or more, renders.
std::string build_html_report(const LeaderboardOptions& options, const Leaderboard& board,
                              const HtmlReportOptions& html_options);

// `infeval report --html PATH`: build_html_report with 2000 bootstrap resamples, written atomically to `path`.
void write_html_report_for_runs(const LeaderboardOptions& options, const Leaderboard& board, const std::string& path);

}  // namespace infeval

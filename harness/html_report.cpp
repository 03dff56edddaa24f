#include "harness/html_report.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "harness/comparison_render.h"
#include "harness/run_data.h"

namespace infeval {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1d2430; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d8dde6; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #5b6575; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid #d8dde6; padding: 3px 8px; vertical-align: top; }
th { background: #f1f4f8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.paper td { font-style: italic; background: #fafbfc; }
td.not-comparable { background: #fff4e0; }
.delta-pos { color: #18794e; } .delta-neg { color: #c9252d; } .delta-zero { color: #5b6575; }
.sig { font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
figure.chart { margin: 0; padding: 8px; border: 1px solid #d8dde6; border-radius: 4px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { font: 11px system-ui, sans-serif; fill: #1d2430; }
rect.bar-run { fill: #3b6fd8; } rect.bar-paper { fill: #a7b3c6; }
.notes li { color: #5b6575; }
details { margin: 6px 0; } summary { cursor: pointer; }
td.text { max-width: 360px; overflow-wrap: anywhere; }
)css";

std::string format_value(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : "&ndash;"; }

std::string delta_span(double delta, bool significant) {
  const char* css = delta > 0 ? "delta-pos" : delta < 0 ? "delta-neg" : "delta-zero";
  return fmt::format("<span class=\"{}{}\">{:+.2f}</span>", css, significant ? " sig" : "", delta);
}

std::string truncate_utf8(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// The last max_chars bytes (whole UTF-8 characters), for run paths whose end is what tells them apart.
std::string tail_utf8(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t start = text.size() - max_chars;
  while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
  return "..." + text.substr(start);
}

std::string render_leaderboard(const Leaderboard& board) {
  std::string out = "<table id=\"leaderboard\" class=\"leaderboard\">\n<thead><tr><th>run</th><th>model</th>";
  for (const auto& c : board.columns)
    out += fmt::format("<th>{}<br><small>{}</small></th>", html_escape(c.task), html_escape(c.metric));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : board.rows) {
    out += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td>", row.is_reference ? "paper" : "run",
                       html_escape(row.label), html_escape(row.model));
    for (const auto& c : board.columns) {
      auto v = row.values.find(c.key());
      if (v == row.values.end() || !v->second) {
        out += "<td class=\"num\">&ndash;</td>";
        continue;
      }
      std::string cell = format_value(*v->second);
      auto d = row.deltas.find(c.key());
      const bool not_comparable = row.delta_not_comparable(c.key());
      if (d != row.deltas.end() && d->second && not_comparable)
        cell += fmt::format(
            " <small title=\"not comparable: scored with variant {}, the paper's number with {}\">({}"
            "<sup>&dagger;</sup>)</small>",
            html_escape(row.variants.at(c.key())), html_escape(row.paper_variants.at(c.key())),
            delta_span(*d->second, false));
      else if (d != row.deltas.end() && d->second)
        cell += fmt::format(" <small title=\"vs paper ({})\">({})</small>", html_escape(row.reference_used),
                            delta_span(*d->second, false));
      out += fmt::format("<td class=\"num{}\">{}</td>", not_comparable ? " not-comparable" : "", cell);
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  bool any_delta = false, any_not_comparable = false;
  for (const auto& row : board.rows) {
    for (const auto& [key, d] : row.deltas) {
      any_delta |= d.has_value();
      any_not_comparable |= row.delta_not_comparable(key);
    }
  }
  if (any_delta) out += "<p class=\"meta\">In parentheses: the run's value minus the paper's.</p>\n";
  if (any_not_comparable)
    out += "<p class=\"meta\">&dagger; Not comparable: the run and the paper used different scoring variants "
           "(see the notes).</p>\n";
  return out;
}

// One horizontal bar per leaderboard row that has a value in this column.
std::string render_bar_chart(const Leaderboard& board, const LeaderboardColumn& column) {
  struct Bar {
    std::string label;
    double value;
    bool paper;
  };
  std::vector<Bar> bars;
  for (const auto& row : board.rows) {
    auto v = row.values.find(column.key());
    if (v != row.values.end() && v->second && std::isfinite(*v->second))
      bars.push_back({row.label, *v->second, row.is_reference});
  }
  if (bars.empty()) return "";
  double max_value = 0.0;
  for (const auto& b : bars) max_value = std::max(max_value, b.value);
  if (max_value <= 0.0) max_value = 1.0;
  const int width = 520, label_width = 190, value_width = 64, bar_height = 16, gap = 6, top = 4;
  const int bar_area = width - label_width - value_width;
  const int height = top + static_cast<int>(bars.size()) * (bar_height + gap);
  const std::string caption = column.task + " / " + column.metric;
  std::string out = fmt::format(
      "<figure class=\"chart\"><figcaption>{0}</figcaption>\n<svg class=\"bar-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{1}\" height=\"{2}\" viewBox=\"0 0 {1} {2}\" role=\"img\" aria-label=\"{0}\"><title>{0}</title>\n",
      html_escape(caption), width, height);
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = top + static_cast<int>(i) * (bar_height + gap);
    const double w = std::max(0.0, bars[i].value) / max_value * bar_area;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_width - 6, y + 12,
                       html_escape(tail_utf8(bars[i].label, 30)));
    out += fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\"/>",
                       bars[i].paper ? "bar-paper" : "bar-run", label_width, y, w, bar_height);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{:.2f}</text>\n", label_width + w + 4, y + 12, bars[i].value);
  }
  out += "</svg></figure>\n";
  return out;
}

// The delta and its interval on a small axis with the zero line.
std::string render_interval(const MetricComparison& m, double alpha) {
  const int width = 180, height = 18;
  double low = std::min({0.0, m.delta, std::isfinite(m.interval.low) ? m.interval.low : 0.0});
  double high = std::max({0.0, m.delta, std::isfinite(m.interval.high) ? m.interval.high : 0.0});
  if (high - low < 1e-9) {
    low -= 1.0;
    high += 1.0;
  }
  const double pad = 0.08 * (high - low);
  low -= pad;
  high += pad;
  auto x = [&](double v) { return (v - low) / (high - low) * width; };
  const bool significant = m.p_value < alpha;
  const char* color = !significant ? "#5b6575" : m.delta < 0 ? "#c9252d" : "#18794e";
  std::string out = fmt::format(
      "<svg class=\"interval\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">"
      "<line x1=\"{2:.1f}\" y1=\"1\" x2=\"{2:.1f}\" y2=\"{3}\" stroke=\"#a7b3c6\" stroke-dasharray=\"2,2\"/>",
      width, height, x(0.0), height - 1);
  if (std::isfinite(m.interval.low) && std::isfinite(m.interval.high))
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"9\" x2=\"{:.1f}\" y2=\"9\" stroke=\"{}\" stroke-width=\"2\"/>",
                       x(m.interval.low), x(m.interval.high), color);
  out += fmt::format("<circle cx=\"{:.1f}\" cy=\"9\" r=\"4\" fill=\"{}\"/></svg>", x(m.delta), color);
  return out;
}

std::string render_comparison(const ComparisonReport& report) {
  std::string out;
  const double alpha = report.options.alpha;
  const int percent = static_cast<int>(std::lround(report.options.bootstrap.confidence * 100.0));
  out += fmt::format(
      "<p class=\"meta\">Each run against the first, on the samples both have. McNemar's exact test for metrics "
      "that are a mean of right/wrong per sample; otherwise a paired bootstrap ({} resamples, seed {}) recomputing "
      "the metric, drawing whole clusters where a task's records form them (cluster-bootstrap). Intervals: {}% for "
      "the delta (dashed line: zero). Bold deltas: p &lt; {}.</p>\n",
      report.options.bootstrap.resamples, report.options.bootstrap.seed, percent, alpha);
  for (const auto& pair : report.pairs) {
    out += fmt::format("<h3>{} vs {}</h3>\n", html_escape(pair.other_label), html_escape(pair.base_label));
    out += fmt::format(
        "<table class=\"comparison\">\n<thead><tr><th>task</th><th>metric</th><th>{}</th><th>{}</th><th>delta</th>"
        "<th>{}% interval</th><th></th><th>test</th><th>p</th><th>p (Holm)</th><th>n</th></tr></thead>\n<tbody>\n",
        html_escape(pair.base_label), html_escape(pair.other_label), percent);
    for (const auto& task : pair.tasks)
      for (const auto& m : task.metrics)
        out += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">[{:+.2f}, {:+.2f}]</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            html_escape(task.task), html_escape(m.metric), format_value(m.base), format_value(m.other),
            delta_span(m.delta, m.p_value < alpha), m.interval.low, m.interval.high, render_interval(m, alpha), m.test,
            format_p_value(m.p_value), format_p_value(m.p_holm), task.common_samples);
    out += "</tbody></table>\n";
    std::vector<std::string> notes = pair.notes;
    for (const auto& task : pair.tasks)
      for (const auto& note : task.notes) notes.push_back(task.task + ": " + note);
    if (!notes.empty()) {
      out += "<ul class=\"notes\">";
      for (const auto& note : notes) out += "<li>" + html_escape(note) + "</li>";
      out += "</ul>\n";
    }
    for (const auto& task : pair.tasks) {
      if (task.flips == 0) continue;
      out += fmt::format("<details open><summary>{}: {} samples flipped ({} improved, {} regressed){}</summary>\n",
                         html_escape(task.task), task.flips, task.improved, task.regressed,
                         task.flipped.size() < task.flips ? fmt::format(", first {}", task.flipped.size()) : "");
      out += fmt::format(
          "<table class=\"flips\"><thead><tr><th>id</th><th>question</th><th>{}</th><th>{}</th><th>references</th>"
          "</tr></thead><tbody>\n",
          html_escape(pair.base_label), html_escape(pair.other_label));
      for (const auto& f : task.flipped)
        out += fmt::format(
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{} <small>({:g})</small></td>"
            "<td class=\"text\">{} <small>({:g})</small></td><td class=\"text\">{}</td></tr>\n",
            html_escape(f.id), html_escape(truncate_utf8(f.question, 300)), html_escape(truncate_utf8(f.base_answer, 200)),
            f.base_score, html_escape(truncate_utf8(f.other_answer, 200)), f.other_score,
            html_escape(truncate_utf8(references_text(f.references), 200)));
      out += "</tbody></table></details>\n";
    }
  }
  if (!report.multiple_comparison_note.empty())
    out += "<p class=\"meta\">Multiple comparisons: " + html_escape(report.multiple_comparison_note) + "</p>\n";
  return out;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M UTC", &tm);
  return buffer;
}

}  // namespace

std::string render_html_report(const Leaderboard& board, const ComparisonReport* comparison,
                               const std::vector<std::string>& notes, const HtmlReportOptions& options) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", html_escape(options.title), kStyle);
  out += fmt::format("<h1>{}</h1>\n<p class=\"meta\">{} run(s), generated {} by infeval.</p>\n",
                     html_escape(options.title), std::count_if(board.rows.begin(), board.rows.end(),
                                                               [](const LeaderboardRow& r) { return !r.is_reference; }),
                     utc_timestamp());
  out += "<section id=\"leaderboard-section\">\n<h2>Leaderboard</h2>\n" + render_leaderboard(board);
  std::vector<std::string> all_notes = board.notes;
  all_notes.insert(all_notes.end(), notes.begin(), notes.end());
  if (!all_notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& note : all_notes) out += "<li>" + html_escape(note) + "</li>";
    out += "</ul>\n";
  }
  out += "</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n";
  size_t charts = 0;
  for (const auto& column : board.columns) {
    if (charts >= options.max_charts) break;
    const std::string chart = render_bar_chart(board, column);
    if (chart.empty()) continue;
    out += chart;
    ++charts;
  }
  out += "</div>\n";
  if (board.columns.size() > options.max_charts)
    out += fmt::format("<p class=\"meta\">First {} of {} columns charted.</p>\n", options.max_charts,
                       board.columns.size());
  out += "</section>\n";
  if (comparison != nullptr && !comparison->pairs.empty())
    out += "<section id=\"comparisons\">\n<h2>Comparisons</h2>\n" + render_comparison(*comparison) + "</section>\n";
  out += "</body>\n</html>\n";
  return out;
}

std::string build_html_report(const LeaderboardOptions& options, const Leaderboard& board,
                              const HtmlReportOptions& html_options) {
  std::vector<std::string> notes;
  std::unique_ptr<ComparisonReport> comparison;
  if (options.runs.size() >= 2) {
    std::vector<RunData> runs;
    for (const auto& run : options.runs) runs.push_back(load_run(run, /*require_samples=*/false));
    for (const auto& run : runs)
      for (const auto& [name, task] : run.tasks)
        if (task.records.empty())
          notes.push_back(fmt::format("{}: {} has no per-sample records; it is not in the comparisons", run.dir, name));
    comparison = std::make_unique<ComparisonReport>(compare_loaded_runs(runs, html_options.compare));
  }
  return render_html_report(board, comparison.get(), notes, html_options);
}

void write_html_report_for_runs(const LeaderboardOptions& options, const Leaderboard& board, const std::string& path) {
  HtmlReportOptions html_options;
  // Fewer resamples than `infeval compare` (10,000) keep the page fast for corpus metrics such as CIDEr; the page
  // states the number used.
  html_options.compare.bootstrap.resamples = 2000;
  write_text_file_atomic(path, build_html_report(options, board, html_options));
}

}  // namespace infeval

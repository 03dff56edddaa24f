#include "harness/comparison_render.h"

#include <cmath>

#include <fmt/format.h>

#include "core/text_util.h"

namespace infeval {

std::string references_text(const json& references) {
  // Invalid UTF-8 in a record (a model's answer, a foreign file) is replaced, never a crash of the report.
  auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  if (references.is_string()) return references.get<std::string>();
  if (references.is_array()) {
    std::vector<std::string> parts;
    for (const auto& r : references) parts.push_back(r.is_string() ? r.get<std::string>() : dump(r));
    return join(parts, "; ");
  }
  return references.is_null() ? "" : dump(references);
}

std::string format_p_value(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 1e-4) return fmt::format("{:.1e}", p);
  return fmt::format("{:.4f}", p);
}

std::string comparison_to_markdown(const ComparisonReport& report) {
  std::string out;
  const int percent = static_cast<int>(std::lround(report.options.bootstrap.confidence * 100.0));
  for (const auto& pair : report.pairs) {
    out += fmt::format("## {} vs {}\n\nbase: {}\nother: {}\n\n", pair.other_label, pair.base_label, pair.base_dir,
                       pair.other_dir);
    out += fmt::format("| task | metric | {} | {} | delta | {}% CI | test | p | p_holm | n |\n", pair.base_label,
                       pair.other_label, percent);
    out += "|---|---|---:|---:|---:|---|---|---:|---:|---:|\n";
    for (const auto& task : pair.tasks)
      for (const auto& m : task.metrics)
        out += fmt::format("| {} | {} | {:.2f} | {:.2f} | {:+.2f}{} | [{:+.2f}, {:+.2f}] | {} | {} | {} | {} |\n",
                           task.task, m.metric, m.base, m.other, m.delta,
                           m.p_value < report.options.alpha ? " *" : "", m.interval.low, m.interval.high, m.test,
                           format_p_value(m.p_value), format_p_value(m.p_holm), task.common_samples);
    out += fmt::format("\n`*`: p < {}. McNemar: exact two-sided test on the samples that flipped; bootstrap: "
                       "{} paired resamples (seed {}), metric recomputed on each; cluster-bootstrap: the same, "
                       "drawing whole clusters (e.g. MME's image pairs).\n",
                       report.options.alpha, report.options.bootstrap.resamples, report.options.bootstrap.seed);
    for (const auto& note : pair.notes) out += "- " + note + "\n";
    for (const auto& task : pair.tasks)
      for (const auto& note : task.notes) out += fmt::format("- {}: {}\n", task.task, note);
    for (const auto& task : pair.tasks) {
      if (task.flips == 0) continue;
      out += fmt::format("\n### {}: {} samples flipped ({} improved, {} regressed){}\n\n", task.task, task.flips,
                         task.improved, task.regressed,
                         task.flipped.size() < task.flips ? fmt::format(", first {}", task.flipped.size()) : "");
      out += fmt::format("| id | question | {} | {} | references |\n|---|---|---|---|---|\n", pair.base_label,
                         pair.other_label);
      for (const auto& f : task.flipped)
        out += fmt::format("| {} | {} | {} ({:g}) | {} ({:g}) | {} |\n", markdown_cell(f.id, 40),
                           markdown_cell(f.question, 80), markdown_cell(f.base_answer, 60), f.base_score,
                           markdown_cell(f.other_answer, 60), f.other_score,
                           markdown_cell(references_text(f.references), 60));
    }
    out += "\n";
  }
  if (!report.multiple_comparison_note.empty()) out += "Multiple comparisons: " + report.multiple_comparison_note + "\n";
  return out;
}

static json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json comparison_to_json(const ComparisonReport& report) {
  json out;
  out["options"] = {{"resamples", report.options.bootstrap.resamples},
                    {"seed", report.options.bootstrap.seed},
                    {"confidence", report.options.bootstrap.confidence},
                    {"alpha", report.options.alpha},
                    {"max_flips", report.options.max_flips}};
  out["tests"] = report.tests;
  out["multiple_comparison_note"] = report.multiple_comparison_note;
  out["comparisons"] = json::array();
  for (const auto& pair : report.pairs) {
    json p = {{"base", pair.base_dir}, {"other", pair.other_dir}, {"notes", pair.notes}, {"tasks", json::object()}};
    for (const auto& task : pair.tasks) {
      json t = {{"scorer", task.scorer},
                {"variant", task.variant},
                {"samples", {{"base", task.base_samples}, {"other", task.other_samples}, {"common", task.common_samples}}},
                {"clusters", task.clusters},
                {"flips", {{"total", task.flips}, {"improved", task.improved}, {"regressed", task.regressed}}},
                {"notes", task.notes},
                {"metrics", json::object()},
                {"flipped", json::array()}};
      for (const auto& m : task.metrics) {
        json jm = {{"base", number_or_null(m.base)},
                   {"other", number_or_null(m.other)},
                   {"delta", number_or_null(m.delta)},
                   {"test", m.test},
                   {"p_value", number_or_null(m.p_value)},
                   {"p_holm", number_or_null(m.p_holm)},
                   {"ci", {number_or_null(m.interval.low), number_or_null(m.interval.high)}}};
        if (m.test == "mcnemar") jm["discordant"] = {{"base_only", m.base_only}, {"other_only", m.other_only}};
        t["metrics"][m.metric] = jm;
      }
      for (const auto& f : task.flipped)
        t["flipped"].push_back({{"id", f.id},
                                {"question", f.question},
                                {"base_answer", f.base_answer},
                                {"other_answer", f.other_answer},
                                {"references", f.references},
                                {"base_score", f.base_score},
                                {"other_score", f.other_score}});
      p["tasks"][task.task] = t;
    }
    out["comparisons"].push_back(p);
  }
  return out;
}

}  // namespace infeval

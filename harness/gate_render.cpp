#include "harness/gate_render.h"

#include <fmt/format.h>

#include "core/text_util.h"

namespace infeval {

std::string gate_to_markdown(const GateResult& result) {
  size_t failed = 0;
  for (const auto& c : result.checks) failed += c.passed ? 0 : 1;
  std::string out = fmt::format("## infeval gate: {}\n\nbaseline: {}{}\ncandidate: {}\n\n",
                                failed == 0 ? "PASSED" : fmt::format("FAILED ({} of {} checks)", failed, result.checks.size()),
                                result.baseline, result.baseline_is_reference ? " (paper reference table)" : "",
                                result.candidate);
  out += "| | task | metric | baseline | candidate | delta | p | rule | detail |\n";
  out += "|---|---|---|---:|---:|---:|---:|---|---|\n";
  for (const auto& c : result.checks)
    // A whole-task check ("*") has no baseline value; an absent or incomparable candidate has no value or delta.
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.passed ? "pass" : "**FAIL**", c.task,
                       c.metric, c.metric == "*" ? "-" : fmt::format("{:.2f}", c.baseline),
                       !c.candidate_missing ? fmt::format("{:.2f}", c.candidate) : "-",
                       !c.candidate_missing ? fmt::format("{:+.2f}", c.delta) : "-",
                       c.p_value >= 0 ? fmt::format("{:.4g}", c.p_value) : "-", replace_all(c.rule, "|", "\\|"),
                       replace_all(c.reason, "|", "\\|"));
  for (const auto& note : result.notes) out += "- " + note + "\n";
  return out;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters; tab, newline and carriage return are allowed.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string gate_to_junit_xml(const GateResult& result) {
  size_t failed = 0;
  for (const auto& c : result.checks) failed += c.passed ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"infeval gate\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
                     result.checks.size(), failed);
  out += fmt::format("  <testsuite name=\"infeval-gate\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                     result.checks.size(), failed);
  out += "    <properties>\n";
  out += fmt::format("      <property name=\"baseline\" value=\"{}\"/>\n", xml_escape(result.baseline));
  out += fmt::format("      <property name=\"candidate\" value=\"{}\"/>\n", xml_escape(result.candidate));
  out += "    </properties>\n";
  for (const auto& c : result.checks) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                       xml_escape(c.task), xml_escape(fmt::format("{} [{}]", c.metric, c.rule)));
    if (c.passed) {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n", xml_escape(c.reason));
    } else {
      out += fmt::format(">\n      <failure message=\"{}\" type=\"regression\">{}</failure>\n    </testcase>\n",
                         xml_escape(c.reason), xml_escape(fmt::format("{}:{} rule {}: {}", c.task, c.metric, c.rule, c.reason)));
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

json gate_to_json(const GateResult& result) {
  json out = {{"baseline", result.baseline},
              {"candidate", result.candidate},
              {"baseline_is_reference", result.baseline_is_reference},
              {"passed", result.passed()},
              {"notes", result.notes},
              {"checks", json::array()}};
  for (const auto& c : result.checks) {
    // null, not 0, where there is no value (see the Markdown table above).
    json jc = {{"task", c.task},
               {"metric", c.metric},
               {"rule", c.rule},
               {"passed", c.passed},
               {"reason", c.reason},
               {"baseline", c.metric == "*" ? json(nullptr) : json(c.baseline)},
               {"candidate", c.candidate_missing ? json(nullptr) : json(c.candidate)},
               {"delta", c.candidate_missing ? json(nullptr) : json(c.delta)}};
    if (c.p_value >= 0) {
      jc["p_value"] = c.p_value;
      jc["test"] = c.test;
    }
    out["checks"].push_back(jc);
  }
  return out;
}

}  // namespace infeval

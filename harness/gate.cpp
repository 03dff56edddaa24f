#include "harness/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "harness/report.h"

namespace infeval {

namespace fs = std::filesystem;

static double parse_number(const std::string& text, const std::string& rule) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(value) || value < 0)
    throw InputError(fmt::format("gate rule '{}': '{}' is not a non-negative number", rule, text));
  return value;
}

GateRule parse_gate_rule(const std::string& text) {
  const std::string form = "hint: the form is TASK:METRIC=abs:X|rel:X|sig:ALPHA, e.g. pope:f1=abs:0.5, "
                           "vqav2_val:accuracy=sig:0.05, *:accuracy=rel:2";
  const size_t equals = text.find('=');
  if (equals == std::string::npos) throw InputError(fmt::format("gate rule '{}': missing '='; {}", text, form));
  const std::string target = text.substr(0, equals);
  const std::string condition = text.substr(equals + 1);
  // Task names have no ':'; metric names may ("adversarial/f1" has none, but keep the split at the first ':').
  const size_t colon = target.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size())
    throw InputError(fmt::format("gate rule '{}': expected TASK:METRIC before '='; {}", text, form));
  GateRule rule;
  rule.text = text;
  rule.task = target.substr(0, colon);
  rule.metric = target.substr(colon + 1);
  const size_t kind_colon = condition.find(':');
  if (kind_colon == std::string::npos)
    throw InputError(fmt::format("gate rule '{}': expected abs:X, rel:X or sig:ALPHA after '='; {}", text, form));
  const std::string kind = condition.substr(0, kind_colon);
  std::string value = condition.substr(kind_colon + 1);
  if (kind == "abs") {
    rule.kind = GATE_RULE_ABS;
  } else if (kind == "rel") {
    rule.kind = GATE_RULE_REL;
    if (ends_with(value, "%")) value.pop_back();
  } else if (kind == "sig") {
    rule.kind = GATE_RULE_SIG;
  } else {
    throw InputError(fmt::format("gate rule '{}': unknown kind '{}'; {}", text, kind, form));
  }
  rule.value = parse_number(value, text);
  if (rule.kind == GATE_RULE_SIG && !(rule.value > 0.0 && rule.value < 1.0))
    throw InputError(fmt::format("gate rule '{}': alpha must be in (0, 1), e.g. sig:0.05", text));
  return rule;
}

ReferenceTable read_reference_table(const std::string& path, const std::string& config_dir) {
  const json j = read_json_file(path);
  if (!j.is_object() || !j.contains("tasks") || !j["tasks"].is_object())
    throw InputError(fmt::format("{}: a reference table is {{\"model\", \"source\", \"tasks\": {{\"<task>\": "
                                 "{{\"<metric>\": value}}}}}}",
                                 path));
  check_reference_table(j, path, config_dir.empty() ? std::string(INFEVAL_SOURCE_DIR) + "/configs" : config_dir);
  ReferenceTable table;
  table.path = path;
  table.model = j.value("model", "");
  table.source = j.value("source", "");
  for (const auto& [task, entry] : j["tasks"].items()) {
    for (const auto& [key, value] : entry.items()) {
      if (key == "variant") table.variants[task] = value.get<std::string>();
      else table.tasks[task][key] = value.get<double>();
    }
  }
  return table;
}

bool is_reference_table_file(const std::string& path) {
  if (!fs::is_regular_file(path)) return false;
  const json j = read_json_file(path);
  return j.is_object() && j.contains("tasks") && j.contains("source") && !j.contains("schema_version");
}

std::string resolve_reference_path(const std::string& baseline, const std::string& config_dir) {
  if (!starts_with(baseline, "ref:")) return baseline;
  const std::string dir = config_dir.empty() ? std::string(INFEVAL_SOURCE_DIR) + "/configs" : config_dir;
  const std::string name = baseline.substr(4);
  const std::string path = (fs::path(dir) / "references" / (name + ".json")).string();
  if (!fs::exists(path)) {
    std::vector<std::string> known;
    if (fs::is_directory(fs::path(dir) / "references"))
      for (const auto& entry : fs::directory_iterator(fs::path(dir) / "references"))
        if (entry.path().extension() == ".json") known.push_back(entry.path().stem().string());
    throw InputError(unknown_name_message("reference table", name, known, "") + fmt::format(" ({} not found)", path));
  }
  return path;
}

bool GateResult::passed() const {
  for (const auto& c : checks)
    if (!c.passed) return false;
  return true;
}

int GateResult::exit_code() const { return passed() ? EXIT_CODE_OK : EXIT_CODE_CHECK_FAILED; }

namespace {

// What the gate knows about one task/metric of both sides.
struct MetricPair {
  bool in_candidate = false;
  double baseline = 0.0;
  double candidate = 0.0;
  const MetricComparison* comparison = nullptr;  // run baseline only
};

// The baseline's task -> metric -> value, and the lookup of a candidate value.
class GateData {
 public:
  bool is_reference = false;
  ReferenceTable reference;
  RunComparison comparison;
  RunData candidate;
  RunData baseline_run;

  std::vector<std::string> baseline_tasks() const {
    std::vector<std::string> out;
    if (is_reference) {
      for (const auto& [task, metrics] : reference.tasks) out.push_back(task);
    } else {
      for (const auto& [task, run] : baseline_run.tasks) out.push_back(task);
    }
    return out;
  }
  std::vector<std::string> baseline_metrics(const std::string& task) const {
    std::vector<std::string> out;
    if (is_reference) {
      auto it = reference.tasks.find(task);
      if (it != reference.tasks.end())
        for (const auto& [metric, value] : it->second) out.push_back(metric);
    } else {
      auto it = baseline_run.tasks.find(task);
      if (it != baseline_run.tasks.end())
        for (const auto& [metric, value] : it->second.metrics) out.push_back(metric);
    }
    return out;
  }
  bool candidate_has_task(const std::string& task) const { return candidate.tasks.count(task) > 0; }

  MetricPair lookup(const std::string& task, const std::string& metric) const {
    MetricPair pair;
    if (is_reference) {
      pair.baseline = reference.tasks.at(task).at(metric);
      auto t = candidate.tasks.find(task);
      if (t == candidate.tasks.end()) return pair;
      auto m = t->second.metrics.find(metric);
      if (m == t->second.metrics.end()) return pair;
      pair.in_candidate = true;
      pair.candidate = m->second;
      return pair;
    }
    pair.baseline = baseline_run.tasks.at(task).metrics.at(metric);
    for (const auto& tc : comparison.tasks) {
      if (tc.task != task) continue;
      for (const auto& mc : tc.metrics)
        if (mc.metric == metric) {
          pair.in_candidate = true;
          pair.baseline = mc.base;
          pair.candidate = mc.other;
          pair.comparison = &mc;
        }
    }
    return pair;
  }
};

std::string rule_description(const GateRule& rule) {
  switch (rule.kind) {
    case GATE_RULE_ABS: return fmt::format("abs:{:g}", rule.value);
    case GATE_RULE_REL: return fmt::format("rel:{:g}%", rule.value);
    case GATE_RULE_SIG: return fmt::format("sig:{:g}", rule.value);
    default: return fmt::format("default (significant at {:g} and drop > {:g})", rule.value, rule.tolerance);
  }
}

GateCheck apply_rule(const GateRule& rule, const std::string& task, const std::string& metric, const GateData& data) {
  GateCheck check;
  check.rule = rule.kind == GATE_RULE_DEFAULT ? rule_description(rule) : rule.text;
  check.task = task;
  check.metric = metric;
  const MetricPair pair = data.lookup(task, metric);
  check.baseline = pair.baseline;
  if (!pair.in_candidate) {
    check.passed = false;
    check.candidate_missing = true;
    check.reason = data.candidate_has_task(task)
                       ? fmt::format("the candidate has no metric '{}' for task {}", metric, task)
                       : fmt::format("the candidate has no task {}", task);
    return check;
  }
  check.candidate = pair.candidate;
  check.delta = pair.candidate - pair.baseline;
  if (pair.comparison) {
    check.p_value = pair.comparison->p_value;
    check.test = pair.comparison->test;
  }
  const std::string change = fmt::format("{:.2f} -> {:.2f} ({:+.2f})", check.baseline, check.candidate, check.delta);
  const std::string test_text =
      check.p_value >= 0 ? fmt::format(", {} p = {:.4g}", check.test, check.p_value) : std::string();
  switch (rule.kind) {
    case GATE_RULE_ABS:
      check.passed = check.delta >= -rule.value;
      check.reason = check.passed ? fmt::format("{}: within {:g}", change, rule.value)
                                  : fmt::format("{}: drop larger than {:g}", change, rule.value);
      break;
    case GATE_RULE_REL: {
      const double allowed = rule.value / 100.0 * std::fabs(check.baseline);
      check.passed = check.delta >= -allowed;
      check.reason = check.passed ? fmt::format("{}: within {:g}% ({:.4g})", change, rule.value, allowed)
                                  : fmt::format("{}: drop larger than {:g}% of the baseline ({:.4g})", change,
                                                rule.value, allowed);
      break;
    }
    case GATE_RULE_SIG:
      check.passed = !(check.delta < 0 && check.p_value < rule.value);
      check.reason = fmt::format("{}{}: {}", change, test_text,
                                 check.passed ? "no significant drop" : fmt::format("significant drop at {:g}", rule.value));
      break;
    case GATE_RULE_DEFAULT:
      if (data.is_reference) {
        check.passed = check.delta >= -rule.tolerance;
        check.reason = fmt::format("{} vs paper: {}", change,
                                   check.passed ? fmt::format("within {:g}", rule.tolerance)
                                                : fmt::format("below the paper by more than {:g}", rule.tolerance));
      } else {
        const bool significant = check.p_value < rule.value;
        check.passed = !(check.delta < -rule.tolerance && significant);
        check.reason = fmt::format(
            "{}{}: {}", change, test_text,
            check.passed ? (check.delta < -rule.tolerance ? "drop larger than the tolerance but not significant"
                                                          : fmt::format("no drop larger than {:g}", rule.tolerance))
                         : fmt::format("significant drop larger than {:g}", rule.tolerance));
      }
      break;
  }
  return check;
}

bool is_diagnostic_metric(const std::string& metric) { return ends_with(metric, "yes_ratio"); }

}  // namespace

GateResult run_gate(const GateOptions& options) {
  if (options.baseline.empty() || options.candidate.empty())
    throw InputError("gate: --baseline RUN and --candidate RUN are both required");
  GateData data;
  GateResult result;
  result.baseline = options.baseline;
  result.candidate = options.candidate;
  const std::string baseline_path = resolve_reference_path(options.baseline, options.config_dir);
  data.is_reference = starts_with(options.baseline, "ref:") || is_reference_table_file(baseline_path);
  result.baseline_is_reference = data.is_reference;
  data.candidate = load_run(options.candidate);

  std::vector<GateRule> rules = options.rules;
  if (rules.empty()) {
    GateRule rule;
    rule.task = "*";
    rule.metric = "*";
    rule.kind = GATE_RULE_DEFAULT;
    rule.value = options.default_alpha;
    rule.tolerance = options.default_tolerance;
    rule.text = "default";
    rules.push_back(rule);
  }

  if (data.is_reference) {
    data.reference = read_reference_table(baseline_path, options.config_dir);
    result.notes.push_back(fmt::format("baseline: paper reference table {} ({}), source: {}", baseline_path,
                                       data.reference.model, data.reference.source));
    for (const auto& [task, variant] : data.reference.variants) {
      auto t = data.candidate.tasks.find(task);
      if (t != data.candidate.tasks.end() && !t->second.variant.empty() && t->second.variant != variant)
        result.notes.push_back(fmt::format("{}: not comparable: the candidate was scored with variant '{}', the "
                                           "paper's numbers with '{}'; hint: `infeval score --variant {}`",
                                           task, t->second.variant, variant, variant));
    }
    for (const auto& rule : rules)
      if (rule.kind == GATE_RULE_SIG)
        throw InputError(fmt::format("gate rule '{}': a reference table has no per-sample records, so there is no "
                                     "significance test; hint: use abs:X or rel:X against a reference table",
                                     rule.text));
  } else {
    data.baseline_run = load_run(baseline_path);
    CompareOptions compare = options.compare;
    compare.tasks.clear();  // every common task; rules pick what they need
    bool wildcard = false;
    std::set<std::string> wanted;
    for (const auto& rule : rules) {
      if (rule.task == "*") wildcard = true;
      else wanted.insert(rule.task);
    }
    if (!wildcard)
      for (const auto& task : wanted)
        if (data.baseline_run.tasks.count(task) && data.candidate.tasks.count(task)) compare.tasks.push_back(task);
    if (wildcard || !compare.tasks.empty()) {
      data.comparison = compare_pair(data.baseline_run, data.candidate, compare);
      for (const auto& note : data.comparison.notes) result.notes.push_back(note);
      for (const auto& task : data.comparison.tasks)
        for (const auto& note : task.notes) result.notes.push_back(task.task + ": " + note);
    }
  }

  for (const auto& rule : rules) {
    const bool explicit_task = rule.task != "*";
    std::vector<std::string> tasks;
    if (explicit_task) {
      const auto known = data.baseline_tasks();
      if (std::find(known.begin(), known.end(), rule.task) == known.end())
        throw InputError(fmt::format("gate rule '{}': ", rule.text) +
                         unknown_name_message("task", rule.task, known, "") +
                         fmt::format(" (not in the baseline {})", baseline_path));
      tasks.push_back(rule.task);
    } else {
      tasks = data.baseline_tasks();
    }
    size_t matched = 0;
    for (const auto& task : tasks) {
      // Wildcard rules (and the default rule) check only tasks the candidate ran; a named task must be there.
      if (!explicit_task && !data.candidate_has_task(task)) {
        if (!data.is_reference)
          result.notes.push_back(fmt::format("rule '{}': task {} is not in the candidate", rule.text, task));
        continue;
      }
      const auto metrics = data.baseline_metrics(task);
      if (rule.metric != "*" && std::find(metrics.begin(), metrics.end(), rule.metric) == metrics.end()) {
        if (explicit_task)
          throw InputError(fmt::format("gate rule '{}': ", rule.text) +
                           unknown_name_message("metric", rule.metric, metrics, "") +
                           fmt::format(" (task {} of the baseline {})", task, baseline_path));
        continue;
      }
      for (const auto& metric : metrics) {
        if (rule.metric != "*" && metric != rule.metric) continue;
        if (rule.kind == GATE_RULE_DEFAULT && is_diagnostic_metric(metric)) continue;
        result.checks.push_back(apply_rule(rule, task, metric, data));
        ++matched;
      }
    }
    if (matched == 0 && !explicit_task)
      throw InputError(fmt::format("gate rule '{}': matches no task/metric present in both the baseline {} and the "
                                   "candidate {}",
                                   rule.text, baseline_path, options.candidate));
  }
  return result;
}

// ---- output ----

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
    out += fmt::format("| {} | {} | {} | {:.2f} | {} | {} | {} | {} | {} |\n", c.passed ? "pass" : "**FAIL**", c.task,
                       c.metric, c.baseline, !c.candidate_missing ? fmt::format("{:.2f}", c.candidate) : "-",
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
    json jc = {{"task", c.task},     {"metric", c.metric},       {"rule", c.rule},
               {"passed", c.passed}, {"reason", c.reason},       {"baseline", c.baseline},
               {"candidate", c.candidate}, {"delta", c.delta}};
    if (c.p_value >= 0) {
      jc["p_value"] = c.p_value;
      jc["test"] = c.test;
    }
    out["checks"].push_back(jc);
  }
  return out;
}

}  // namespace infeval

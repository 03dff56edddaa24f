#include "harness/leaderboard.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/reference_table.h"
#include "harness/results.h"

namespace infeval {

using json = nlohmann::json;

namespace {

// A run's number at task/metric (results.json tasks.<task>.metrics.<metric>); nullopt when absent or not a number.
std::optional<double> run_value(const json& tasks, const std::string& task, const std::string& metric) {
  if (!tasks.contains(task) || !tasks[task].is_object()) return std::nullopt;
  const json& t = tasks[task];
  const json& metrics = t.contains("metrics") ? t["metrics"] : t;
  if (!metrics.contains(metric) || !metrics[metric].is_number()) return std::nullopt;
  return metrics[metric].get<double>();
}

// The scoring variant a run recorded for a task ("" when not recorded).
std::string run_variant(const json& tasks, const std::string& task) {
  if (!tasks.contains(task) || !tasks[task].is_object()) return "";
  const json& t = tasks[task];
  return t.contains("variant") && t["variant"].is_string() ? t["variant"].get<std::string>() : "";
}

// Columns: for each task in run order, the metrics chosen by the rule in LeaderboardOptions::all_metrics.
std::vector<LeaderboardColumn> leaderboard_columns(const std::vector<json>& runs,
                                                   const std::vector<ReferenceTable>& references, bool all_metrics) {
  std::vector<LeaderboardColumn> columns;
  std::set<std::string> seen;
  for (const auto& results : runs) {
    for (auto t = results["tasks"].begin(); t != results["tasks"].end(); ++t) {
      std::vector<std::string> metrics;
      for (auto m = t.value()["metrics"].begin(); m != t.value()["metrics"].end(); ++m) metrics.push_back(m.key());
      std::vector<std::string> chosen;
      if (all_metrics) {
        chosen = metrics;
      } else {
        for (const auto& metric : metrics)
          for (const auto& ref : references)
            if (ref.value(t.key(), metric) && std::find(chosen.begin(), chosen.end(), metric) == chosen.end())
              chosen.push_back(metric);
        if (chosen.empty() && !metrics.empty()) {
          // No paper number: the conventional headline metric, else the first one.
          for (const char* headline : {"accuracy", "f1", "perception", "CIDEr"})
            if (std::find(metrics.begin(), metrics.end(), headline) != metrics.end()) { chosen.push_back(headline); break; }
          if (chosen.empty()) chosen.push_back(metrics.front());
        }
      }
      for (const auto& metric : chosen) {
        LeaderboardColumn c{t.key(), metric};
        if (seen.insert(c.key()).second) columns.push_back(c);
      }
    }
  }
  return columns;
}

// One run's row: its values, and its deltas against the table of the same model when there is one, else the
// first table with the number. Deltas across scoring variants get a note in `mismatch_notes`.
LeaderboardRow run_row(const std::string& label, const json& results, const std::vector<LeaderboardColumn>& columns,
                       const std::vector<ReferenceTable>& references, std::vector<std::string>* mismatch_notes) {
  LeaderboardRow row;
  row.label = label;
  row.model = results["model"].value("model_name", "");
  const ReferenceTable* own = nullptr;
  for (const auto& ref : references)
    if (ref.model_or_name() == row.model || ref.name == row.model) own = &ref;
  if (own) row.reference_used = own->name;
  for (const auto& c : columns) {
    row.values[c.key()] = run_value(results["tasks"], c.task, c.metric);
    std::optional<double> paper;
    const ReferenceTable* paper_table = nullptr;
    if (own) {
      paper = own->value(c.task, c.metric);
      paper_table = own;
    } else {
      for (const auto& ref : references)
        if ((paper = ref.value(c.task, c.metric))) {
          paper_table = &ref;
          break;
        }
    }
    if (!row.values[c.key()]) continue;
    row.variants[c.key()] = run_variant(results["tasks"], c.task);
    if (!paper) continue;
    row.deltas[c.key()] = *row.values[c.key()] - *paper;
    row.paper_variants[c.key()] = paper_table->variant(c.task);
    if (row.delta_not_comparable(c.key()))
      mismatch_notes->push_back(fmt::format(
          "not comparable: {} {} was scored with variant '{}', the paper's number ({}) with '{}'", row.label,
          c.key(), row.variants[c.key()], paper_table->name, row.paper_variants[c.key()]));
  }
  return row;
}

// A reference table's row ("paper: <name>").
LeaderboardRow reference_row(const ReferenceTable& ref, const std::vector<LeaderboardColumn>& columns) {
  LeaderboardRow row;
  row.label = "paper: " + ref.name;
  row.model = ref.model_or_name();
  row.is_reference = true;
  for (const auto& c : columns) {
    row.values[c.key()] = ref.value(c.task, c.metric);
    if (row.values[c.key()]) row.variants[c.key()] = ref.variant(c.task);
  }
  return row;
}

}  // namespace

bool LeaderboardRow::delta_not_comparable(const std::string& key) const {
  auto d = deltas.find(key);
  if (d == deltas.end() || !d->second) return false;
  auto v = variants.find(key);
  auto p = paper_variants.find(key);
  if (v == variants.end() || p == paper_variants.end() || v->second.empty() || p->second.empty()) return false;
  return v->second != p->second;
}

std::string LeaderboardRow::delta_comparable_text(const std::string& key) const {
  auto d = deltas.find(key);
  if (d == deltas.end() || !d->second) return "";
  if (delta_not_comparable(key)) return "no";
  auto v = variants.find(key);
  auto p = paper_variants.find(key);
  if (v == variants.end() || p == paper_variants.end() || v->second.empty() || p->second.empty()) return "unknown";
  return "yes";
}

Leaderboard build_leaderboard(const LeaderboardOptions& options) {
  std::vector<ReferenceTable> references;
  const auto names = options.references.empty() ? reference_table_names(options.config_dir) : options.references;
  for (const auto& name : names) references.push_back(load_reference_table(options.config_dir, name));
  std::vector<json> runs;
  for (const auto& run : options.runs) runs.push_back(read_results(run));

  Leaderboard board;
  board.columns = leaderboard_columns(runs, references, options.all_metrics);
  std::vector<std::string> mismatch_notes;
  for (size_t r = 0; r < runs.size(); ++r)
    board.rows.push_back(run_row(options.runs[r], runs[r], board.columns, references, &mismatch_notes));
  for (const auto& ref : references) {
    LeaderboardRow row = reference_row(ref, board.columns);
    const bool any =
        std::any_of(row.values.begin(), row.values.end(), [](const auto& v) { return v.second.has_value(); });
    if (!any) continue;
    board.rows.push_back(row);
    if (!ref.source.is_null()) board.notes.push_back(fmt::format("{}: {}", ref.name, ref.source.dump()));
  }
  board.notes.insert(board.notes.end(), mismatch_notes.begin(), mismatch_notes.end());
  return board;
}

}  // namespace infeval

#include "harness/report.h"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "harness/core/text_util.h"
#include "harness/results.h"

namespace fs = std::filesystem;

namespace infeval {

using json = nlohmann::json;

std::vector<std::string> reference_table_names(const std::string& config_dir) {
  std::vector<std::string> names;
  const std::string dir = config_dir + "/references";
  if (!fs::is_directory(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

json load_reference_table(const std::string& config_dir, const std::string& name_or_path) {
  std::string path = name_or_path;
  if (!fs::exists(path)) {
    path = config_dir + "/references/" + name_or_path + ".json";
    if (!fs::exists(path))
      throw InputError(unknown_name_message("reference table", name_or_path, reference_table_names(config_dir), ""));
  }
  json table = read_json_file(path);
  if (!table.is_object() || !table.contains("tasks") || !table["tasks"].is_object())
    throw InputError(fmt::format("{}: a reference table needs a 'tasks' object", path));
  if (!table.contains("model")) table["model"] = fs::path(path).stem().string();
  table["name"] = fs::path(path).stem().string();
  return table;
}

static std::optional<double> number_at(const json& j, const std::string& task, const std::string& metric) {
  if (!j.contains(task) || !j[task].is_object()) return std::nullopt;
  const json& t = j[task];
  const json& metrics = t.contains("metrics") ? t["metrics"] : t;
  if (!metrics.contains(metric) || !metrics[metric].is_number()) return std::nullopt;
  return metrics[metric].get<double>();
}

Leaderboard build_leaderboard(const LeaderboardOptions& options) {
  Leaderboard board;
  std::vector<json> references;
  const auto names = options.references.empty() ? reference_table_names(options.config_dir) : options.references;
  for (const auto& name : names) references.push_back(load_reference_table(options.config_dir, name));
  std::vector<json> runs;
  for (const auto& run : options.runs) runs.push_back(read_results(run));

  // Columns: for each task in run order, the metrics chosen by the rule in LeaderboardOptions::all_metrics.
  std::set<std::string> seen;
  for (const auto& results : runs) {
    for (auto t = results["tasks"].begin(); t != results["tasks"].end(); ++t) {
      std::vector<std::string> metrics;
      for (auto m = t.value()["metrics"].begin(); m != t.value()["metrics"].end(); ++m) metrics.push_back(m.key());
      std::vector<std::string> chosen;
      if (options.all_metrics) {
        chosen = metrics;
      } else {
        for (const auto& metric : metrics)
          for (const auto& ref : references)
            if (number_at(ref["tasks"], t.key(), metric) &&
                std::find(chosen.begin(), chosen.end(), metric) == chosen.end())
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
        if (seen.insert(c.key()).second) board.columns.push_back(c);
      }
    }
  }

  for (size_t r = 0; r < runs.size(); ++r) {
    LeaderboardRow row;
    row.label = options.runs[r];
    row.model = runs[r]["model"].value("model_name", "");
    // Deltas against the table of the same model when there is one, else the first table with the number.
    const json* own = nullptr;
    for (const auto& ref : references)
      if (ref.value("model", "") == row.model || ref.value("name", "") == row.model) own = &ref;
    if (own) row.reference_used = own->value("name", "");
    for (const auto& c : board.columns) {
      row.values[c.key()] = number_at(runs[r]["tasks"], c.task, c.metric);
      std::optional<double> paper;
      if (own) paper = number_at((*own)["tasks"], c.task, c.metric);
      if (!own)
        for (const auto& ref : references)
          if ((paper = number_at(ref["tasks"], c.task, c.metric))) break;
      if (row.values[c.key()] && paper) row.deltas[c.key()] = *row.values[c.key()] - *paper;
    }
    board.rows.push_back(row);
  }
  for (const auto& ref : references) {
    LeaderboardRow row;
    row.label = "paper: " + ref.value("name", "");
    row.model = ref.value("model", "");
    row.is_reference = true;
    bool any = false;
    for (const auto& c : board.columns) {
      row.values[c.key()] = number_at(ref["tasks"], c.task, c.metric);
      any |= row.values[c.key()].has_value();
    }
    if (any) {
      board.rows.push_back(row);
      if (ref.contains("source")) board.notes.push_back(fmt::format("{}: {}", ref.value("name", ""), ref["source"].dump()));
    }
  }
  return board;
}

static std::string format_value(const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : "-"; }

std::string render_leaderboard_markdown(const Leaderboard& board) {
  std::string out = "| run | model |";
  std::string rule = "|---|---|";
  for (const auto& c : board.columns) {
    out += " " + c.key() + " |";
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : board.rows) {
    out += "| " + row.label + " | " + row.model + " |";
    for (const auto& c : board.columns) {
      std::string cell = format_value(row.values.at(c.key()));
      auto d = row.deltas.find(c.key());
      if (d != row.deltas.end() && d->second) cell += fmt::format(" ({:+.2f})", *d->second);
      out += " " + cell + " |";
    }
    out += "\n";
  }
  if (board.rows.size() > 0) out += "\n(value (delta vs the paper's number) where the paper reports one)\n";
  for (const auto& note : board.notes) out += "- " + note + "\n";
  return out;
}

static std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  return "\"" + replace_all(s, "\"", "\"\"") + "\"";
}

std::string render_leaderboard_csv(const Leaderboard& board) {
  std::string out = "run,model,is_reference";
  for (const auto& c : board.columns) out += "," + csv_escape(c.key()) + "," + csv_escape(c.key() + ":delta");
  out += "\n";
  for (const auto& row : board.rows) {
    out += csv_escape(row.label) + "," + csv_escape(row.model) + "," + (row.is_reference ? "1" : "0");
    for (const auto& c : board.columns) {
      const auto& v = row.values.at(c.key());
      out += "," + (v ? fmt::format("{:.10g}", *v) : std::string());
      auto d = row.deltas.find(c.key());
      out += "," + ((d != row.deltas.end() && d->second) ? fmt::format("{:.10g}", *d->second) : std::string());
    }
    out += "\n";
  }
  return out;
}

json leaderboard_to_json(const Leaderboard& board) {
  json j = {{"columns", json::array()}, {"rows", json::array()}, {"notes", board.notes}};
  for (const auto& c : board.columns) j["columns"].push_back({{"task", c.task}, {"metric", c.metric}});
  for (const auto& row : board.rows) {
    json r = {{"run", row.label}, {"model", row.model}, {"is_reference", row.is_reference},
              {"reference_used", row.reference_used}, {"values", json::object()}, {"deltas", json::object()}};
    for (const auto& c : board.columns) {
      const auto& v = row.values.at(c.key());
      r["values"][c.key()] = v ? json(*v) : json();
      auto d = row.deltas.find(c.key());
      if (d != row.deltas.end() && d->second) r["deltas"][c.key()] = *d->second;
    }
    j["rows"].push_back(r);
  }
  return j;
}

}  // namespace infeval

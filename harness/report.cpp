#include "harness/report.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task_config.h"
#include "core/text_util.h"
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
  check_reference_table(table, path, config_dir);
  if (!table.contains("model")) table["model"] = fs::path(path).stem().string();
  table["name"] = fs::path(path).stem().string();
  return table;
}

void check_reference_table(const json& table, const std::string& path, const std::string& config_dir) {
  if (!table.is_object() || !table.contains("tasks") || !table["tasks"].is_object())
    throw InputError(fmt::format("{}: a reference table needs a 'tasks' object", path));
  for (const auto& [task, entry] : table["tasks"].items()) {
    if (!entry.is_object())
      throw InputError(fmt::format("{}: tasks.{}: expected an object {{\"<metric>\": number, \"variant\": \"<name>\"}}",
                                   path, task));
    for (const auto& [key, value] : entry.items()) {
      if (key == "variant") continue;
      if (!value.is_number()) {
        // A non-number here is a metric written as text or a misspelt "variant".
        const bool misspelt = !closest_names(key, {"variant"}).empty();
        throw InputError(fmt::format("{}: tasks.{}: {} holds {}, expected a number (a task's keys are metric names "
                                     "with numbers and the optional \"variant\"){}",
                                     path, task, key, value.dump(), misspelt ? "; did you mean variant?" : ""));
      }
    }
    if (!entry.contains("variant")) continue;
    const json& variant = entry["variant"];
    if (!variant.is_string() || variant.get<std::string>().empty())
      throw InputError(fmt::format("{}: tasks.{}.variant: expected the name of the scoring variant behind the paper's "
                                   "numbers (a non-empty string, e.g. \"llava\"), got {}",
                                   path, task, variant.dump()));
    // The name must be one the task's scorer knows, or no run could ever match it.
    const std::string task_path = config_dir + "/tasks/" + task + ".json";
    if (config_dir.empty() || !fs::exists(task_path)) continue;
    const TaskConfig config = load_task_config(task_path);
    const std::vector<std::string> variants = find_scorer(config.scorer).variants();
    if (std::find(variants.begin(), variants.end(), variant.get<std::string>()) == variants.end())
      throw InputError(fmt::format("{}: tasks.{}.variant: {} (scorer {} has: {})", path, task,
                                   unknown_name_message("variant", variant.get<std::string>(), variants, ""),
                                   config.scorer, join(variants, ", ")));
  }
}

static std::string variant_at(const json& tasks, const std::string& task) {
  if (!tasks.contains(task) || !tasks[task].is_object()) return "";
  const json& t = tasks[task];
  return t.contains("variant") && t["variant"].is_string() ? t["variant"].get<std::string>() : "";
}

bool LeaderboardRow::delta_not_comparable(const std::string& key) const {
  auto d = deltas.find(key);
  if (d == deltas.end() || !d->second) return false;
  auto v = variants.find(key);
  auto p = paper_variants.find(key);
  if (v == variants.end() || p == paper_variants.end() || v->second.empty() || p->second.empty()) return false;
  return v->second != p->second;
}

// "yes" / "no" / "unknown" (a variant not recorded on one side) for a delta, "" without one.
static std::string delta_comparable_text(const LeaderboardRow& row, const std::string& key) {
  auto d = row.deltas.find(key);
  if (d == row.deltas.end() || !d->second) return "";
  if (row.delta_not_comparable(key)) return "no";
  auto v = row.variants.find(key);
  auto p = row.paper_variants.find(key);
  if (v == row.variants.end() || p == row.paper_variants.end() || v->second.empty() || p->second.empty())
    return "unknown";
  return "yes";
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

  std::vector<std::string> mismatch_notes;
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
      const json* paper_table = nullptr;
      if (own) {
        paper = number_at((*own)["tasks"], c.task, c.metric);
        paper_table = own;
      }
      if (!own)
        for (const auto& ref : references)
          if ((paper = number_at(ref["tasks"], c.task, c.metric))) {
            paper_table = &ref;
            break;
          }
      if (!row.values[c.key()]) continue;
      row.variants[c.key()] = variant_at(runs[r]["tasks"], c.task);
      if (!paper) continue;
      row.deltas[c.key()] = *row.values[c.key()] - *paper;
      row.paper_variants[c.key()] = variant_at((*paper_table)["tasks"], c.task);
      if (row.delta_not_comparable(c.key()))
        mismatch_notes.push_back(fmt::format(
            "not comparable: {} {} was scored with variant '{}', the paper's number ({}) with '{}'", row.label,
            c.key(), row.variants[c.key()], paper_table->value("name", ""), row.paper_variants[c.key()]));
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
      if (row.values[c.key()]) row.variants[c.key()] = variant_at(ref["tasks"], c.task);
      any |= row.values[c.key()].has_value();
    }
    if (any) {
      board.rows.push_back(row);
      if (ref.contains("source")) board.notes.push_back(fmt::format("{}: {}", ref.value("name", ""), ref["source"].dump()));
    }
  }
  board.notes.insert(board.notes.end(), mismatch_notes.begin(), mismatch_notes.end());
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
      if (d != row.deltas.end() && d->second)
        cell += fmt::format(row.delta_not_comparable(c.key()) ? " ({:+.2f} \u2020)" : " ({:+.2f})", *d->second);
      out += " " + cell + " |";
    }
    out += "\n";
  }
  if (board.rows.size() > 0) out += "\n(value (delta vs the paper's number) where the paper reports one)\n";
  bool any_mismatch = false;
  for (const auto& row : board.rows)
    for (const auto& c : board.columns) any_mismatch |= row.delta_not_comparable(c.key());
  if (any_mismatch)
    out += "\u2020 not comparable: the run and the paper used different scoring variants (notes below)\n";
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
  // The variant columns come after every value/delta pair, so the earlier columns keep their positions.
  for (const auto& c : board.columns)
    out += "," + csv_escape(c.key() + ":variant") + "," + csv_escape(c.key() + ":delta_comparable");
  out += "\n";
  for (const auto& row : board.rows) {
    out += csv_escape(row.label) + "," + csv_escape(row.model) + "," + (row.is_reference ? "1" : "0");
    for (const auto& c : board.columns) {
      const auto& v = row.values.at(c.key());
      out += "," + (v ? fmt::format("{:.10g}", *v) : std::string());
      auto d = row.deltas.find(c.key());
      out += "," + ((d != row.deltas.end() && d->second) ? fmt::format("{:.10g}", *d->second) : std::string());
    }
    for (const auto& c : board.columns) {
      auto variant = row.variants.find(c.key());
      out += "," + csv_escape(variant != row.variants.end() ? variant->second : "");
      out += "," + delta_comparable_text(row, c.key());
    }
    out += "\n";
  }
  return out;
}

json leaderboard_to_json(const Leaderboard& board) {
  json j = {{"columns", json::array()}, {"rows", json::array()}, {"notes", board.notes}};
  for (const auto& c : board.columns) j["columns"].push_back({{"task", c.task}, {"metric", c.metric}});
  for (const auto& row : board.rows) {
    json r = {{"run", row.label},
              {"model", row.model},
              {"is_reference", row.is_reference},
              {"reference_used", row.reference_used},
              {"values", json::object()},
              {"deltas", json::object()},
              {"variants", json::object()},
              {"paper_variants", json::object()},
              {"delta_comparable", json::object()}};
    for (const auto& c : board.columns) {
      const auto& v = row.values.at(c.key());
      r["values"][c.key()] = v ? json(*v) : json();
      auto variant = row.variants.find(c.key());
      if (variant != row.variants.end())
        r["variants"][c.key()] = variant->second.empty() ? json() : json(variant->second);
      auto d = row.deltas.find(c.key());
      if (d != row.deltas.end() && d->second) {
        r["deltas"][c.key()] = *d->second;
        auto paper = row.paper_variants.find(c.key());
        r["paper_variants"][c.key()] =
            paper == row.paper_variants.end() || paper->second.empty() ? json() : json(paper->second);
        const std::string comparable = delta_comparable_text(row, c.key());
        r["delta_comparable"][c.key()] = comparable == "unknown" ? json() : json(comparable == "yes");
      }
    }
    j["rows"].push_back(r);
  }
  return j;
}

}  // namespace infeval

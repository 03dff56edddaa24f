#include "harness/leaderboard_render.h"

#include <fmt/format.h>

#include "core/text_util.h"

namespace infeval {

using json = nlohmann::json;

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
      out += "," + row.delta_comparable_text(c.key());
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
        const std::string comparable = row.delta_comparable_text(c.key());
        r["delta_comparable"][c.key()] = comparable == "unknown" ? json() : json(comparable == "yes");
      }
    }
    j["rows"].push_back(r);
  }
  return j;
}

}  // namespace infeval

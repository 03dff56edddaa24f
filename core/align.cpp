// Default Scorer::align: match foreign predictions to samples by id.
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/task.h"

namespace infeval {

std::vector<Prediction> Scorer::align(const std::vector<Sample>& samples,
                                      const std::vector<ForeignPrediction>& predictions,
                                      const std::string& variant) const {
  const bool ignore_unknown = variant_info(variant).ignores_unknown_ids;
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < samples.size(); ++i) index_of[samples[i].id] = i;
  std::vector<Prediction> aligned(samples.size());
  std::unordered_map<std::string, std::string> seen;  // id -> where first seen
  for (const auto& p : predictions) {
    auto it = index_of.find(p.id);
    if (it == index_of.end()) {
      if (ignore_unknown) continue;  // as the official script does; `infeval score` reports how many
      throw InputError(fmt::format("{}: prediction for unknown id '{}' (not in the task's question file)", p.where, p.id));
    }
    auto dup = seen.find(p.id);
    if (dup != seen.end())
      throw InputError(fmt::format("{}: duplicate prediction for id '{}' (first at {})", p.where, p.id, dup->second));
    seen[p.id] = p.where;
    aligned[it->second].present = true;
    aligned[it->second].text = p.text;
    aligned[it->second].source = p.raw;
  }
  return aligned;
}

}  // namespace infeval

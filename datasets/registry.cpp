#include "datasets/registry.h"

#include <memory>

#include "harness/core/error.h"
#include "harness/core/text_util.h"

namespace infeval {

// Factories, each defined in its adapter's or scorer's own file (datasets/<name>.cpp).
std::unique_ptr<DatasetAdapter> make_qa_jsonl_adapter();
std::unique_ptr<Scorer> make_exact_match_scorer();

static const std::vector<std::unique_ptr<DatasetAdapter>>& adapters() {
  static const std::vector<std::unique_ptr<DatasetAdapter>> list = [] {
    std::vector<std::unique_ptr<DatasetAdapter>> v;
    v.push_back(make_qa_jsonl_adapter());
    return v;
  }();
  return list;
}

static const std::vector<std::unique_ptr<Scorer>>& scorers() {
  static const std::vector<std::unique_ptr<Scorer>> list = [] {
    std::vector<std::unique_ptr<Scorer>> v;
    v.push_back(make_exact_match_scorer());
    return v;
  }();
  return list;
}

std::vector<const DatasetAdapter*> all_adapters() {
  std::vector<const DatasetAdapter*> out;
  for (const auto& a : adapters()) out.push_back(a.get());
  return out;
}

std::vector<const Scorer*> all_scorers() {
  std::vector<const Scorer*> out;
  for (const auto& s : scorers()) out.push_back(s.get());
  return out;
}

const DatasetAdapter& find_adapter(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& a : adapters()) {
    if (a->name() == name) return *a;
    names.push_back(a->name());
  }
  throw InputError(unknown_name_message("dataset adapter", name, names, ""));
}

const Scorer& find_scorer(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& s : scorers()) {
    if (s->name() == name) return *s;
    names.push_back(s->name());
  }
  throw InputError(unknown_name_message("scorer", name, names, "infeval list metrics"));
}

}  // namespace infeval

// The explicit lists of dataset adapters and scorers (no static self-registration, which static libraries drop).
// Adding a benchmark of a new format: one adapter file, one line in registry.cpp, one configs/tasks/*.json.
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

const DatasetAdapter& find_adapter(const std::string& name);  // InputError with suggestions if unknown
const Scorer& find_scorer(const std::string& name);
std::vector<const DatasetAdapter*> all_adapters();
std::vector<const Scorer*> all_scorers();

}  // namespace infeval

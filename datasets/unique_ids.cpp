#include "datasets/unique_ids.h"

#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace infeval {

UniqueIds::UniqueIds(std::string what) : what_(std::move(what)) {}

void UniqueIds::add(const std::string& id, const std::string& where) {
  auto [it, inserted] = where_of_.emplace(id, where);
  if (!inserted) throw InputError(fmt::format("{}: duplicate {} {} (first at {})", where, what_, id, it->second));
}

bool UniqueIds::contains(const std::string& id) const { return where_of_.count(id) > 0; }

const std::string& UniqueIds::where(const std::string& id) const { return where_of_.at(id); }

}  // namespace infeval

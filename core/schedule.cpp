#include "core/schedule.h"

#include <algorithm>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"

namespace infeval {

std::vector<size_t> length_bucketed_order(const std::vector<int64_t>& lengths, const std::vector<std::string>& groups,
                                          size_t window) {
  if (lengths.size() != groups.size())
    throw InputError(fmt::format("length_bucketed_order: {} lengths for {} groups", lengths.size(), groups.size()));
  if (window == 0) throw InputError("length_bucketed_order: the window must hold at least one request");
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), size_t{0});
  for (size_t begin = 0; begin < order.size(); begin += window) {
    const size_t end = std::min(order.size(), begin + window);
    std::map<std::string, size_t> group_rank;  // first appearance inside this window
    for (size_t i = begin; i < end; ++i) group_rank.emplace(groups[i], group_rank.size());
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
                     order.begin() + static_cast<std::ptrdiff_t>(end), [&](size_t a, size_t b) {
                       const size_t rank_a = group_rank.at(groups[a]), rank_b = group_rank.at(groups[b]);
                       if (rank_a != rank_b) return rank_a < rank_b;
                       return lengths[a] < lengths[b];
                     });
  }
  return order;
}

}  // namespace infeval

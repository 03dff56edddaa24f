// Batch scheduling for throughput, shared by backends that want it (Backend::schedule). Plain C++.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace infeval {

// Length bucketing inside bounded windows. The pending requests are cut into consecutive windows of `window`
// requests (the last may be shorter); inside each window they are stably sorted by (group, length), where a group's
// rank is the position of its first request in the window. So:
//   - batches hold requests of similar length (less left padding in the prefill) and one group each where the
//     window allows (a group is e.g. one set of generation settings: the backend runs one model batch per group);
//   - progress through the question file stays monotone window by window (a killed run has finished whole early
//     windows, and a feature cache that holds one window's images sees every reuse inside it);
//   - equal keys keep their file order, so the order is deterministic.
// lengths and groups: one entry per pending request (same size). Returns a permutation of 0..n-1.
// InputError when the sizes differ or window is 0.
std::vector<size_t> length_bucketed_order(const std::vector<int64_t>& lengths, const std::vector<std::string>& groups,
                                          size_t window);

}  // namespace infeval

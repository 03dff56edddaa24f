// The per-sample loop of a scorer's score_samples(): one record per sample, in sample order, started by
// start_record() (id, question, raw prediction, missing/failed) and completed by the scorer's own rule.
#pragma once
#include <utility>
#include <vector>

#include "core/records.h"

namespace infeval {

// fill(sample, record) sets what the benchmark decides: parsed, references, score, extra. predictions[i]
// belongs to samples[i] (Scorer::score_samples' contract).
template <typename Fill>
std::vector<SampleRecord> score_each_sample(const std::vector<Sample>& samples,
                                            const std::vector<Prediction>& predictions, Fill fill) {
  std::vector<SampleRecord> records;
  records.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    SampleRecord record = start_record(samples[i], predictions[i]);
    fill(samples[i], record);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace infeval

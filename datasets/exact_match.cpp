// Exact-match scorer as InfMLLM's multitask evaluate_vqa.py does it for OCR-VQA: prediction and each reference
// compared after strip().lower(); a sample is right if any reference matches. Metric: accuracy in percent.
#include <memory>

#include "core/records.h"
#include "core/task.h"
#include "metrics/python_text.h"

namespace infeval {

namespace {

class ExactMatchScorer : public Scorer {
 public:
  std::string name() const override { return "exact_match"; }
  std::string description() const override { return "strip().lower() exact match against any reference (OCR-VQA)"; }
  std::vector<std::string> variants() const override { return {"infmllm"}; }
  std::vector<std::string> metric_names() const override { return {"accuracy"}; }
  MetricKind metric_kind(const std::string&) const override { return METRIC_KIND_MEAN_BINARY; }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      SampleRecord r = start_record(samples[i], predictions[i]);
      r.references = samples[i].meta.value("answers", json::array());
      r.parsed = python_lower(python_strip(r.prediction));
      r.score = 0.0;
      if (!r.missing && !r.failed)
        for (const auto& ref : r.references)
          if (python_lower(python_strip(ref.get<std::string>())) == r.parsed) r.score = 1.0;
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    double total = 0.0;
    for (const auto& r : records) total += r.score;
    return {{"accuracy", records.empty() ? 0.0 : 100.0 * total / static_cast<double>(records.size())}};
  }
};

}  // namespace

std::unique_ptr<Scorer> make_exact_match_scorer() { return std::make_unique<ExactMatchScorer>(); }

}  // namespace infeval

// Adapter for Qwen-VL style converted JSON Lines (InfMLLM's multitask files: OCR-VQA, GQA, VQAv2 test-dev, ...):
//   {"image": "<path relative to the images root>", "question": "...", "question_id": 123, "answer": "..."|[...]}
// Files: "questions" (the .jsonl), "images" (the image root). `answer` is optional (absent in test splits).
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/question_jsonl.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"

namespace infeval {

namespace {

class QaJsonlAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "qa_jsonl"; }
  std::string description() const override {
    return "Qwen-VL converted JSONL: image, question, question_id, optional answer";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    (void)task;
    return read_question_jsonl(path, images, [](const json& record, const std::string& where, Sample* sample) {
      Sample& s = *sample;
      s.vars["question"] = require_string(record, "question", where);
      if (record.contains("answer")) {
        const json& answer = record["answer"];
        if (answer.is_string()) s.meta["answers"] = json::array({answer});
        else if (answer.is_array()) s.meta["answers"] = answer;
        else throw InputError(fmt::format("{}: field 'answer' must be a string or a list of strings", where));
      }
    });
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_qa_jsonl_adapter() { return std::make_unique<QaJsonlAdapter>(); }

}  // namespace infeval

// Reading predictions in the formats `infeval score` accepts, detected from the content:
//   harness      our predictions JSONL ({"task","sample_id","prediction",...}), a file or a run's predictions/ dir
//   llava        LLaVA answer JSONL ({"question_id","text","prompt",...})
//   vqa-results  the official VQA results list [{"question_id","answer"}] (also as JSONL)
//   grounding    InfMLLM grounding answers {"box_id": "<segment_id>_<sent_id>", "answer"} (list or JSONL)
//   coco-captions  COCO caption results [{"image_id","caption"}]
//   gqa-predictions  GQA eval.py's input [{"questionId","prediction"}] (LLaVA's convert_gqa_for_eval.py output)
//   seed-upload  SEED-Bench's upload JSONL {"question_id","prediction"} (what infeval's SEED submission holds)
//   mmbench-tsv  a .tsv with "index" and "prediction" columns (MMBench's upload table, infeval's MMBench submission)
//   mme-dir      the MME eval-tool results directory (<subtask>.txt: image\tquestion\tGT\tprediction)
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

std::vector<std::string> prediction_format_names();

// Detects the format of `path` (file or directory); InputError if it cannot tell, listing what it saw.
std::string detect_prediction_format(const std::string& path);

// Reads predictions for `task`. `format` empty = detect. For the harness format, records of other tasks are
// ignored; when one sample has several records (e.g. from two models), the last one wins and a warning is printed.
std::vector<ForeignPrediction> read_predictions(const std::string& path, const std::string& format,
                                                const std::string& task, const std::vector<Sample>& samples);

// sha256 of what `path` holds, to tell one predictions source from another in results.json: a file's bytes; for a
// directory, the names and bytes of the files any format reads there (a run directory's predictions/*.jsonl, else
// the directory's own *.jsonl and *.txt files), so rescoring a changed directory is recognized as another model
// while a results.json written into the same run directory changes nothing.
std::string predictions_digest(const std::string& path);

}  // namespace infeval

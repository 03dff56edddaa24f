// Reading the official VQA-format files (VQAv2, OK-VQA, Qwen-VL's TextVQA conversions):
//   questions:   {"questions": [{question_id, image_id, question}], info, task_type, data_type, data_subtype, license}
//   annotations: {"annotations": [{question_id, image_id, question_type, answer_type,
//                                  answers: [{answer, answer_confidence, answer_id} x 10]}]}
// into Samples (question-file order, id = question_id) with
//   vars.question, meta.answers = [answer strings], meta.answer_identities = [the rest of each answer record],
//   meta.answer_type, meta.question_type, meta.image_id.
#pragma once
#include <string>
#include <vector>

#include "core/task.h"

namespace infeval {

struct VqaFormatOptions {
  std::string images_root;  // joined with the image file name; empty: no image path
  // Image file name; "{data_subtype}" (from the question file) and "{image_id:012}" / "{image_id}" are filled.
  std::string image_file = "COCO_{data_subtype}_{image_id:012}.jpg";
  bool require_annotations = true;  // false: questions only (test splits)
};

std::vector<Sample> load_vqa_format(const std::string& questions_path, const std::string& annotations_path,
                                    const VqaFormatOptions& options);

// The GT answers of a sample as the VQA scorers want them (meta.answers).
struct VqaGtAnswer;
std::vector<VqaGtAnswer> vqa_gt_answers(const Sample& sample);

}  // namespace infeval

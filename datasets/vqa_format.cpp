#include "datasets/vqa_format.h"

#include <unordered_map>

#include <fmt/format.h>

#include "datasets/json_record_list.h"
#include "datasets/unique_ids.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "metrics/vqa_accuracy.h"

namespace infeval {

namespace {

std::string image_file_name(const std::string& pattern, const std::string& data_subtype, const std::string& image_id) {
  std::string padded = image_id;
  if (padded.size() < 12) padded = std::string(12 - padded.size(), '0') + padded;
  std::string name = replace_all(pattern, "{data_subtype}", data_subtype);
  name = replace_all(name, "{image_id:012}", padded);
  return replace_all(name, "{image_id}", image_id);
}

}  // namespace

std::vector<Sample> load_vqa_format(const std::string& questions_path, const std::string& annotations_path,
                                    const VqaFormatOptions& options) {
  const JsonListDocument questions_doc(questions_path, "a JSON object with a 'questions' list");
  const JsonRecordList questions = questions_doc.list("questions");
  const json& question_file = questions_doc.document();
  const std::string data_subtype =
      question_file.contains("data_subtype") && question_file["data_subtype"].is_string()
          ? question_file["data_subtype"].get<std::string>()
          : "";

  std::vector<Sample> samples;
  std::unordered_map<std::string, size_t> index_of;
  UniqueIds question_ids("question_id");
  for (size_t i = 0; i < questions.size(); ++i) {
    const std::string where = questions.where(i);
    const json& q = questions[i];
    Sample s;
    s.id = require_id(q, "question_id", where);
    question_ids.add(s.id, where);
    const std::string image_id = require_id(q, "image_id", where);
    s.vars["question"] = require_string(q, "question", where);
    s.meta["image_id"] = image_id;
    if (!options.images_root.empty())
      s.image_path = options.images_root + "/" + image_file_name(options.image_file, data_subtype, image_id);
    index_of[s.id] = samples.size();
    samples.push_back(std::move(s));
  }

  if (annotations_path.empty()) {
    if (options.require_annotations)
      throw InputError(fmt::format("{}: no annotation file given for the questions", questions_path));
    return samples;
  }
  const JsonListDocument annotations_doc(annotations_path, "a JSON object with a 'annotations' list");
  const JsonRecordList annotations = annotations_doc.list("annotations");
  UniqueIds annotated("annotation for question_id");
  for (size_t i = 0; i < annotations.size(); ++i) {
    const std::string where = annotations.where(i);
    const json& a = annotations[i];
    const std::string id = require_id(a, "question_id", where);
    auto it = index_of.find(id);
    if (it == index_of.end())
      throw InputError(fmt::format("{}: annotation for unknown question_id {} (not in {})", where, id,
                                   questions_path));
    annotated.add(id, where);
    Sample& s = samples[it->second];
    const json& answers = require_field(a, "answers", where);
    if (!answers.is_array() || answers.empty())
      throw InputError(fmt::format("{}: field 'answers' must be a non-empty list of {{answer, answer_id}} objects",
                                   where));
    json texts = json::array();
    json identities = json::array();
    for (size_t k = 0; k < answers.size(); ++k) {
      const json& record = answers[k];
      if (!record.is_object() || !record.contains("answer") || !record["answer"].is_string())
        require_string(record, "answer", fmt::format("{} (question_id {}, answers[{}])", where, id, k));
      texts.push_back(record["answer"]);
      // The rest of the record, for the scripts' dict-inequality exclusion (keys are sorted: canonical).
      std::string identity;
      for (auto field = record.begin(); field != record.end(); ++field) {
        if (field.key() == "answer") continue;
        identity += field.key();
        identity += '=';
        const json& value = field.value();
        if (value.is_string()) identity += "s:" + value.get_ref<const std::string&>();
        else if (value.is_number_integer()) identity += "i:" + std::to_string(value.get<long long>());
        else identity += value.dump();
        identity += ';';
      }
      identities.push_back(std::move(identity));
    }
    s.meta["answers"] = std::move(texts);
    s.meta["answer_identities"] = std::move(identities);
    for (const char* key : {"answer_type", "question_type"}) {
      if (!a.contains(key)) continue;
      if (!a[key].is_string())
        throw InputError(fmt::format("{}: field '{}' must be a string, got {}", where, key, a[key].type_name()));
      s.meta[key] = a[key];
    }
  }
  for (const auto& s : samples)
    if (!annotated.contains(s.id))
      throw InputError(fmt::format("{}: question_id {} has no annotation in {}", question_ids.where(s.id), s.id,
                                   annotations_path));
  return samples;
}

std::vector<VqaGtAnswer> vqa_gt_answers(const Sample& sample) {
  std::vector<VqaGtAnswer> gts;
  auto answers = sample.meta.find("answers");
  if (answers == sample.meta.end()) return gts;
  auto identities = sample.meta.find("answer_identities");
  const bool has_identities = identities != sample.meta.end() && identities->size() == answers->size();
  for (size_t k = 0; k < answers->size(); ++k)
    gts.push_back({(*answers)[k].get<std::string>(),
                   has_identities ? (*identities)[k].get<std::string>() : std::to_string(k)});
  return gts;
}

}  // namespace infeval

#include "datasets/question_jsonl.h"

#include <fmt/format.h>

#include "datasets/unique_ids.h"

namespace infeval {

std::vector<Sample> read_question_jsonl(
    const std::string& path, const std::string& images_dir,
    const std::function<void(const json& record, const std::string& where, Sample* sample)>& fill,
    UniqueIds* question_ids) {
  std::vector<Sample> samples;
  UniqueIds own_ids("question_id");
  UniqueIds& ids = question_ids ? *question_ids : own_ids;
  read_jsonl_file(path, [&](const json& record, int line) {
    const std::string where = fmt::format("{}:{}", path, line);
    Sample s;
    s.id = require_id(record, "question_id", where);
    ids.add(s.id, where);
    const std::string image = require_string(record, "image", where);
    s.image_path = images_dir.empty() ? image : images_dir + "/" + image;
    fill(record, where, &s);
    samples.push_back(std::move(s));
  });
  return samples;
}

}  // namespace infeval

// MMBench dev (EN / CN), LLaVA-1.5 protocol. Files:
//   questions: the TSV (index, question, hint, A..D, answer, category, source, l2-category, comment, image as
//              base64, ...), read as pandas.read_table does: tab-separated, a field starting with '"' is quoted,
//              pandas' default NA strings ("", "nan", "None", "N/A", ...) are missing values. An image field of at
//              most 64 digits names the row whose image it reuses (VLMEvalKit's convention for rotated copies).
// Prompt (model_vqa_mmbench.py --single-pred-prompt): [hint + "\n"] + question + "\n" + L + ". " + option for the
// options A..D up to the first missing one, then the letter instruction (options.lang "cn": 请直接回答选项字母。).
// Scorer "mmbench", variant "vlmevalkit" (metrics/mmbench.h, exact matching, no LLM judge):
//   accuracy:          single pass over all rows (VLMEvalKit eval_vanilla)
//   circular_accuracy: CircularEval over the groups index % 1e6 whose main row (index < 1e6) is present: a group
//                      counts only if every rotation is answered right.
// write_outputs: the upload table (the TSV without hint/category/source/image/comment/l2-category, a
// "prediction" column inserted at position 6) as <task>_submission.tsv, plus a manifest.
#include <cmath>
#include <memory>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/score_each_sample.h"
#include "datasets/submission.h"
#include "datasets/tsv_table.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "core/text_util.h"
#include "metrics/mmbench.h"

namespace infeval {

namespace {

// pandas' default NA strings.
bool is_pandas_na(const std::string& value) {
  static const std::set<std::string> na = {"",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
                                           "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",   "NA",      "NULL",
                                           "NaN",  "None", "n/a",     "nan",  "null"};
  return na.count(value) > 0;
}

// model_vqa_mmbench.py's is_none on a value read by pandas.
bool llava_is_none(const std::string& value) {
  if (is_pandas_na(value)) return true;
  const std::string lower = to_lower_ascii(value);
  return lower == "nan" || lower == "none";
}

std::string base64_decode(const std::string& text, const std::string& where) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int buffer = 0, bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    const size_t v = alphabet.find(c);
    if (v == std::string::npos) throw InputError(where + ": the image field is not valid base64");
    buffer = (buffer << 6) | static_cast<int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

class MmbenchAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "mmbench"; }
  std::string description() const override { return "MMBench TSV with base64 images (dev EN/CN)"; }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("questions");
    const TsvTable table = read_tsv(path);
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < table.header.size(); ++i) col[table.header[i]] = i;
    for (const char* required : {"index", "question", "A", "B", "image"})
      if (!col.count(required))
        throw InputError(fmt::format("{}:1: the header has no column '{}' (columns: {})", path, required,
                                     join(table.header, ", ")));
    const bool cn = task.options.value("lang", "en") == "cn";
    const std::string suffix = cn ? "\n请直接回答选项字母。" : "\nAnswer with the option's letter from the given choices directly.";
    const auto cell = [&](size_t r, const std::string& name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= table.rows[r].size()) return "";
      return table.rows[r][it->second];
    };
    std::unordered_map<std::string, size_t> row_of_index;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const std::string where = fmt::format("{}:{}", path, table.lines[r]);
      if (table.rows[r].size() != table.header.size())
        throw InputError(fmt::format("{}: {} fields, the header has {}", where, table.rows[r].size(),
                                     table.header.size()));
      const std::string index = cell(r, "index");
      if (!all_digits(index)) throw InputError(fmt::format("{}: 'index' must be an integer, got '{}'", where, index));
      auto [it, inserted] = row_of_index.emplace(index, r);
      if (!inserted)
        throw InputError(fmt::format("{}: duplicate index {} (first on line {})", where, index,
                                     table.lines[it->second]));
    }
    // The upload table's columns (convert_mmbench_for_submission.py): drop these, insert "prediction" at 6.
    static const std::set<std::string> dropped = {"hint", "category", "source", "image", "comment", "l2-category"};
    std::vector<size_t> kept;
    for (size_t c = 0; c < table.header.size(); ++c)
      if (!dropped.count(table.header[c])) kept.push_back(c);
    const size_t prediction_column = std::min<size_t>(6, kept.size());
    const auto upload_row = [&](const std::vector<std::string>& row) {
      json out = json::array();
      for (size_t k = 0; k < kept.size(); ++k) {
        if (k == prediction_column) out.push_back("");
        out.push_back(row[kept[k]]);
      }
      if (prediction_column == kept.size()) out.push_back("");
      return out;
    };
    json upload_header = upload_row(table.header);
    upload_header[prediction_column] = "prediction";
    std::vector<Sample> samples;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const std::string where = fmt::format("{}:{}", path, table.lines[r]);
      Sample s;
      s.id = cell(r, "index");
      std::string image = cell(r, "image");
      if (image.size() <= 64 && all_digits(image)) {
        auto ref = row_of_index.find(image);
        if (ref == row_of_index.end())
          throw InputError(fmt::format("{}: image refers to row index {}, which is not in the file", where, image));
        image = cell(ref->second, "image");
      }
      if (is_pandas_na(image)) throw InputError(where + ": the image field is empty");
      s.image_bytes = base64_decode(image, where);
      const std::string question = cell(r, "question");
      if (is_pandas_na(question)) throw InputError(where + ": the question field is empty");
      std::string text = question;
      const std::string hint = cell(r, "hint");
      if (!llava_is_none(hint)) text = hint + "\n" + text;
      for (const char* letter : {"A", "B", "C", "D"}) {
        const std::string option = cell(r, letter);
        if (llava_is_none(option)) break;
        text += std::string("\n") + letter + ". " + option;
      }
      text += suffix;
      s.vars["question"] = text;
      json choices = json::object();  // VLMEvalKit build_choices: every non-NA letter column
      for (char letter = 'A'; letter <= 'Z'; ++letter) {
        const std::string name(1, letter);
        if (col.count(name) && !is_pandas_na(cell(r, name))) choices[name] = cell(r, name);
      }
      s.meta["choices"] = choices;
      if (col.count("answer") && !is_pandas_na(cell(r, "answer"))) s.meta["answer"] = cell(r, "answer");
      if (col.count("category")) s.meta["category"] = cell(r, "category");
      s.meta["index"] = std::stoll(s.id);
      s.meta["upload_header"] = upload_header;
      s.meta["upload_row"] = upload_row(table.rows[r]);
      s.meta["upload_prediction_column"] = prediction_column;
      samples.push_back(std::move(s));
    }
    return samples;
  }
};

std::map<std::string, std::string> choices_of(const json& meta) {
  std::map<std::string, std::string> choices;
  for (auto it = meta.at("choices").begin(); it != meta.at("choices").end(); ++it)
    choices[it.key()] = it.value().get<std::string>();
  return choices;
}

class MmbenchScorer : public Scorer {
 public:
  std::string name() const override { return "mmbench"; }
  std::string description() const override {
    return "MMBench local scoring with the dev answers (VLMEvalKit exact matching): single pass and CircularEval";
  }
  std::vector<std::string> variants() const override { return {"vlmevalkit"}; }
  std::vector<std::string> metric_names() const override { return {"accuracy", "circular_accuracy"}; }
  MetricKind metric_kind(const std::string& metric) const override {
    return metric == "accuracy" ? METRIC_KIND_MEAN_BINARY : METRIC_KIND_OTHER;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    return score_each_sample(samples, predictions, [](const Sample& s, SampleRecord& r) {
      const bool has_answer = s.meta.contains("answer");
      const std::string answer = has_answer ? s.meta.at("answer").get<std::string>() : "";
      r.references = has_answer ? json::array({answer}) : json::array();
      const auto choices = choices_of(s.meta);
      const bool answered = !r.missing && !r.failed;
      r.parsed = answered ? mmbench_can_infer(r.prediction, choices) : "";
      r.score = (answered && has_answer && mmbench_hit(r.prediction, choices, answer)) ? 1.0 : 0.0;
      const long long index = s.meta.at("index").get<long long>();
      r.extra["index"] = index;
      r.extra["group"] = mmbench_circular_group(index);
      // The question and its rotated copies are one CircularEval unit: `infeval compare` resamples them together.
      r.extra["cluster"] = std::to_string(mmbench_circular_group(index));
      r.extra["has_answer"] = has_answer;
    });
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    // Groups are keyed by extra.cluster (records written before it existed: extra.group), so that the cluster
    // bootstrap, which renames the clusters it draws, counts a question drawn twice as two questions.
    double right = 0, scored = 0;
    std::map<std::string, bool> group_hit;
    std::set<std::string> mains;
    for (const auto& r : records) {
      if (!r.extra.value("has_answer", false)) continue;
      scored += 1;
      right += r.score;
      const long long index = r.extra.at("index").get<long long>();
      const long long group = r.extra.at("group").get<long long>();
      const std::string key =
          r.extra.contains("cluster") ? r.extra.at("cluster").get<std::string>() : std::to_string(group);
      if (index == group) mains.insert(key);
      auto [it, inserted] = group_hit.emplace(key, r.score > 0.5);
      if (!inserted) it->second = it->second && r.score > 0.5;
    }
    double circular_right = 0;
    for (const std::string& g : mains) circular_right += group_hit[g] ? 1 : 0;
    return {{"accuracy", scored == 0 ? std::nan("") : right / scored * 100},
            {"circular_accuracy",
             mains.empty() ? std::nan("") : circular_right / static_cast<double>(mains.size()) * 100}};
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"MMBench: local scores use VLMEvalKit's exact matching without an LLM judge (an answer it cannot match "
            "is wrong), so they can be below the OpenCompass server's; rows without an answer are not scored",
            "MMBench: circular_accuracy groups rows by index % 1e6 and needs the rotated copies in the TSV"};
  }

  void write_outputs(const TaskConfig& task, const std::vector<Sample>& samples,
                     const std::vector<SampleRecord>& records, const std::string& out_dir,
                     const json& options) const override {
    const bool allow_missing = submission_allow_missing(task, options);
    std::vector<bool> answered;
    const SubmissionCoverage coverage = check_records_coverage(task, samples, records, allow_missing, &answered);
    const auto quote = [](const std::string& v) {
      if (v.find_first_of("\t\n\r\"") == std::string::npos) return v;
      return "\"" + replace_all(v, "\"", "\"\"") + "\"";
    };
    // upload_header / upload_row: the kept columns, "prediction" already inserted at position 6 (empty value).
    const auto emit_row = [&](const json& row, const std::string& prediction, size_t at) {
      std::vector<std::string> out;
      for (size_t k = 0; k < row.size(); ++k) out.push_back(quote(k == at ? prediction : row[k].get<std::string>()));
      return join(out, "\t") + "\n";
    };
    std::string content;
    for (size_t i = 0; i < samples.size(); ++i) {
      const size_t at = samples[i].meta.at("upload_prediction_column").get<size_t>();
      if (i == 0) content += emit_row(samples[i].meta.at("upload_header"), "prediction", at);
      content += emit_row(samples[i].meta.at("upload_row"), answered[i] ? records[i].prediction : "", at);
    }
    SubmissionFile file;
    file.file_name = task.name + "_submission.tsv";
    file.content = content;
    file.format = "TSV: the MMBench TSV without hint/category/source/image/comment/l2-category, with a prediction "
                  "column at position 6 (convert_mmbench_for_submission.py's table; save as .xlsx to upload)";
    file.normalization = "none: the raw answer text";
    write_submission(task.name, out_dir, file, coverage, allow_missing);
  }

};

}  // namespace

std::unique_ptr<DatasetAdapter> make_mmbench_adapter() { return std::make_unique<MmbenchAdapter>(); }
std::unique_ptr<Scorer> make_mmbench_scorer() { return std::make_unique<MmbenchScorer>(); }

}  // namespace infeval

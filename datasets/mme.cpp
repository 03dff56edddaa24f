// MME (14 subtasks). Files:
//   questions: JSON lines {"question_id", "image", "text" (or "question"), "answer": "Yes"/"No",
//              "category" (or "dataset"): subtask name}; both questions of an image must be adjacent within their
//              subtask (the eval tool pairs lines two at a time).
//   images:    image root.
// Without a question file, an eval-tool results folder given as the answers is its own ground truth (what
// calculation.py reads): mme_samples_from_results_dir.
// LLaVA's MME question file repeats a question_id for the two questions of an image; such ids become
// "<question_id>#1", "<question_id>#2" (answers carrying the bare id are matched by prompt, then by order).
// Scorer "mme", variant "official" (metrics/mme.h): perception, cognition and one score per subtask.
#include "datasets/mme.h"

#include <dirent.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "metrics/mme.h"
#include "metrics/python_text.h"

namespace infeval {

namespace {

const char kLlavaSuffix[] = "Answer the question using a single word or phrase.";

// The question as the eval tool's GT files spell it, reduced to compare: suffixes removed, spaces collapsed.
std::string comparable_question(std::string text) {
  text = replace_all(text, kLlavaSuffix, "");
  text = replace_all(text, "Please answer yes or no.", "");
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// convert_answer_to_mme.py writes repr(question): undo the quotes and the common escapes.
std::string unrepr(const std::string& text) {
  if (text.size() < 2 || (text[0] != '\'' && text[0] != '"') || text.back() != text[0]) return text;
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] != '\\' || i + 2 >= text.size()) {
      out += text[i];
      continue;
    }
    const char e = text[++i];
    if (e == 'n') out += '\n';
    else if (e == 't') out += '\t';
    else if (e == 'r') out += '\r';
    else if (e == '\\' || e == '\'' || e == '"') out += e;
    else {
      out += '\\';
      out += e;
    }
  }
  return out;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "0020.png" -> "0020" (the name LLaVA's converter writes is "<stem>.txt").
std::string stem(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// One line of a results file: image, question, GT (lowercased, yes or no) and the prediction (fields 4.. joined).
struct ResultsLine {
  std::string image, question, gt, prediction;
};

ResultsLine parse_results_line(const std::string& line, const std::string& where) {
  std::vector<std::string> fields = split(line, '\t');
  if (fields.size() < 4)
    throw InputError(fmt::format("{}: expected image<TAB>question<TAB>GT<TAB>prediction, found {} field(s)", where,
                                 fields.size()));
  std::vector<std::string> rest(fields.begin() + 3, fields.end());
  ResultsLine r{fields[0], fields[1], python_lower(fields[2]), join(rest, "\t")};
  if (r.gt != "yes" && r.gt != "no") throw InputError(fmt::format("{}: GT must be yes or no, got '{}'", where, fields[2]));
  return r;
}

// The <subtask>.txt files of the 14 subtasks in `dir`, sorted.
std::vector<std::string> results_file_names(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (!handle) throw InputError(fmt::format("{}: cannot open the MME results folder", dir));
  std::vector<std::string> names;
  while (dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (ends_with(name, ".txt") && mme_is_subtask(name.substr(0, name.size() - 4))) names.push_back(name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  if (names.empty())
    throw InputError(fmt::format("{}: no MME results files (<subtask>.txt, e.g. existence.txt)", dir));
  return names;
}

// Python readlines() in text mode: universal newlines; each returned line without its terminator.
std::vector<std::string> python_lines(const std::string& content) {
  std::vector<std::string> lines;
  std::string current;
  for (size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
      lines.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

class MmeAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "mme"; }
  std::string description() const override {
    return "MME: LLaVA-style JSONL with answer Yes/No and category/dataset = subtask";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    if (!files.count("questions")) {
      auto answers = files.find("predictions");
      if (answers != files.end() && std::filesystem::is_directory(answers->second)) return mme_samples_from_results_dir(answers->second);
      throw InputError(fmt::format("task {}: the mme adapter needs the 'questions' file, unless the answers are an "
                                   "eval-tool results folder (<subtask>.txt), which holds the ground truth itself",
                                   task.name));
    }
    const std::string& path = files.at("questions");
    const std::string images = files.count("images") ? files.at("images") : "";
    std::vector<Sample> samples;
    std::vector<int> lines;
    std::unordered_map<std::string, std::vector<size_t>> by_id;
    read_jsonl_file(path, [&](const json& record, int line) {
      const std::string where = fmt::format("{}:{}", path, line);
      Sample s;
      s.id = require_id(record, "question_id", where);
      const std::string image = require_string(record, "image", where);
      s.image_path = images.empty() ? image : images + "/" + image;
      s.vars["question"] = record.contains("text") ? require_string(record, "text", where)
                                                   : require_string(record, "question", where);
      const std::string subtask = record.contains("category") ? require_string(record, "category", where)
                                                              : require_string(record, "dataset", where);
      if (!mme_is_subtask(subtask))
        throw InputError(fmt::format("{}: unknown MME subtask '{}' (known: {}, {})", where, subtask,
                                     join(mme_perception_subtasks(), ", "), join(mme_cognition_subtasks(), ", ")));
      const std::string answer = python_lower(require_string(record, "answer", where));
      if (answer != "yes" && answer != "no")
        throw InputError(fmt::format("{}: field 'answer' must be Yes or No, got '{}'", where,
                                     require_string(record, "answer", where)));
      s.meta["subtask"] = subtask;
      s.meta["answer"] = answer;
      s.meta["image_name"] = base_name(image);
      s.meta["question_id"] = s.id;
      by_id[s.id].push_back(samples.size());
      lines.push_back(line);
      samples.push_back(std::move(s));
    });
    for (const auto& [id, indices] : by_id) {
      if (indices.size() == 1) continue;
      if (indices.size() > 2)
        throw InputError(fmt::format("{}:{}: question_id {} occurs {} times (at most twice: the two questions of "
                                     "one image)", path, lines[indices[2]], id, indices.size()));
      for (size_t k = 0; k < indices.size(); ++k) samples[indices[k]].id = fmt::format("{}#{}", id, k + 1);
    }
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < samples.size(); ++i) {
      auto [it, inserted] = seen.emplace(samples[i].id, i);
      if (!inserted)
        throw InputError(fmt::format("{}:{}: duplicate id {} (first on line {})", path, lines[i], samples[i].id,
                                     lines[it->second]));
    }
    // Pairs: within each subtask, questions 2k and 2k+1 must show the same image.
    std::map<std::string, std::vector<size_t>> by_subtask;
    for (size_t i = 0; i < samples.size(); ++i)
      by_subtask[samples[i].meta["subtask"].get<std::string>()].push_back(i);
    for (const auto& [subtask, indices] : by_subtask) {
      if (indices.size() % 2 != 0)
        throw InputError(fmt::format("{}: subtask {} has {} questions; MME needs two per image", path, subtask,
                                     indices.size()));
      for (size_t k = 0; k < indices.size(); k += 2) {
        const Sample& a = samples[indices[k]];
        const Sample& b = samples[indices[k + 1]];
        if (a.image_path != b.image_path)
          throw InputError(fmt::format("{}:{}: subtask {}: questions are paired two at a time, but this one shows "
                                       "{} and its partner (line {}) {} (hint: keep both questions of an image "
                                       "adjacent)", path, lines[indices[k + 1]], subtask, b.image_path,
                                       lines[indices[k]], a.image_path));
        samples[indices[k]].meta["pair"] = fmt::format("{}#{}", subtask, k / 2);
        samples[indices[k + 1]].meta["pair"] = fmt::format("{}#{}", subtask, k / 2);
      }
    }
    (void)task;
    return samples;
  }
};

class MmeScorer : public Scorer {
 public:
  std::string name() const override { return "mme"; }
  std::string description() const override {
    return "MME official eval tool: per subtask 100*(acc + acc+), perception and cognition sums";
  }
  std::vector<std::string> variants() const override { return {"official"}; }
  VariantInfo variant_info(const std::string& variant) const override {
    VariantInfo info;
    info.name = variant;
    info.script = "evaluate/infmllm_chat/calculation_mme.py (MME's eval_tool/calculation.py)";
    info.repository = "mightyzau/InfMLLM";
    info.commit = "82fa8ef";
    info.python = "3";
    info.reads = {};  // the results folder only; answer files go through a converter that reads the questions
    info.ignores_unknown_ids = true;  // answers the converter finds no question for never reach the tool
    return info;
  }
  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = {"perception", "cognition"};
    for (const auto& s : mme_perception_subtasks()) names.push_back(s);
    for (const auto& s : mme_cognition_subtasks()) names.push_back(s);
    return names;
  }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      SampleRecord r = start_record(s, predictions[i]);
      const std::string gt = s.meta.at("answer").get<std::string>();
      r.references = json::array({gt});
      r.parsed = (r.missing || r.failed) ? "other" : mme_parse_prediction(r.prediction);
      r.score = r.parsed == gt ? 1.0 : 0.0;
      r.extra["subtask"] = s.meta.at("subtask");
      r.extra["pair"] = s.meta.at("pair");
      // The image pair is the resampling cluster of `infeval compare` (harness/comparison.h): acc+ needs both questions.
      r.extra["cluster"] = s.meta.at("pair");
      records.push_back(std::move(r));
    }
    return records;
  }

  // Per subtask: acc over the records, acc+ over the image pairs present (a pair is right when all of its records
  // are); on the full record set this is exactly the tool's two-at-a-time computation. Pairs are keyed by
  // extra.cluster (records written before it existed: extra.pair), so that the cluster bootstrap, which renames
  // the clusters it draws, counts an image drawn twice as two images.
  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    struct Tally {
      size_t questions = 0, right = 0;
      std::map<std::string, bool> pair_right;
    };
    std::map<std::string, Tally> tallies;
    for (const auto& r : records) {
      Tally& t = tallies[r.extra.at("subtask").get<std::string>()];
      ++t.questions;
      const bool right = r.score > 0.5;
      if (right) ++t.right;
      const json& key = r.extra.contains("cluster") ? r.extra.at("cluster") : r.extra.at("pair");
      auto [it, inserted] = t.pair_right.emplace(key.get<std::string>(), right);
      if (!inserted) it->second = it->second && right;
    }
    std::map<std::string, double> metrics;
    const auto sum_over = [&](const std::vector<std::string>& names) {
      double total = 0.0;
      for (const auto& name : names) {
        auto it = tallies.find(name);
        if (it == tallies.end()) continue;
        size_t pairs_right = 0;
        for (const auto& p : it->second.pair_right) pairs_right += p.second ? 1 : 0;
        const double acc = static_cast<double>(it->second.right) / static_cast<double>(it->second.questions);
        const double acc_plus =
            static_cast<double>(pairs_right) / static_cast<double>(it->second.pair_right.size());
        const double score = acc * 100 + acc_plus * 100;
        metrics[name] = score;
        total += score;
      }
      return total;
    };
    metrics["perception"] = sum_over(mme_perception_subtasks());
    metrics["cognition"] = sum_over(mme_cognition_subtasks());
    return metrics;
  }

  // By id; an answer whose id is a repeated LLaVA question_id goes to the sample with the same prompt, else to the
  // first of that id's samples not yet answered.
  std::vector<Prediction> align(const std::vector<Sample>& samples, const std::vector<ForeignPrediction>& predictions,
                                const std::string& variant) const override {
    std::unordered_map<std::string, std::vector<size_t>> by_question_id;
    for (size_t i = 0; i < samples.size(); ++i)
      if (samples[i].id != samples[i].meta.at("question_id").get<std::string>())
        by_question_id[samples[i].meta.at("question_id").get<std::string>()].push_back(i);
    std::vector<ForeignPrediction> renamed = predictions;
    std::vector<bool> taken(samples.size(), false);
    for (auto& p : renamed) {
      auto it = by_question_id.find(p.id);
      if (it == by_question_id.end()) continue;
      const std::string prompt =
          p.raw.is_object() && p.raw.contains("prompt") && p.raw["prompt"].is_string() ? p.raw["prompt"].get<std::string>()
                                                                                        : "";
      size_t chosen = samples.size();
      for (size_t i : it->second)
        if (!taken[i] && !prompt.empty() &&
            comparable_question(samples[i].vars.at("question")) == comparable_question(prompt))
          chosen = i;
      if (chosen == samples.size())
        for (size_t i : it->second)
          if (!taken[i]) {
            chosen = i;
            break;
          }
      if (chosen == samples.size())
        throw InputError(fmt::format("{}: a third answer for question_id '{}' (an image has two questions)", p.where,
                                     p.id));
      taken[chosen] = true;
      p.id = samples[chosen].id;
    }
    return Scorer::align(samples, renamed, variant);
  }

  std::vector<std::string> notes(const std::string&) const override {
    return {"MME: within a subtask, questions are paired two at a time in question-file order (acc+); a missing "
            "answer counts as \"other\" (wrong); perception/cognition sum the subtasks present"};
  }
};

}  // namespace

std::vector<Sample> mme_samples_from_results_dir(const std::string& dir) {
  std::vector<Sample> samples;
  for (const auto& name : results_file_names(dir)) {
    const std::string subtask = name.substr(0, name.size() - 4);
    const std::string path = dir + "/" + name;
    const auto lines = python_lines(read_text_file(path));
    if (lines.size() % 2 != 0)
      throw InputError(fmt::format("{}: {} lines; calculation.py takes them two at a time (two questions per image)",
                                   path, lines.size()));
    std::map<std::string, int> seen;  // image column -> lines so far
    for (size_t n = 0; n < lines.size(); ++n) {
      const ResultsLine line = parse_results_line(lines[n], fmt::format("{}:{}", path, n + 1));
      const std::string image = base_name(line.image);
      Sample s;
      s.id = fmt::format("{}/{}#{}", subtask, image, ++seen[image]);
      s.askable = false;  // no image path: only for scoring this folder
      s.vars["question"] = unrepr(line.question);
      s.meta["subtask"] = subtask;
      s.meta["answer"] = line.gt;
      s.meta["image_name"] = image;
      s.meta["question_id"] = s.id;
      s.meta["pair"] = fmt::format("{}#{}", subtask, n / 2);
      samples.push_back(std::move(s));
    }
  }
  return samples;
}

std::vector<ForeignPrediction> read_mme_results_dir(const std::string& dir, const std::vector<Sample>& samples) {
  // (subtask, image name) and (subtask, image stem) -> sample indices in file order.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_name, by_stem;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::string subtask = samples[i].meta.at("subtask").get<std::string>();
    const std::string image = samples[i].meta.at("image_name").get<std::string>();
    by_name[{subtask, image}].push_back(i);
    by_stem[{subtask, stem(image)}].push_back(i);
  }
  std::vector<bool> taken(samples.size(), false);
  std::vector<ForeignPrediction> out;
  for (const auto& name : results_file_names(dir)) {
    const std::string subtask = name.substr(0, name.size() - 4);
    const std::string path = dir + "/" + name;
    const auto lines = python_lines(read_text_file(path));
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string where = fmt::format("{}:{}", path, n + 1);
      const ResultsLine line = parse_results_line(lines[n], where);
      const std::string image = base_name(line.image);
      const std::vector<size_t>* candidates = nullptr;
      auto named = by_name.find({subtask, image});
      if (named != by_name.end()) {
        candidates = &named->second;
      } else if (ends_with(image, ".txt")) {
        auto stemmed = by_stem.find({subtask, stem(image)});
        if (stemmed != by_stem.end()) candidates = &stemmed->second;
      }
      if (!candidates)
        throw InputError(fmt::format("{}: image '{}' of subtask {} is not in the task's MME questions", where,
                                     line.image, subtask));
      size_t chosen = samples.size();
      const std::string question = comparable_question(unrepr(line.question));
      for (size_t i : *candidates)
        if (!taken[i] && comparable_question(samples[i].vars.at("question")) == question) {
          chosen = i;
          break;
        }
      if (chosen == samples.size())
        for (size_t i : *candidates)
          if (!taken[i]) {
            chosen = i;
            break;
          }
      if (chosen == samples.size())
        throw InputError(fmt::format("{}: more answers for image '{}' ({}) than questions", where, line.image, subtask));
      if (samples[chosen].meta.at("answer").get<std::string>() != line.gt)
        throw InputError(fmt::format("{}: GT '{}' differs from the answer '{}' of question {} in the question file "
                                     "(calculation.py scores the folder's GT: score the folder without the question "
                                     "file to follow it)", where, line.gt,
                                     samples[chosen].meta.at("answer").get<std::string>(), samples[chosen].id));
      taken[chosen] = true;
      ForeignPrediction p;
      p.id = samples[chosen].id;
      p.text = line.prediction;
      p.raw = json{{"image", line.image}, {"question", line.question}, {"gt", line.gt}, {"prediction", line.prediction}};
      p.where = where;
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::unique_ptr<DatasetAdapter> make_mme_adapter() { return std::make_unique<MmeAdapter>(); }
std::unique_ptr<Scorer> make_mme_scorer() { return std::make_unique<MmeScorer>(); }

}  // namespace infeval

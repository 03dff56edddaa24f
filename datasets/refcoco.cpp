// RefCOCO / RefCOCO+ / RefCOCOg (InfMLLM's evaluate_grounding.py). Files:
//   refs:   JSON list of {"img_name", "bbox": [x1, y1, x2, y2] (pixels), "segment_id", "sentences": [{"sent",
//           "sent_id"}], optional "width"/"height"}
//   images: the COCO root; an image is <images>/train2014/<img_name> if "train" occurs in the name, else
//           <images>/val2014/<img_name>
// One sample per sentence, id "<segment_id>_<sent_id>" (the reference's box_id). The original image size (W, H)
// scales the parsed box: from width/height when present, else read from the image header at scoring time.
// Scorer "refcoco", variant "infmllm" (metrics/grounding.h): accuracy = 100 * P(IoU >= 0.5).
#include "datasets/refcoco.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "core/records.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/task.h"
#include "metrics/grounding.h"

namespace infeval {

// JPEG: walk the markers to the first SOFn (height, width at offsets 3..6 of its payload); PNG: IHDR at byte 16.
std::pair<int, int> read_image_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the image to read its size", path));
  std::string head(32, '\0');
  in.read(&head[0], 32);
  const auto byte = [](const std::string& s, size_t i) { return static_cast<unsigned char>(s[i]); };
  if (in.gcount() >= 24 && head.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
    const auto be32 = [&](size_t i) {
      return (static_cast<uint32_t>(byte(head, i)) << 24) | (static_cast<uint32_t>(byte(head, i + 1)) << 16) |
             (static_cast<uint32_t>(byte(head, i + 2)) << 8) | static_cast<uint32_t>(byte(head, i + 3));
    };
    const uint32_t width = be32(16), height = be32(20);
    // The PNG specification limits both to 1 .. 2^31 - 1; 0 or a larger value is a corrupt header (it would turn
    // negative in an int, or scale every box to 0).
    if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
      throw InputError(fmt::format("{}: invalid PNG image size {}x{} in its IHDR header", path, width, height));
    }
    return {static_cast<int>(width), static_cast<int>(height)};
  }
  if (in.gcount() >= 2 && byte(head, 0) == 0xFF && byte(head, 1) == 0xD8) {
    in.clear();
    in.seekg(2);
    while (in) {
      int c = in.get();
      if (c != 0xFF) continue;
      int marker = in.get();
      while (marker == 0xFF) marker = in.get();
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
      const int hi = in.get(), lo = in.get();
      if (!in) break;
      const int length = (hi << 8) | lo;
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        unsigned char b[5];
        in.read(reinterpret_cast<char*>(b), 5);
        if (!in) break;
        const int width = (b[3] << 8) | b[4], height = (b[1] << 8) | b[2];
        if (width == 0 || height == 0) {
          throw InputError(fmt::format("{}: invalid JPEG image size {}x{} in its SOF header", path, width, height));
        }
        return {width, height};
      }
      in.seekg(length - 2, std::ios::cur);
    }
  }
  throw InputError(fmt::format("{}: cannot read the image size (not a JPEG or PNG header)", path));
}

namespace {

class RefcocoAdapter : public DatasetAdapter {
 public:
  std::string name() const override { return "refcoco"; }
  std::string description() const override {
    return "RefCOCO/+/g: InfMLLM refs JSON list (img_name, bbox x1y1x2y2, segment_id, sentences)";
  }
  std::vector<Sample> load(const TaskConfig& task, const ResolvedFiles& files) const override {
    const std::string& path = files.at("refs");
    const std::string images = files.count("images") ? files.at("images") : "";
    const json refs = read_json_file(path);
    if (!refs.is_array()) throw InputError(fmt::format("{}: expected a JSON list of refs", path));
    std::vector<Sample> samples;
    std::unordered_map<std::string, size_t> item_of_id;
    for (size_t i = 0; i < refs.size(); ++i) {
      const std::string where = fmt::format("{}: item {}", path, i + 1);
      const json& ref = refs[i];
      if (!ref.is_object()) throw InputError(where + ": expected an object");
      const std::string img_name = require_string(ref, "img_name", where);
      const json& bbox = require_field(ref, "bbox", where);
      if (!bbox.is_array() || bbox.size() != 4)
        throw InputError(where + ": field 'bbox' must be a list [x1, y1, x2, y2]");
      for (const auto& v : bbox)
        if (!v.is_number()) throw InputError(where + ": field 'bbox' must hold 4 numbers");
      const std::string segment_id = require_id(ref, "segment_id", where);
      const json& sentences = require_field(ref, "sentences", where);
      if (!sentences.is_array() || sentences.empty())
        throw InputError(where + ": field 'sentences' must be a non-empty list of {sent, sent_id}");
      const std::string sub = img_name.find("train") != std::string::npos ? "train2014" : "val2014";
      const std::string image_path = images.empty() ? sub + "/" + img_name : images + "/" + sub + "/" + img_name;
      for (size_t k = 0; k < sentences.size(); ++k) {
        const std::string swhere = fmt::format("{}: sentences[{}]", where, k);
        Sample s;
        s.id = segment_id + "_" + require_id(sentences[k], "sent_id", swhere);
        auto [it, inserted] = item_of_id.emplace(s.id, i + 1);
        if (!inserted)
          throw InputError(fmt::format("{}: duplicate box id {} (first in item {})", swhere, s.id, it->second));
        s.image_path = image_path;
        s.vars["sentence"] = require_string(sentences[k], "sent", swhere);
        s.meta["bbox"] = bbox;
        if (ref.contains("width") || ref.contains("height")) {
          s.meta["width"] = require_number(ref, "width", where);
          s.meta["height"] = require_number(ref, "height", where);
        }
        samples.push_back(std::move(s));
      }
    }
    (void)task;
    return samples;
  }
};

class RefcocoScorer : public Scorer {
 public:
  std::string name() const override { return "refcoco"; }
  std::string description() const override {
    return "RefCOCO P@1: first (0.\\d+),(0.\\d+).*(0.\\d+),(0.\\d+) box, scaled by W,H, float32 IoU >= 0.5";
  }
  std::vector<std::string> variants() const override { return {"infmllm"}; }
  std::vector<std::string> metric_names() const override { return {"accuracy"}; }
  MetricKind metric_kind(const std::string&) const override { return METRIC_KIND_MEAN_BINARY; }

  std::vector<SampleRecord> score_samples(const TaskConfig&, const std::vector<Sample>& samples,
                                          const std::vector<Prediction>& predictions,
                                          const std::string&) const override {
    std::vector<SampleRecord> records;
    std::map<std::string, std::pair<int, int>> size_cache;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      SampleRecord r = start_record(s, predictions[i]);
      const json& bbox = s.meta.at("bbox");
      const std::array<double, 4> gt = {bbox[0].get<double>(), bbox[1].get<double>(), bbox[2].get<double>(),
                                        bbox[3].get<double>()};
      r.references = bbox;
      double width = 0, height = 0;
      if (s.meta.contains("width")) {
        width = s.meta["width"].get<double>();
        height = s.meta["height"].get<double>();
      } else if (!r.missing && !r.failed) {
        auto it = size_cache.find(s.image_path);
        if (it == size_cache.end()) it = size_cache.emplace(s.image_path, read_image_size(s.image_path)).first;
        width = it->second.first;
        height = it->second.second;
      }
      const std::array<double, 4> box =
          (r.missing || r.failed) ? std::array<double, 4>{0, 0, 0, 0} : grounding_pixel_box(r.prediction, width, height);
      const double iou = grounding_iou(box, gt);
      r.parsed = json(box).dump();
      r.score = iou >= 0.5 ? 1.0 : 0.0;
      r.extra["iou"] = std::isnan(iou) ? json(nullptr) : json(iou);
      r.extra["parsed_ok"] = !r.missing && !r.failed && parse_grounding_box(r.prediction).has_value();
      records.push_back(std::move(r));
    }
    return records;
  }

  std::map<std::string, double> aggregate(const std::vector<SampleRecord>& records,
                                          const std::string&) const override {
    double right = 0;
    for (const auto& r : records) right += r.score;
    return {{"accuracy", records.empty() ? std::nan("") : 100.0 * right / static_cast<double>(records.size())}};
  }

  // InfMLLM grounding answers are {"box_id": "<segment_id>_<sent_id>", "answer"}: ids already match.
  std::vector<std::string> notes(const std::string&) const override {
    return {"RefCOCO: the box regex's \\d matches ASCII digits only (Python's also matches other Unicode digits)",
            "RefCOCO: an unparseable or missing answer is the box (0,0,0,0), which is never correct"};
  }
};

}  // namespace

std::unique_ptr<DatasetAdapter> make_refcoco_adapter() { return std::make_unique<RefcocoAdapter>(); }
std::unique_ptr<Scorer> make_refcoco_scorer() { return std::make_unique<RefcocoScorer>(); }

}  // namespace infeval

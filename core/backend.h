// The Backend contract: turns requests (image + prompt + generation settings) into text. Implementations:
// harness/backends/ (fixed, replay) and model/ (native InfMLLM through LibTorch, reached via a plain factory).
#pragma once
#include <cstddef>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace infeval {

// Decoding settings with Hugging Face generate() semantics.
struct GenerationSettings {
  int max_new_tokens = 10;
  int num_beams = 1;          // 1 = greedy
  int min_length = 1;         // minimum number of generated tokens before EOS is allowed
  double length_penalty = 1.0;  // beam score = sum(logprob) / len(generated)^length_penalty
  nlohmann::json to_json() const;
  static GenerationSettings from_json(const nlohmann::json& j, const std::string& where);
  std::string hash() const;  // short stable hash of to_json(), part of the prediction key
};

// One question for the model. `prompt` is the task's rendered prompt for `protocol`:
//   multitask: contains "<ImageHere>" where the visual tokens go (e.g. "<image><ImageHere>Question:... Short answer:")
//   chat: the user message, containing "<image>" when there is an image; the backend applies the conversation template.
struct Request {
  std::string task;
  std::string sample_id;
  std::string image_path;        // empty when the image is inline or absent
  std::string image_bytes;       // encoded image (JPEG/PNG) when inline (MMBench TSV); empty otherwise
  bool expand_to_square = false; // pad to square with the mean colour before resizing (chat protocol)
  std::string prompt;
  std::string protocol;          // "multitask" or "chat"
  GenerationSettings generation;
};

// The answer for one request. A non-empty `error` marks a failed sample (e.g. a corrupt image): it is recorded
// and counted, and the run goes on.
struct Response {
  std::string text;
  std::string error;
  // Optional per-sample diagnostics, stored with the prediction (e.g. the native backend's token ids and decision
  // margins under --record-margins). Null when the backend has none.
  nlohmann::json diagnostics;
};

struct BackendInfo {
  std::string name;          // "native", "fixed", "replay"
  std::string model_name;    // e.g. "infmllm-7b", "tiny-infmllm", "fixed:yes"
  std::string model_digest;  // sha256 over the weight files (or of the rule / replayed file)
  std::string precision;     // "fp32", "bf16", "n/a"
  std::string device;        // "cpu", "cuda:0", "n/a"
  std::string protocol;      // the protocol this model expects: "multitask" or "chat"
  nlohmann::json extra;      // backend-specific provenance (config, checkpoint files, stage times)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendInfo info() const = 0;
  // Answers a batch; returns exactly one Response per Request, in order. Throws only on failures that make the
  // whole run meaningless (e.g. the model cannot be loaded); per-sample failures go in Response::error.
  virtual std::vector<Response> generate(const std::vector<Request>& batch) = 0;
  // Stage times, peak memory and similar, merged into results.json under "backend_stats".
  virtual nlohmann::json stats() const { return nlohmann::json::object(); }
  // The order in which the runner sends `pending` (a permutation of 0..n-1), `batch_size` requests at a time.
  // Results never depend on it (predictions are keyed by sample); throughput may, e.g. batches of similar prompt
  // length pad less. Default: as given (question-file order).
  virtual std::vector<size_t> schedule(const std::vector<Request>& pending, int batch_size) const {
    (void)batch_size;
    std::vector<size_t> order(pending.size());
    std::iota(order.begin(), order.end(), size_t{0});
    return order;
  }
  // The runner's next batch, announced before the current one is generated: a backend may start decoding and
  // preprocessing its images on other threads meanwhile. A hint only; the default ignores it.
  virtual void prefetch(const std::vector<Request>& upcoming) { (void)upcoming; }
};

}  // namespace infeval

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "harness/backends/builtin_backends.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/text_util.h"
#include "harness/flag_numbers.h"

namespace infeval {

namespace {

class FixedBackend : public Backend {
 public:
  FixedBackend(std::string rule, std::string protocol) : rule_(std::move(rule)), protocol_(std::move(protocol)) {
    // Optional ";delay_ms=N": sleep per batch, so tests can kill a run mid-way.
    const size_t semicolon = rule_.rfind(";delay_ms=");
    std::string answer_rule = rule_;
    if (semicolon != std::string::npos) {
      delay_ms_ = static_cast<int>(parse_integer(rule_.substr(semicolon + 10), "fixed-backend rule delay_ms", 0, 3600000));
      answer_rule = rule_.substr(0, semicolon);
    }
    if (starts_with(answer_rule, "text:")) {
      mode_ = MODE_TEXT;
      answers_ = {answer_rule.substr(5)};
    } else if (starts_with(answer_rule, "cycle:")) {
      mode_ = MODE_CYCLE;
      answers_ = split(answer_rule.substr(6), '|');
    } else if (answer_rule == "echo") {
      mode_ = MODE_ECHO;
    } else {
      throw InputError(fmt::format("unknown fixed-backend rule '{}' (expected text:ANSWER, cycle:A|B|C or echo)", rule_));
    }
  }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = "fixed";
    i.model_name = "fixed:" + rule_;
    i.model_digest = sha256_hex("fixed:" + rule_);
    i.precision = "n/a";
    i.device = "n/a";
    i.protocol = protocol_;
    return i;
  }

  std::vector<Response> generate(const std::vector<Request>& batch) override {
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    std::vector<Response> out;
    for (const auto& request : batch) {
      Response r;
      if (mode_ == MODE_TEXT) r.text = answers_[0];
      if (mode_ == MODE_ECHO) r.text = request.prompt;
      if (mode_ == MODE_CYCLE) {
        const std::string h = sha256_hex(request.task + "/" + request.sample_id).substr(0, 8);
        r.text = answers_[std::stoul(h, nullptr, 16) % answers_.size()];
      }
      out.push_back(r);
    }
    return out;
  }

 private:
  enum Mode { MODE_TEXT, MODE_CYCLE, MODE_ECHO };
  std::string rule_, protocol_;
  Mode mode_ = MODE_TEXT;
  std::vector<std::string> answers_;
  int delay_ms_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_fixed_backend(const std::string& rule, const std::string& protocol) {
  return std::make_unique<FixedBackend>(rule, protocol);
}

}  // namespace infeval

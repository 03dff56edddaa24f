// Builds a Backend from command-line flags shared by `run` and `audit`:
//   --backend fixed|replay|native   (default: native when --model is given, else an error)
//   --model NAME_OR_DIR             (native: configs/models/<NAME>.json or a checkpoint directory)
//   --rule RULE                     (fixed: text:ANSWER | cycle:A|B|C | echo)
//   --replay PATH                   (replay: a predictions file)
//   --protocol multitask|chat       (fixed/replay: which prompts to build; native: from the model config)
//   --device cpu|cuda[:N]  --precision fp32|bf16|fp16  --threads N   (native)
//   --feature-cache-mb N  --preprocess-threads N                      (native)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/backend.h"

namespace infeval {

// Consumes the backend flags from `args`; the others are returned in `rest` in order.
std::unique_ptr<Backend> make_backend_from_flags(const std::vector<std::string>& args, std::vector<std::string>* rest);

// True when the flags select the native backend (the same rule as make_backend_from_flags; false when they are
// malformed, which the command then reports). `infeval` uses it to hand such a run to infeval-native.
bool backend_flags_select_native(const std::vector<std::string>& args);

// The flags above (each takes one value).
const std::vector<std::string>& backend_value_flags();
// The backend flags that take no value (--record-margins).
const std::vector<std::string>& backend_switch_flags();

// `args` without the backend flags and their values, for a command's own parser (typos in its flags then fail
// before a model is loaded).
std::vector<std::string> strip_backend_flags(const std::vector<std::string>& args);

// Help text for the flags above.
std::string backend_flags_help();

std::vector<std::string> backend_names();

}  // namespace infeval

#include "harness/backend_factory.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "harness/backends/builtin_backends.h"
#include "core/error.h"
#include "core/text_util.h"
#include "harness/flag_numbers.h"
#include "harness/native_exec.h"
#ifdef INFEVAL_HAVE_NATIVE
#include "model/native_backend.h"
#endif

namespace infeval {

// A flag value that must be a whole number >= 0.
static int count_flag(const std::string& flag, const std::string& value) {
  return static_cast<int>(parse_integer(value, flag, 0, 1000000000));
}

std::vector<std::string> backend_names() {
#ifdef INFEVAL_HAVE_NATIVE
  return {"native", "fixed", "replay"};
#else
  // infeval runs the native backend through infeval-native (harness/native_exec.h) when the build has it.
  if (!native_binary_path().empty()) return {"native", "fixed", "replay"};
  return {"fixed", "replay"};
#endif
}

const std::vector<std::string>& backend_value_flags() {
  static const std::vector<std::string> flags = {"--backend",  "--model",  "--device",           "--precision",
                                                 "--threads",  "--rule",   "--replay",           "--protocol",
                                                 "--feature-cache-mb", "--preprocess-threads"};
  return flags;
}

const std::vector<std::string>& backend_switch_flags() {
  static const std::vector<std::string> flags = {"--record-margins"};
  return flags;
}

std::vector<std::string> strip_backend_flags(const std::vector<std::string>& args) {
  const std::vector<std::string>& flags = backend_value_flags();
  const std::vector<std::string>& switches = backend_switch_flags();
  std::vector<std::string> own;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string name = args[i].substr(0, args[i].find('='));
    if (std::find(switches.begin(), switches.end(), args[i]) != switches.end()) continue;
    if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
      if (args[i].find('=') == std::string::npos) ++i;  // skip the value too
      continue;
    }
    own.push_back(args[i]);
  }
  return own;
}

std::string backend_flags_help() {
  return "Backend:\n"
         "  --backend NAME        native (default with --model) | fixed | replay\n"
         "  --model NAME|DIR      native: a model in configs/models (infeval list models) or a checkpoint dir\n"
         "  --device DEV          native: cpu (default) | cuda | cuda:N\n"
         "  --precision P         native: fp32 (default on cpu) | bf16 (default on cuda) | fp16\n"
         "  --threads N           native: CPU threads (default: all cores)\n"
         "  --feature-cache-mb N  native: memory for visual tokens kept across batches, so an image shared by\n"
         "                        several questions goes through the ViT once (default 4096 on cuda, 1024 on\n"
         "                        cpu; 0: reuse inside a batch only)\n"
         "  --preprocess-threads N native: threads decoding and resizing images ahead of the model (default:\n"
         "                        min(8, cores); 0: on the calling thread)\n"
         "  --record-margins      native: store each answer's token ids and decision margins with its prediction\n"
         "                        (\"diagnostics\"), to tell precision noise from real differences between runs\n"
         "  --rule RULE           fixed: text:ANSWER (default text:yes) | cycle:A|B|C | echo\n"
         "  --replay PATH         replay: predictions file (any format `infeval score` reads) or run dir\n"
         "  --protocol P          multitask | chat (default: the model's; multitask for fixed/replay)\n";
}

// The backend flags' values (a switch's value is "on"); the other arguments go to `rest` in order.
static std::map<std::string, std::string> backend_flag_values(const std::vector<std::string>& args,
                                                              std::vector<std::string>* rest) {
  const std::vector<std::string>& backend_flags = backend_value_flags();
  const std::vector<std::string>& switches = backend_switch_flags();
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    if (std::find(switches.begin(), switches.end(), args[i]) != switches.end()) {
      values[args[i]] = "on";
      continue;
    }
    std::string arg = args[i], value;
    bool has_inline = false;
    const size_t eq = arg.find('=');
    if (starts_with(arg, "--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    if (std::find(backend_flags.begin(), backend_flags.end(), arg) != backend_flags.end()) {
      if (!has_inline) {
        if (i + 1 >= args.size()) throw InputError(arg + " needs a value");
        value = args[++i];
      }
      values[arg] = value;
    } else {
      rest->push_back(args[i]);
    }
  }
  return values;
}

// The backend the flags select: --backend, else native with --model, replay with --replay, fixed with --rule.
static std::string chosen_backend(const std::map<std::string, std::string>& values) {
  if (values.count("--backend") && !values.at("--backend").empty()) return values.at("--backend");
  if (values.count("--model")) return "native";
  if (values.count("--replay")) return "replay";
  if (values.count("--rule")) return "fixed";
  throw InputError("no backend given: use --model NAME (native), --backend fixed [--rule R] or --replay PATH");
}

bool backend_flags_select_native(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  try {
    return chosen_backend(backend_flag_values(args, &rest)) == "native";
  } catch (const InputError&) {
    return false;  // malformed backend flags: the command reports them itself, without the model
  }
}

std::unique_ptr<Backend> make_backend_from_flags(const std::vector<std::string>& args, std::vector<std::string>* rest) {
  std::map<std::string, std::string> values = backend_flag_values(args, rest);
  const std::string protocol = values.count("--protocol") ? values["--protocol"] : "";
  if (!protocol.empty() && protocol != "multitask" && protocol != "chat")
    throw InputError(fmt::format("--protocol '{}': expected multitask or chat", protocol));
  const std::string backend = chosen_backend(values);
  if (values.count("--record-margins") && backend != "native")
    throw InputError("--record-margins needs the native backend (--model NAME)");
  if (backend == "fixed") return make_fixed_backend(values.count("--rule") ? values["--rule"] : "text:yes",
                                                    protocol.empty() ? "multitask" : protocol);
  if (backend == "replay") {
    if (!values.count("--replay")) throw InputError("--backend replay needs --replay PATH");
    return make_replay_backend(values["--replay"], protocol.empty() ? "multitask" : protocol);
  }
#ifdef INFEVAL_HAVE_NATIVE
  if (backend == "native") {
    if (!values.count("--model")) throw InputError("--backend native needs --model NAME|DIR (see `infeval list models`)");
    NativeBackendOptions o;
    o.model = values["--model"];
    if (values.count("--device")) o.device = values["--device"];
    if (values.count("--precision")) o.precision = values["--precision"];
    else if (o.device != "cpu") o.precision = "bf16";
    if (values.count("--threads")) o.threads = count_flag("--threads", values["--threads"]);
    if (values.count("--feature-cache-mb"))
      o.feature_cache_mb = count_flag("--feature-cache-mb", values["--feature-cache-mb"]);
    if (values.count("--preprocess-threads"))
      o.preprocess_threads = count_flag("--preprocess-threads", values["--preprocess-threads"]);
    o.record_margins = values.count("--record-margins") != 0;
    if (!protocol.empty()) o.protocol = protocol;
    return make_native_backend(o);
  }
#else
  // Reached only by a program that links harness/ without model/ (a test): `infeval` itself hands native runs to
  // infeval-native before a command starts (harness/native_exec.h).
  if (backend == "native")
    throw InputError("the native backend is not linked into this program; run the command through infeval, "
                     "which starts infeval-native for it");
#endif
  throw InputError(unknown_name_message("backend", backend, backend_names(), ""));
}

}  // namespace infeval

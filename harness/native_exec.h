// Two binaries, one command line. `infeval` (what users and scripts call) is linked without LibTorch, so score,
// report, compare, gate, merge and list start in milliseconds; the commands that run a model (run/audit with the
// native backend, bench) are handed to `infeval-native`, the same commands linked with model/ and LibTorch, which
// replaces the process (execv: same pid, arguments, environment, stdin/stdout/stderr and exit code).
//
// Why a second binary and not a plugin dlopen'd on first use: the process that runs a model stays exactly the
// binary that was linked and tested before (PyTorch's LibTorch on the GPU machine, with the CUDA runtime linked
// into our kernels and the libstdc++ symbols that LibTorch exports; model/sentencepiece_shim's RTLD_DEEPBIND
// load), and model/ needs no -fPIC rebuild. A plugin would have to be verified on a GPU for symbol scoping and a
// second copy of core/'s static state; the exec costs ~1 ms and nothing to reason about.
#pragma once
#include <string>

namespace infeval {

// infeval-native next to the running executable (/proc/self/exe), or "" when this build has none (LibTorch
// was not found at configure time).
std::string native_binary_path();

// Replaces this process by infeval-native with `argv` unchanged (argv[0] included). Returns only by throwing:
// InputError when the build has no infeval-native, RuntimeFailure when execv fails.
[[noreturn]] void exec_native_binary(const std::string& command, char** argv);

}  // namespace infeval

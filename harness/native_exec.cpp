#include "harness/native_exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

namespace infeval {

static const char* kNativeBinaryName = "infeval-native";

std::string native_binary_path() {
  char self[4096];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) return "";
  const std::string exe(self, static_cast<size_t>(length));
  const size_t slash = exe.rfind('/');
  const std::string path = (slash == std::string::npos ? std::string(".") : exe.substr(0, slash)) + "/" +
                           kNativeBinaryName;
  return access(path.c_str(), X_OK) == 0 ? path : "";
}

void exec_native_binary(const std::string& command, char** argv) {
  const std::string path = native_binary_path();
  if (path.empty())
    throw InputError(fmt::format("infeval {} needs the native backend, which this build does not have ({} is not "
                                 "next to infeval: LibTorch was not found at configure time); hint: run "
                                 "scripts/setup.sh and rebuild",
                                 command, kNativeBinaryName));
  std::fflush(nullptr);
  execv(path.c_str(), argv);
  throw RuntimeFailure(fmt::format("cannot start {}: {}", path, std::strerror(errno)));
}

}  // namespace infeval

// Backend flags on the command line: value flags and switches are taken out for the command's own parser;
// a native-only switch with another backend is an input error, not silently ignored.
#include <gtest/gtest.h>

#include "harness/backend_factory.h"
#include "core/error.h"

using namespace infeval;

TEST(BackendFlags, ValueFlagsAndSwitchesAreStrippedForTheCommand) {
  const std::vector<std::string> args = {"--tasks", "pope",   "--model",          "tiny-infmllm", "--record-margins",
                                         "--device=cuda",      "--batch-size",     "8"};
  EXPECT_EQ(strip_backend_flags(args), (std::vector<std::string>{"--tasks", "pope", "--batch-size", "8"}));
}

TEST(BackendFlags, RecordMarginsNeedsTheNativeBackend) {
  std::vector<std::string> rest;
  try {
    make_backend_from_flags({"--backend", "fixed", "--record-margins", "--tasks", "pope"}, &rest);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--record-margins needs the native backend"), std::string::npos) << e.what();
  }
  rest.clear();
  EXPECT_NE(make_backend_from_flags({"--backend", "fixed", "--tasks", "pope"}, &rest), nullptr);
  EXPECT_EQ(rest, (std::vector<std::string>{"--tasks", "pope"}));
}

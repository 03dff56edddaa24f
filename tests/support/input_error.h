// The tests' one way to look at an InputError: input_error_message(f) is the message f() threw as an InputError,
// or "" when it threw none (any other exception propagates and fails the test).
#pragma once
#include <string>

#include "core/error.h"

namespace infeval {
namespace test {

template <typename F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace test
}  // namespace infeval

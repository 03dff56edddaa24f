// Errors travel as exceptions to main(), which prints the message and returns the exit code.
// Every message names what failed (file, line or record) and, where it helps, a "hint:" on how to fix it.
#pragma once
#include <stdexcept>
#include <string>

namespace infeval {

// Exit codes: 0 success, 1 a failed check (gate rule, failed test), 2 bad input or usage, 3 internal/runtime failure.
enum ExitCode { EXIT_CODE_OK = 0, EXIT_CODE_CHECK_FAILED = 1, EXIT_CODE_BAD_INPUT = 2, EXIT_CODE_RUNTIME = 3 };

// Bad input from the user: a missing or malformed file, an unknown name, an invalid flag. Exit code 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// A failure while running (backend crash, I/O failure while writing results). Exit code 3.
class RuntimeFailure : public std::runtime_error {
 public:
  explicit RuntimeFailure(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace infeval

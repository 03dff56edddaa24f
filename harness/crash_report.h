// On a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) print the signal and a stack backtrace to stderr, then
// die with the default action (same exit status, core dump if enabled). A crash on a remote machine without a
// debugger then still says where it happened. Plain C++ (glibc's execinfo).
#pragma once

namespace infeval {

// Idempotent. Function names show for symbols in the dynamic table (executables linked with ENABLE_EXPORTS).
void install_crash_report();

}  // namespace infeval

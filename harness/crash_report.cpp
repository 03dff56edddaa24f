#include "harness/crash_report.h"

#include <csignal>
#include <cstring>
#include <initializer_list>

#include <execinfo.h>
#include <unistd.h>

namespace infeval {
namespace {

void write_text(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

const char* signal_name(int signal_number) {  // strsignal() is not async-signal-safe
  switch (signal_number) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "(unknown)";
  }
}

// Only async-signal-safe calls here: write(), backtrace() (preloaded at install), backtrace_symbols_fd().
void on_fatal_signal(int signal_number) {
  write_text("\ninfeval: fatal signal ");
  write_text(signal_name(signal_number));
  write_text("; backtrace (innermost first):\n");
  void* frames[64];
  const int count = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, count, STDERR_FILENO);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void install_crash_report() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  void* preload[1];
  ::backtrace(preload, 1);  // the first call loads libgcc_s, which must not happen inside the handler
  for (const int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace infeval

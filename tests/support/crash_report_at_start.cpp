// Linked into every test executable: a crashing test prints a backtrace (GPU machines have no debugger).
#include "harness/crash_report.h"

namespace {
const bool kCrashReportInstalled = (infeval::install_crash_report(), true);
}  // namespace

// install_crash_report: a crashing process prints the signal and a backtrace, then still dies of that signal
// (so exit statuses and core dumps are unchanged).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "harness/crash_report.h"

TEST(CrashReport, SegfaultPrintsSignalAndBacktraceThenDiesOfIt) {
  const std::string log = "/tmp/infeval_crash_report_" + std::to_string(::getpid()) + ".txt";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const struct rlimit no_core {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // no core file from this deliberate crash
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDERR_FILENO);
    infeval::install_crash_report();
    std::raise(SIGSEGV);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  EXPECT_NE(text.str().find("infeval: fatal signal SIGSEGV"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("backtrace"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("test_harness"), std::string::npos) << text.str();  // at least one frame of ours
  ::unlink(log.c_str());
}

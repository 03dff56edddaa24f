// Which process loads LibTorch (issue 17): infeval never does; it hands the commands that run a model to
// infeval-native (harness/native_exec.h). LD_DEBUG=libs makes glibc's loader print every library it loads on
// stderr, so the tests see what a command loaded.
#include <gtest/gtest.h>

#include "core/text_util.h"
#include "harness_test_util.h"

using namespace infeval_test;

namespace {

bool loaded_libtorch(const CliResult& r) {
  return r.err.find("libtorch") != std::string::npos || r.err.find("libc10") != std::string::npos;
}

// The command's own messages on stderr, without the loader's trace (its lines start with the pid and a tab).
std::string own_messages(const std::string& err) {
  std::string out;
  for (const std::string& line : infeval::split(err, '\n'))
    if (line.find(":\t") == std::string::npos) out += line + "\n";
  return out;
}

bool build_has_native_binary() { return fs::exists(std::string(INFEVAL_BINARY_DIR) + "/harness/infeval-native"); }

}  // namespace

TEST(NativeExec, CommandsWithoutAModelNeverLoadLibTorch) {
  ToyEnvironment env("no-torch", 8);
  const std::string common = fmt::format("--tasks toy_qa --config-dir {} --data-root {} --no-progress",
                                         env.config_dir, env.data_root);
  const std::vector<std::pair<std::string, std::vector<int>>> commands = {
      {"list tasks --config-dir " + env.config_dir, {0}},
      {"list backends", {0}},
      {fmt::format("run {} --output {}/a --backend fixed --rule text:yes", common, env.root), {0}},
      {fmt::format("run {} --output {}/b --backend fixed --rule text:no", common, env.root), {0}},
      {fmt::format("run {} --output {}/c --backend fixed --shard 0/2", common, env.root), {0}},
      {fmt::format("run {} --output {}/c --backend fixed --shard 1/2", common, env.root), {0}},
      {fmt::format("merge --output {}/c --data-root {}", env.root, env.data_root), {0}},
      {fmt::format("score --task toy_qa --config-dir {} --data-root {} --predictions {}/a/predictions/toy_qa.jsonl "
                   "--output {}/s",
                   env.config_dir, env.data_root, env.root, env.root),
       {0}},
      {fmt::format("report {}/a {}/b", env.root, env.root), {0}},
      {fmt::format("compare {}/a {}/b --resamples 200", env.root, env.root), {0}},
      {fmt::format("gate --baseline {}/a --candidate {}/b", env.root, env.root), {0, 1}},
      {fmt::format("audit --task toy_qa --config-dir {} --data-root {} --backend fixed --limit 8 --resamples 200",
                   env.config_dir, env.data_root),
       {0}},
      {"run --help", {0}},
      {"bench --help", {0}},
  };
  for (const auto& [arguments, exit_codes] : commands) {
    const CliResult r = run_cli(arguments, "LD_DEBUG=libs");
    EXPECT_NE(std::find(exit_codes.begin(), exit_codes.end(), r.exit_code), exit_codes.end())
        << arguments << ": exit " << r.exit_code << "\n" << own_messages(r.err);
    EXPECT_FALSE(loaded_libtorch(r)) << arguments;
    // The check can fail: the loader's trace is there and names what was loaded.
    EXPECT_NE(r.err.find("libstdc++"), std::string::npos) << arguments;
  }
}

TEST(NativeExec, ANativeRunIsHandedToInfevalNative) {
  const std::string data_root = std::string(INFEVAL_SOURCE_DIR) + "/tests/data/mini";
  const std::string out = infeval::test::fresh_test_dir("native-exec").string() + "/run";
  const CliResult r = run_cli(fmt::format("run --model tiny-infmllm --tasks pope --data-root {} --output {} "
                                          "--no-progress",
                                          data_root, out),
                              "LD_DEBUG=libs");
  if (!build_has_native_binary()) {
    // A build without LibTorch refuses and says why.
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("needs the native backend, which this build does not have"), std::string::npos) << r.err;
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << own_messages(r.err);
  EXPECT_TRUE(loaded_libtorch(r));
  EXPECT_TRUE(fs::exists(out + "/results.json"));
}

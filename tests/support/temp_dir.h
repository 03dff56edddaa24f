// The tests' one temporary-directory helper. fresh_test_dir(name) empties and creates
// <tmp>/infeval-<name>-<pid>[-<test>], where <test> is the running GoogleTest's name, so that tests run in
// parallel by ctest (one process per test) never share a directory; TempDir also removes it when it goes out of
// scope (remove_tree: symlinks are removed, never followed).
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/remove_tree.h"

namespace infeval {
namespace test {

inline std::filesystem::path fresh_test_dir(const std::string& name) {
  std::string leaf = "infeval-" + name + "-" + std::to_string(::getpid());
  if (const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info())
    leaf += std::string("-") + info->test_suite_name() + "." + info->name();
  for (char& c : leaf)
    if (c == '/') c = '_';  // parameterized test names hold '/'
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / leaf;
  infeval::remove_tree(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A fresh_test_dir removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) : path(fresh_test_dir(name)) {}
  ~TempDir() {
    try {
      infeval::remove_tree(path);
    } catch (const std::exception&) {  // a destructor must not throw; a leftover temp dir is harmless
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `content` to <path>/<name> (parent directories created) and returns that path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::filesystem::path p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
};

}  // namespace test
}  // namespace infeval

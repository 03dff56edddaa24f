// remove_tree: the replacement for std::filesystem::remove_all (see core/remove_tree.h for why).
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/remove_tree.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

TEST(RemoveTree, RemovesNestedDirectoriesAndFilesButNotSymlinkTargets) {
  const fs::path root = infeval::test::fresh_test_dir("remove-tree");
  const fs::path outside = root.string() + "_outside.txt";
  fs::create_directories(root / "a" / "b" / "c");
  std::ofstream(root / "top.txt") << "x";
  std::ofstream(root / "a" / "b" / "c" / "deep.jsonl") << "{}\n";
  std::ofstream(outside) << "keep me";
  fs::create_symlink(outside, root / "a" / "link_to_outside");
  fs::create_directory_symlink(fs::temp_directory_path(), root / "a" / "link_to_tmp");

  infeval::remove_tree(root.string());
  EXPECT_FALSE(fs::exists(fs::symlink_status(root)));
  EXPECT_TRUE(fs::exists(outside));  // symlinks are removed, never followed
  EXPECT_TRUE(fs::exists(fs::temp_directory_path()));
  fs::remove(outside);
}

TEST(RemoveTree, MissingPathIsNotAnErrorAndAPlainFileIsRemoved) {
  const infeval::test::TempDir dir("remove-tree-file");
  const fs::path file = dir.path / "file";
  EXPECT_NO_THROW(infeval::remove_tree(file.string()));
  std::ofstream(file) << "x";
  infeval::remove_tree(file.string());
  EXPECT_FALSE(fs::exists(file));
}

// Deletes a directory tree (or a file); a missing path is not an error. Use this instead of
// std::filesystem::remove_all in anything that may link LibTorch: PyTorch's wheels export statically linked
// libstdc++ std::filesystem::recursive_directory_iterator symbols (pytorch/pytorch#133437), which then replace the
// system's and crash remove_all on a non-empty directory (seen on the GPU machine: PyTorch 2.11, g++ 13). Plain
// POSIX (nftw), so immune to that.
#pragma once
#include <string>

namespace infeval {

// Throws RuntimeFailure naming the entry that could not be removed. Symlinks are removed, never followed.
void remove_tree(const std::string& path);

}  // namespace infeval

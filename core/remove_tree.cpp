#include "core/remove_tree.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace infeval {
namespace {

// nftw's callback takes no user pointer: the first entry that could not be removed is kept here.
thread_local std::string failed_entry;
thread_local int failed_errno = 0;

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
  const int rc = (type == FTW_DP) ? ::rmdir(path) : ::unlink(path);
  if (rc != 0) {
    failed_entry = path;
    failed_errno = errno;
    return 1;  // stop the walk
  }
  return 0;
}

}  // namespace

void remove_tree(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw RuntimeFailure("cannot remove " + path + ": " + std::strerror(errno));
  }
  failed_entry.clear();
  // FTW_DEPTH: a directory after its contents; FTW_PHYS: symlinks are entries, not followed.
  if (::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
    const std::string entry = failed_entry.empty() ? path : failed_entry;
    throw RuntimeFailure("cannot remove " + entry + ": " + std::strerror(failed_entry.empty() ? errno : failed_errno));
  }
}

}  // namespace infeval

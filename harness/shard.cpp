#include "harness/shard.h"

#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"
#include "harness/flag_numbers.h"

namespace infeval {

static int parse_int(const std::string& text, const std::string& what) {
  return static_cast<int>(parse_integer(text, what, INT_MIN, INT_MAX));
}

ShardSpec parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw InputError(fmt::format("--shard '{}': expected I/N, e.g. 0/4", text));
  ShardSpec s;
  s.index = parse_int(text.substr(0, slash), "--shard index");
  s.count = parse_int(text.substr(slash + 1), "--shard count");
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw InputError(fmt::format("--shard '{}': need 0 <= I < N", text));
  return s;
}

ShardSpec shard_from_environment() {
  const char* pairs[][2] = {{"RANK", "WORLD_SIZE"},
                            {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"},
                            {"SLURM_PROCID", "SLURM_NTASKS"},
                            {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}};
  for (const auto& pair : pairs) {
    const char* rank = std::getenv(pair[0]);
    const char* size = std::getenv(pair[1]);
    if (rank && size) {
      ShardSpec s;
      s.index = parse_int(rank, pair[0]);
      s.count = parse_int(size, pair[1]);
      // Array ids may start anywhere (--array=1-4): shard index = id - SLURM_ARRAY_TASK_MIN.
      const char* array_min = std::getenv("SLURM_ARRAY_TASK_MIN");
      if (std::string(pair[0]) == "SLURM_ARRAY_TASK_ID" && array_min) s.index -= parse_int(array_min, "SLURM_ARRAY_TASK_MIN");
      if (s.count < 1 || s.index < 0 || s.index >= s.count)
        throw InputError(fmt::format("{}={} / {}={}: not a valid shard", pair[0], rank, pair[1], size));
      return s;
    }
  }
  return ShardSpec{};
}

}  // namespace infeval

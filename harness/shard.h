// Shard selection: --shard I/N, or the launcher's environment (torchrun RANK/WORLD_SIZE, Slurm
// SLURM_PROCID/SLURM_NTASKS (array jobs: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT), Open MPI
// OMPI_COMM_WORLD_RANK/OMPI_COMM_WORLD_SIZE), so one command runs unchanged under torchrun, srun or mpirun.
#pragma once
#include <string>

#include "harness/runner.h"

namespace infeval {

ShardSpec parse_shard(const std::string& text);  // "I/N", 0 <= I < N
ShardSpec shard_from_environment();               // {0, 1} when none is set

}  // namespace infeval

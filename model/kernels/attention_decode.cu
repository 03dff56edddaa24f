// Split planning and launch of the decode attention kernels (attention_decode.cuh); bf16 and fp16 instantiations.
#include "model/kernels/attention_decode.cuh"

#include <algorithm>

namespace infeval::kernels {

void attention_decode_plan(AttentionDecodeParams& p, int target_ctas) {
  const int tiles = std::max(1, (p.prefix_len + kDecodeTileKeys - 1) / kDecodeTileKeys);
  const int64_t pairs = std::max<int64_t>(1, static_cast<int64_t>(p.groups) * p.heads);
  const int64_t wanted = (target_ctas + pairs - 1) / pairs;
  const int want = static_cast<int>(std::min<int64_t>(std::max<int64_t>(wanted, 1), tiles));
  const int chunk_tiles = (tiles + want - 1) / want;
  p.chunk_keys = chunk_tiles * kDecodeTileKeys;
  p.splits = (tiles + chunk_tiles - 1) / chunk_tiles;
}

int64_t attention_decode_workspace_floats(const AttentionDecodeParams& p) {
  if (p.splits <= 1) return 0;
  const int64_t rows = static_cast<int64_t>(p.groups) * p.beams * p.heads * p.splits;
  return rows * p.head_dim + rows;
}

namespace {

template <typename T>
cudaError_t launch_decode(const AttentionDecodeParams& p, cudaStream_t stream) {
  const dim3 grid(p.splits, p.heads, p.groups);
  attention_decode_kernel<T><<<grid, kDecodeThreads, 0, stream>>>(p);
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess || p.splits == 1) return err;
  const dim3 combine_grid(p.heads, p.groups * p.beams);
  attention_decode_combine_kernel<T><<<combine_grid, kDecodeThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace

cudaError_t attention_decode_launch(const AttentionDecodeParams& p, DataType dtype, cudaStream_t stream) {
  if (p.head_dim <= 0 || p.head_dim > kDecodeMaxHeadDim || p.head_dim % 8 != 0 || p.beams < 1 ||
      p.beams > kDecodeMaxBeams || p.heads <= 0 || p.heads > 65535 || p.groups > 65535 || p.prefix_len < 0 ||
      p.suffix_len < 0 || p.splits < 1 || p.chunk_keys % kDecodeTileKeys != 0 ||
      (p.splits > 1 && (p.partial_out == nullptr || p.partial_lse == nullptr))) {
    return cudaErrorInvalidValue;
  }
  if (p.groups == 0) return cudaSuccess;
  switch (dtype) {
    case DataType::BF16: return launch_decode<__nv_bfloat16>(p, stream);
    case DataType::FP16: return launch_decode<__half>(p, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace infeval::kernels

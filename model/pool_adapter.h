// The pool-adapter (InfMLLM's Pooler): drop the cls token, view the s x s patch grid, mean-pool non-overlapping
// (s/P) x (s/P) windows to a P x P grid (row-major), then Linear -> exact GELU -> Linear into the LLM's width.
#pragma once
#include <ATen/core/Tensor.h>

#include "model/weights.h"

namespace infeval {

// x [B, 1 + s*s, W] (ln_vision output) -> [B, P*P, W]. InputError when s is not a multiple of P.
at::Tensor pool_tokens_forward(const at::Tensor& x, int64_t pool);

// pooled [B, P*P, W] -> [B, P*P, hidden] in the weights' dtype.
at::Tensor pool_adapter_mlp(const PoolAdapterWeights& weights, const at::Tensor& pooled);

// Both steps.
at::Tensor pool_adapter_forward(const PoolAdapterWeights& weights, int64_t pool, const at::Tensor& x);

}  // namespace infeval

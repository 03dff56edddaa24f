// <out>/results.json, the record of a run. Schema (schema_version 1):
// {
//   "schema_version": 1,
//   "infeval_version": "0.1.0",
//   "run": {"command_line": [..], "git_commit": "abc", "build_type": "Release", "start_time": "ISO-8601 UTC",
//           "end_time": "...", "seconds": 12.5, "samples_generated": 100, "samples_per_second": 8.0,
//           "shard": {"index": 0, "count": 1}, "limit": null | {"count": N, "seed": S}, "batch_size": 8,
//           "schedule": "backend" | "file-order", "protocol": "multitask", "data_root": "...",
//           "peak_host_memory_bytes": N (process peak RSS),
//           "stage_seconds": {"load_tasks", "generate", "write_predictions", "score"}},
//   "model": {"backend": "native", "model_name": "...", "model_digest": "sha256 of the weight files",
//             "precision": "fp32", "device": "cpu", "protocol": "multitask", "extra": {...}},
//   "backend_stats": {...backend-specific: native gives stage_seconds (load, preprocess, vit, adapter, prefill,
//                     decode), vit_images, feature_cache {hits, misses, ...}, peak_device_memory_bytes on CUDA},
//   "tasks": {"<task>": {"metrics": {"<name>": value (papers' units; null when undefined)}, "variant": "...",
//             "scorer": "...", "adapter": "...", "version": 1, "config_hash": "...",
//             "counts": {"total", "scored", "missing", "failed", "ignored" (answers matching no sample, skipped as
//                        the official script skips them)},
//             "official": {"script", "repository", "commit", "python", "reads": [file keys],
//                          "absent_answers": "counted as wrong" | "not counted", "unknown_ids": "ignored" | "error"}
//                         (empty for scorers without an official script), "notes": [...],
//             "samples_file": "samples/<task>.jsonl"}}
// }
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/backend.h"
#include "harness/scoring.h"

namespace infeval {

constexpr int kResultsSchemaVersion = 1;
constexpr const char* kInfevalVersion = "0.1.0";

std::string utc_now_iso8601();

// Writes (or updates) <out_dir>/results.json: task entries already there are kept when the model digest matches,
// replaced when the same task is scored again.
std::string write_results(const std::string& out_dir, const nlohmann::json& run, const BackendInfo& model,
                          const nlohmann::json& backend_stats, const std::vector<TaskResult>& tasks);

// Reads and checks a results.json (a file or a run directory); InputError naming the file when invalid.
nlohmann::json read_results(const std::string& path_or_dir);
std::string results_path(const std::string& path_or_dir);

nlohmann::json backend_info_to_json(const BackendInfo& info);

}  // namespace infeval

// The leaderboard (leaderboard.h) as `infeval report` writes it: Markdown (stdout and leaderboard.md), CSV and
// JSON. A delta across scoring variants is marked in each: a dagger in Markdown, :delta_comparable in CSV,
// delta_comparable in JSON.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "harness/leaderboard.h"

namespace infeval {

std::string render_leaderboard_markdown(const Leaderboard& board);
std::string render_leaderboard_csv(const Leaderboard& board);
nlohmann::json leaderboard_to_json(const Leaderboard& board);

}  // namespace infeval

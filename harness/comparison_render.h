// `infeval compare`'s output: the comparison of comparison.h as Markdown (stdout) and JSON (--json). The HTML page
// (html_report.h) renders the same report with the helpers below.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "harness/comparison.h"

namespace infeval {

std::string comparison_to_markdown(const ComparisonReport& report);
json comparison_to_json(const ComparisonReport& report);

// A p-value as the tables print it: "n/a" when undefined, 1.2e-05 below 1e-4, else 4 decimals.
std::string format_p_value(double p);
// A flipped sample's references as one line of text: strings joined by "; ", other JSON dumped.
std::string references_text(const json& references);

}  // namespace infeval

// `infeval gate`'s outputs: the Markdown summary (stdout, --markdown), JUnit XML (--junit) and JSON (--json).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "harness/gate_checks.h"

namespace infeval {

std::string gate_to_markdown(const GateResult& result);
// JUnit XML: one <testsuite name="infeval-gate">, one <testcase classname="TASK" name="METRIC [rule]"> per check,
// <failure message="..."> on failed checks.
std::string gate_to_junit_xml(const GateResult& result);
nlohmann::json gate_to_json(const GateResult& result);

std::string xml_escape(const std::string& text);

}  // namespace infeval

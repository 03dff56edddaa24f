// MMBench option matching and CircularEval as VLMEvalKit does them without an LLM judge ("exact_matching"):
// vlmeval/utils/matching_util.py can_infer() and vlmeval/dataset/utils/multiple_choice.py (VLMEvalKit e8e78f05).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace infeval {

// can_infer(answer, choices): choices maps letters present in the row (A, B, ... with a non-empty value) to the
// option text. Returns the letter, "Z" (refusal / a lone "Z"), or "" (no inference; Python's False).
//   option pass: refusal phrases -> "Z"; ".()[],:;!*#{}" -> spaces, str.split(); exactly one choice letter among
//                the words and it is among the last 4 words -> it; no choice letter but a word "Z" -> "Z"; else
//                "answer is [*]X" (case-insensitive, X in A-D and a choice) -> X.
//   text pass:   if the answer is at most twice as long as all option texts together: the lowercased option texts
//                contained in the lowercased answer; exactly one -> its letter.
std::string mmbench_can_infer(const std::string& answer, const std::map<std::string, std::string>& choices);

// One row's hit without a judge (eval_vanilla, and each rotation in CircularEval's prefetch):
// can_infer(prediction) == answer; an answer it cannot match is wrong.
bool mmbench_hit(const std::string& prediction, const std::map<std::string, std::string>& choices,
                 const std::string& answer);

// The circular group of a TSV index: index % 1e6 (rotated copies carry index + k*1e6).
long long mmbench_circular_group(long long index);

}  // namespace infeval

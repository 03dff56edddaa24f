// What one scoring variant reproduces, as plain data for `infeval list tasks`, `infeval score` and reports: the
// official script (repository, commit, interpreter), the task files it reads, how it prints its numbers, and how
// it treats answers it cannot pair with the benchmark's questions.
#pragma once
#include <string>
#include <vector>

namespace infeval {

struct VariantInfo {
  std::string name;                // "llava"
  std::string script;              // path in its repository: "llava/eval/eval_science_qa.py"
  std::string repository;          // "haotian-liu/LLaVA"
  std::string commit;              // the commit read and checked against: "c121f04"
  std::string python;              // the interpreter it is written for: "2.7" or "3"
  std::vector<std::string> reads;  // the task's file keys the script reads beside the answers ("problems", ...)
  int printed_decimals = -1;       // it prints its values with this many decimals; -1: as they are (repr)
  // Answers whose id is not a question of the benchmark: skipped and counted (true, as eval_science_qa.py does)
  // or an error (false).
  bool ignores_unknown_ids = false;
  // The denominator: the answers present (true: eval_pope.py, eval_textvqa.py) or every question, an absent answer
  // counting as wrong (false). infeval reports the absent answers in either case.
  bool scores_answered_only = false;
};

}  // namespace infeval

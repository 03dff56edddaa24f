#include "datasets/answer_postprocess.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/remove_tree.h"

namespace infeval {

std::vector<std::string> run_answer_postprocess_command(const std::string& command,
                                                        const std::vector<std::string>& answers,
                                                        const std::string& task_name) {
  namespace fs = std::filesystem;
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / fmt::format("infeval-postprocess-{:08x}", random());
  fs::create_directories(dir);
  const fs::path in_path = dir / "answers.jsonl";
  const fs::path out_path = dir / "processed.jsonl";
  {
    std::ofstream out(in_path, std::ios::binary);
    for (const auto& a : answers) out << nlohmann::json(a).dump() << "\n";
  }
  const std::string shell = fmt::format("{} < '{}' > '{}'", command, in_path.string(), out_path.string());
  const int status = std::system(shell.c_str());
  std::vector<std::string> processed;
  std::ifstream in(out_path, std::ios::binary);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      value = nullptr;
    }
    if (!value.is_string()) {
      infeval::remove_tree(dir.string());
      throw InputError(fmt::format("task {}: answer post-processing command output line {} is not a JSON string: "
                                   "{}", task_name, number, line.substr(0, 80)));
    }
    processed.push_back(value.get<std::string>());
  }
  infeval::remove_tree(dir.string());
  if (status != 0)
    throw RuntimeFailure(fmt::format("task {}: answer post-processing command failed (status {}): {}", task_name,
                                     status, command));
  if (processed.size() != answers.size())
    throw RuntimeFailure(fmt::format("task {}: answer post-processing command returned {} lines for {} answers: {}",
                                     task_name, processed.size(), answers.size(), command));
  return processed;
}

}  // namespace infeval

// Shared helpers for the harness tests: a temporary run environment with a toy task in the qa_jsonl format.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/support/temp_dir.h"

namespace infeval_test {

namespace fs = std::filesystem;

inline void write_file(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline size_t count_lines(const std::string& path) {
  const std::string text = read_file(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `infeval ARGUMENTS` (build/harness/infeval) through the shell, with optional VAR=value assignments before it.
inline CliResult run_cli(const std::string& arguments, const std::string& environment = "") {
  const std::string dir = infeval::test::fresh_test_dir("cli-io").string();
  const std::string command = fmt::format("{} {}/harness/infeval {} >{}/out.txt 2>{}/err.txt", environment,
                                          INFEVAL_BINARY_DIR, arguments, dir, dir);
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir + "/out.txt");
  r.err = read_file(dir + "/err.txt");
  return r;
}

// A config dir with tasks/toy_qa.json (qa_jsonl + exact_match) and a data root with `count` questions.
// Question i's answer is "yes" when i % 4 == 0 (so the fixed rule text:yes scores exactly 25% for count % 4 == 0),
// else "no".
struct ToyEnvironment {
  std::string root, config_dir, data_root;
  explicit ToyEnvironment(const std::string& name, int count = 40) {
    root = infeval::test::fresh_test_dir(name).string();
    config_dir = root + "/configs";
    data_root = root + "/data";
    write_file(config_dir + "/tasks/toy_qa.json", R"({
  "name": "toy_qa", "description": "toy questions for harness tests", "version": 1,
  "adapter": "qa_jsonl", "scorer": "exact_match",
  "files": {"questions": "toy/questions.jsonl", "images": "toy/images"},
  "protocols": {"multitask": {"prompt": "<image><ImageHere>Question:{question} Short answer:",
                              "generation": {"max_new_tokens": 10, "num_beams": 5, "length_penalty": 0}},
                "chat": {"prompt": "<image>\n{question}", "expand_to_square": true,
                         "generation": {"max_new_tokens": 128}}}
})");
    write_file(config_dir + "/tasks/toy_qa_second.json", R"({
  "name": "toy_qa_second", "description": "the same questions, a second task", "version": 2,
  "adapter": "qa_jsonl", "scorer": "exact_match",
  "files": {"questions": "toy/questions.jsonl", "images": "toy/images"},
  "protocols": {"multitask": {"prompt": "Q: {question}"}}
})");
    std::string lines;
    for (int i = 0; i < count; ++i)
      lines += fmt::format(R"({{"question_id": {}, "image": "img{}.jpg", "question": "Question {}?", "answer": "{}"}})",
                           1000 + i, i % 3, i, i % 4 == 0 ? "yes" : "no") + "\n";
    write_file(data_root + "/toy/questions.jsonl", lines);
    for (int k = 0; k < 3; ++k) write_file(fmt::format("{}/toy/images/img{}.jpg", data_root, k), "not a real image");
  }
};

}  // namespace infeval_test

#include "model/prompting.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"
#include "model/llama.h"
#include "model/tokenizer.h"

namespace infeval {
namespace {

std::vector<std::string> split_on(const std::string& text, const std::string& marker) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t pos = text.find(marker); pos != std::string::npos; pos = text.find(marker, begin)) {
    parts.push_back(text.substr(begin, pos - begin));
    begin = pos + marker.size();
  }
  parts.push_back(text.substr(begin));
  return parts;
}

std::vector<int> with_bos(int bos_id, const std::vector<int>& ids) {
  std::vector<int> out{bos_id};
  out.insert(out.end(), ids.begin(), ids.end());
  return out;
}

}  // namespace

std::string chat_prompt(const std::string& user_message) {
  return "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
         "detailed, and polite answers to the user's questions. USER: " +
         user_message + " ASSISTANT:";
}

PromptIds multitask_prompt_ids(const Tokenizer& tokenizer, const std::string& prompt, int bos_id,
                               const std::string& where) {
  const std::vector<std::string> parts = split_on(prompt, "<ImageHere>");
  if (parts.size() != 2) {
    throw InputError(fmt::format("{}: a multitask prompt needs exactly one <ImageHere>, found {}; hint: the task's "
                                 "prompt template must contain it once",
                                 where, parts.size() - 1));
  }
  PromptIds ids;
  ids.before = with_bos(bos_id, tokenizer.encode(parts[0]));
  ids.after = tokenizer.encode(parts[1]);
  return ids;
}

PromptIds chat_prompt_ids(const Tokenizer& tokenizer, const std::string& full_prompt, int bos_id,
                          const std::string& where) {
  const std::vector<std::string> chunks = split_on(full_prompt, "<image>");
  if (chunks.size() > 2) {
    throw InputError(fmt::format("{}: a chat prompt may hold one <image>, found {}", where, chunks.size() - 1));
  }
  PromptIds ids;
  ids.before = with_bos(bos_id, tokenizer.encode(chunks[0]));
  ids.has_image = chunks.size() == 2;
  if (ids.has_image) ids.after = tokenizer.encode(chunks[1]);
  return ids;
}

PromptBatch assemble_prompt_batch(const Llama& llama, const std::vector<PromptIds>& prompts, const at::Tensor& visual,
                                  int pad_id) {
  const int64_t Q = static_cast<int64_t>(prompts.size());
  const int64_t visual_len = visual.defined() ? visual.size(1) : 0;
  std::vector<int64_t> lengths;
  int64_t L = 0;
  for (const PromptIds& p : prompts) {
    if (p.has_image && !visual.defined()) throw RuntimeFailure("prompt batch: visual tokens missing");
    const int64_t n = static_cast<int64_t>(p.before.size() + p.after.size()) + (p.has_image ? visual_len : 0);
    lengths.push_back(n);
    L = std::max(L, n);
  }
  const at::Tensor pad_embed = llama.embed(torch::full({1}, pad_id, torch::kLong));  // [1, hidden]
  const int64_t hidden = pad_embed.size(1);
  at::Tensor embeds = pad_embed.expand({Q, L, hidden}).clone();
  at::Tensor mask = torch::zeros({Q, L}, torch::kLong);
  auto to_tensor = [](const std::vector<int>& ids) {
    return torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kLong);
  };
  for (int64_t q = 0; q < Q; ++q) {
    const PromptIds& p = prompts[q];
    const int64_t offset = L - lengths[q];
    mask.narrow(1, offset, lengths[q]).select(0, q).fill_(1);
    std::vector<at::Tensor> pieces;
    pieces.push_back(llama.embed(to_tensor(p.before)));
    if (p.has_image) pieces.push_back(visual[q].to(embeds.scalar_type()));
    if (!p.after.empty()) pieces.push_back(llama.embed(to_tensor(p.after)));
    const at::Tensor row = torch::cat(pieces, 0);
    embeds[q].narrow(0, offset, row.size(0)).copy_(row);
  }
  return PromptBatch{embeds, mask.to(embeds.device())};
}

}  // namespace infeval

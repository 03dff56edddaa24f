// Prompt construction as the reference does it.
//   multitask: [bos] + tokens(before) + visual tokens + tokens(after), split at the one "<ImageHere>"; each part
//     tokenized separately without special tokens.
//   chat: the vicuna_v1 template around the user message, then tokenizer_image_token semantics:
//     [bos] + tokens(chunk0) + visual tokens + tokens(chunk1), split at "<image>" (no image: [bos] + tokens(text)).
// Batches are left-padded (pad embedding = embed(pad id), mask 0).
#pragma once
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace infeval {

class Tokenizer;
class Llama;

// Token ids around the visual tokens; has_image false means no visual tokens are spliced in.
struct PromptIds {
  std::vector<int> before;  // includes bos
  std::vector<int> after;
  bool has_image = true;
};

// vicuna_v1 (style TWO, roles USER/ASSISTANT): "<system> USER: {message} ASSISTANT:".
std::string chat_prompt(const std::string& user_message);

// InputError (naming `where`) if the prompt has no or several "<ImageHere>".
PromptIds multitask_prompt_ids(const Tokenizer& tokenizer, const std::string& prompt, int bos_id,
                               const std::string& where);
// `full_prompt` is the templated text (chat_prompt()); several "<image>" are an InputError.
PromptIds chat_prompt_ids(const Tokenizer& tokenizer, const std::string& full_prompt, int bos_id,
                          const std::string& where);

struct PromptBatch {
  at::Tensor embeds;  // [Q, L, hidden]
  at::Tensor mask;    // [Q, L] int64, 1 = token, 0 = left pad
};

// visual: [Q, P*P, hidden] (rows of prompts without an image are ignored; may be undefined if none has one).
PromptBatch assemble_prompt_batch(const Llama& llama, const std::vector<PromptIds>& prompts, const at::Tensor& visual,
                                  int pad_id);

}  // namespace infeval

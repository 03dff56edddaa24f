// LLaMA tokenizer: SentencePiece (tokenizer.model) with Hugging Face's slow LlamaTokenizer behaviour as the
// reference calls it (legacy mode: each separately tokenized text part gets its own leading "▁").
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace infeval {

class Tokenizer {
 public:
  explicit Tokenizer(const std::string& model_path);  // InputError naming the file if unreadable/invalid
  ~Tokenizer();
  // tokenizer(text, add_special_tokens=False).input_ids
  std::vector<int> encode(const std::string& text) const;
  // tokenizer.decode(ids, skip_special_tokens=True).strip(): drops bos/eos/pad(unk 0), joins byte-fallback pieces
  // into UTF-8.
  std::string decode(const std::vector<int>& ids) const;
  int bos_id() const;
  int eos_id() const;
  int pad_id() const;  // the reference sets pad = unk = 0
  int vocab_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace infeval

// SentencePiece with Hugging Face's slow LlamaTokenizer semantics (legacy=True) for the calls the reference makes:
// encode(text, add_special_tokens=False) == sp.EncodeAsIds(text) (each part gets its own dummy-prefix "▁"), and
// decode(ids, skip_special_tokens=True).strip() == strip(sp.DecodeIds(ids without bos/eos/unk/pad)).
#include "model/tokenizer.h"

#include <sentencepiece_processor.h>

#include <cstdint>

#include <fmt/format.h>

#include "harness/core/error.h"

namespace infeval {
namespace {

// Python's str.isspace() code points: what str.strip() removes.
bool is_python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// Length of the UTF-8 sequence starting at text[i] and its code point; an invalid byte counts as itself (never
// whitespace), which only matters for malformed input since SentencePiece emits valid UTF-8.
size_t utf8_char_at(const std::string& text, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t lead = byte(i);
  size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > text.size()) {
    *cp = 0xFFFFFFFFu;
    return 1;
  }
  uint32_t value = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      *cp = 0xFFFFFFFFu;
      return 1;
    }
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  *cp = value;
  return length;
}

// Python str.strip() on UTF-8 text.
std::string python_strip(const std::string& text) {
  std::vector<std::pair<size_t, bool>> chars;  // (byte offset, is space)
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t length = utf8_char_at(text, i, &cp);
    chars.push_back({i, is_python_space(cp)});
    i += length;
  }
  size_t first = 0;
  while (first < chars.size() && chars[first].second) ++first;
  size_t last = chars.size();
  while (last > first && chars[last - 1].second) --last;
  if (first == last) return "";
  size_t begin = chars[first].first;
  size_t end = last < chars.size() ? chars[last].first : text.size();
  return text.substr(begin, end - begin);
}

}  // namespace

struct Tokenizer::Impl {
  sentencepiece::SentencePieceProcessor processor;
  std::string path;
};

Tokenizer::Tokenizer(const std::string& model_path) : impl_(new Impl()) {
  impl_->path = model_path;
  const auto status = impl_->processor.Load(model_path);
  if (!status.ok()) {
    throw InputError(fmt::format("{}: cannot load SentencePiece model: {} (hint: the checkpoint directory needs "
                                 "the LLaMA tokenizer.model)",
                                 model_path, status.ToString()));
  }
}

Tokenizer::~Tokenizer() = default;

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  const auto status = impl_->processor.Encode(text, &ids);
  if (!status.ok()) {
    throw RuntimeFailure(fmt::format("{}: SentencePiece encode failed: {}", impl_->path, status.ToString()));
  }
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  const int vocab = vocab_size();
  std::vector<int> kept;
  kept.reserve(ids.size());
  for (int id : ids) {
    // skip_special_tokens drops the ids of bos, eos, unk and pad (pad = unk = 0 in the reference).
    if (id == bos_id() || id == eos_id() || id == pad_id() || id == impl_->processor.unk_id()) continue;
    if (id < 0 || id >= vocab) {
      throw InputError(fmt::format("{}: token id {} outside the vocabulary of {} pieces", impl_->path, id, vocab));
    }
    kept.push_back(id);
  }
  std::string text;
  const auto status = impl_->processor.Decode(kept, &text);
  if (!status.ok()) {
    throw RuntimeFailure(fmt::format("{}: SentencePiece decode failed: {}", impl_->path, status.ToString()));
  }
  return python_strip(text);
}

int Tokenizer::bos_id() const { return impl_->processor.bos_id(); }
int Tokenizer::eos_id() const { return impl_->processor.eos_id(); }
int Tokenizer::pad_id() const {
  // The reference sets tokenizer.pad_token = unk_token; LLaMA's model has no pad piece (pad_id() == -1).
  return impl_->processor.unk_id();
}
int Tokenizer::vocab_size() const { return impl_->processor.GetPieceSize(); }

}  // namespace infeval

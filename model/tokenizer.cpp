// SentencePiece with Hugging Face's slow LlamaTokenizer semantics (legacy=True) for the calls the reference makes:
// encode(text, add_special_tokens=False) == sp.EncodeAsIds(text) (each part gets its own dummy-prefix "▁"), and
// decode(ids, skip_special_tokens=True).strip() == strip(sp.DecodeIds(ids without bos/eos/unk/pad)).
#include "model/tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

#include <cstdint>

#include <fmt/format.h>

#include "core/error.h"
#include "model/sentencepiece_shim/sentencepiece_shim.h"

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

// libsentencepiece lives in its own shared library, loaded in isolation (model/sentencepiece_shim/ says why).
struct SentencePieceApi {
  void* library = nullptr;
  decltype(&infeval_spm_load) load = nullptr;
  decltype(&infeval_spm_free) free = nullptr;
  decltype(&infeval_spm_encode) encode = nullptr;
  decltype(&infeval_spm_decode) decode = nullptr;
  decltype(&infeval_spm_bos_id) bos_id = nullptr;
  decltype(&infeval_spm_eos_id) eos_id = nullptr;
  decltype(&infeval_spm_unk_id) unk_id = nullptr;
  decltype(&infeval_spm_piece_count) piece_count = nullptr;
};

// Candidates: $INFEVAL_SENTENCEPIECE_SHIM, the path the build wrote it to, and <exe dir>/../model/.
std::vector<std::string> shim_candidates() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("INFEVAL_SENTENCEPIECE_SHIM")) paths.push_back(env);
  paths.push_back(INFEVAL_SENTENCEPIECE_SHIM_PATH);
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    paths.push_back(dir + "/../model/libinfeval_sentencepiece.so");
    paths.push_back(dir + "/libinfeval_sentencepiece.so");
  }
  return paths;
}

const SentencePieceApi& sentencepiece_api() {
  static const SentencePieceApi api = [] {
    SentencePieceApi a;
    std::string errors;
    for (const auto& path : shim_candidates()) {
      a.library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
      if (a.library) break;
      errors += fmt::format("\n  {}: {}", path, dlerror());
    }
    if (!a.library)
      throw RuntimeFailure("cannot load libinfeval_sentencepiece.so (hint: build the infeval_sentencepiece target, or "
                           "set INFEVAL_SENTENCEPIECE_SHIM to its path):" + errors);
    auto symbol = [&](const char* name) {
      void* f = dlsym(a.library, name);
      if (!f) throw RuntimeFailure(fmt::format("libinfeval_sentencepiece.so lacks {}", name));
      return f;
    };
    a.load = reinterpret_cast<decltype(a.load)>(symbol("infeval_spm_load"));
    a.free = reinterpret_cast<decltype(a.free)>(symbol("infeval_spm_free"));
    a.encode = reinterpret_cast<decltype(a.encode)>(symbol("infeval_spm_encode"));
    a.decode = reinterpret_cast<decltype(a.decode)>(symbol("infeval_spm_decode"));
    a.bos_id = reinterpret_cast<decltype(a.bos_id)>(symbol("infeval_spm_bos_id"));
    a.eos_id = reinterpret_cast<decltype(a.eos_id)>(symbol("infeval_spm_eos_id"));
    a.unk_id = reinterpret_cast<decltype(a.unk_id)>(symbol("infeval_spm_unk_id"));
    a.piece_count = reinterpret_cast<decltype(a.piece_count)>(symbol("infeval_spm_piece_count"));
    return a;
  }();
  return api;
}

}  // namespace

struct Tokenizer::Impl {
  const SentencePieceApi* api = nullptr;
  void* processor = nullptr;
  std::string path;
  int bos = 1, eos = 2, unk = 0, pieces = 0;
  ~Impl() {
    if (processor) api->free(processor);
  }
};

Tokenizer::Tokenizer(const std::string& model_path) : impl_(new Impl()) {
  impl_->path = model_path;
  impl_->api = &sentencepiece_api();
  char error[512] = {0};
  impl_->processor = impl_->api->load(model_path.c_str(), error, sizeof(error));
  if (!impl_->processor) {
    throw InputError(fmt::format("{}: cannot load SentencePiece model: {} (hint: the checkpoint directory needs "
                                 "the LLaMA tokenizer.model)",
                                 model_path, error));
  }
  impl_->bos = impl_->api->bos_id(impl_->processor);
  impl_->eos = impl_->api->eos_id(impl_->processor);
  impl_->unk = impl_->api->unk_id(impl_->processor);
  impl_->pieces = impl_->api->piece_count(impl_->processor);
}

Tokenizer::~Tokenizer() = default;

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::vector<int> ids(text.size() + 16);  // SentencePiece never yields more pieces than bytes, plus margin
  size_t count = 0;
  char error[512] = {0};
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (impl_->api->encode(impl_->processor, text.data(), text.size(), ids.data(), ids.size(), &count, error,
                           sizeof(error)) != 0)
      throw RuntimeFailure(fmt::format("{}: SentencePiece encode failed: {}", impl_->path, error));
    if (count <= ids.size()) break;
    ids.resize(count);
  }
  ids.resize(count);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  const int vocab = vocab_size();
  std::vector<int> kept;
  kept.reserve(ids.size());
  for (int id : ids) {
    // skip_special_tokens drops the ids of bos, eos, unk and pad (pad = unk = 0 in the reference).
    if (id == bos_id() || id == eos_id() || id == pad_id() || id == impl_->unk) continue;
    if (id < 0 || id >= vocab) {
      throw InputError(fmt::format("{}: token id {} outside the vocabulary of {} pieces", impl_->path, id, vocab));
    }
    kept.push_back(id);
  }
  std::string text(kept.size() * 8 + 16, '\0');
  size_t size = 0;
  char error[512] = {0};
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (impl_->api->decode(impl_->processor, kept.data(), kept.size(), &text[0], text.size(), &size, error,
                           sizeof(error)) != 0)
      throw RuntimeFailure(fmt::format("{}: SentencePiece decode failed: {}", impl_->path, error));
    if (size <= text.size()) break;
    text.assign(size, '\0');
  }
  text.resize(size);
  return python_strip(text);
}

int Tokenizer::bos_id() const { return impl_->bos; }
int Tokenizer::eos_id() const { return impl_->eos; }
int Tokenizer::pad_id() const {
  // The reference sets tokenizer.pad_token = unk_token; LLaMA's model has no pad piece (pad_id() == -1).
  return impl_->unk;
}
int Tokenizer::vocab_size() const { return impl_->pieces; }

}  // namespace infeval

// See sentencepiece_shim.h for why this library exists.
#include "model/sentencepiece_shim/sentencepiece_shim.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

void copy_error(const std::string& message, char* error, size_t error_size) {
  if (!error || error_size == 0) return;
  const size_t n = message.size() < error_size - 1 ? message.size() : error_size - 1;
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

sentencepiece::SentencePieceProcessor* as_processor(void* p) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(p);
}

}  // namespace

extern "C" {

void* infeval_spm_load(const char* model_path, char* error, size_t error_size) {
  try {
    auto* processor = new sentencepiece::SentencePieceProcessor();
    const auto status = processor->Load(model_path);
    if (!status.ok()) {
      copy_error(status.ToString(), error, error_size);
      delete processor;
      return nullptr;
    }
    return processor;
  } catch (const std::exception& e) {
    copy_error(e.what(), error, error_size);
    return nullptr;
  }
}

void infeval_spm_free(void* processor) { delete as_processor(processor); }

int infeval_spm_encode(void* processor, const char* text, size_t text_size, int* ids, size_t capacity,
                       size_t* count, char* error, size_t error_size) {
  try {
    std::vector<int> out;
    const auto status = as_processor(processor)->Encode(std::string(text, text_size), &out);
    if (!status.ok()) {
      copy_error(status.ToString(), error, error_size);
      return 1;
    }
    *count = out.size();
    for (size_t i = 0; i < out.size() && i < capacity; ++i) ids[i] = out[i];
    return 0;
  } catch (const std::exception& e) {
    copy_error(e.what(), error, error_size);
    return 1;
  }
}

int infeval_spm_decode(void* processor, const int* ids, size_t count, char* out, size_t capacity, size_t* size,
                       char* error, size_t error_size) {
  try {
    std::string text;
    const auto status = as_processor(processor)->Decode(std::vector<int>(ids, ids + count), &text);
    if (!status.ok()) {
      copy_error(status.ToString(), error, error_size);
      return 1;
    }
    *size = text.size();
    if (text.size() <= capacity) std::memcpy(out, text.data(), text.size());
    return 0;
  } catch (const std::exception& e) {
    copy_error(e.what(), error, error_size);
    return 1;
  }
}

int infeval_spm_bos_id(void* processor) { return as_processor(processor)->bos_id(); }
int infeval_spm_eos_id(void* processor) { return as_processor(processor)->eos_id(); }
int infeval_spm_unk_id(void* processor) { return as_processor(processor)->unk_id(); }
int infeval_spm_piece_count(void* processor) { return as_processor(processor)->GetPieceSize(); }

}  // extern "C"

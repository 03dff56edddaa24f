// C API of libinfeval_sentencepiece.so, a small shared library around libsentencepiece.
// Why a separate library: Debian's libsentencepiece carries its own protobuf-lite 3.14 and exports its symbols,
// while LibTorch loads libprotobuf 3.21. Linked into one program, one of them binds to the other's protobuf and
// aborts ("compiled against version 3.14.0 ... installed version 3.21.12"). model/tokenizer.cpp therefore loads
// this library with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): sentencepiece resolves protobuf to its own copy first, and
// nothing of it enters the program's global symbol scope. Strings are UTF-8; every call returns 0 on success,
// else writes a message into `error` (capacity `error_size`).
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void* infeval_spm_load(const char* model_path, char* error, size_t error_size);
void infeval_spm_free(void* processor);
// ids: caller buffer of `capacity`; *count receives the number of ids (call again with a larger buffer if
// *count > capacity).
int infeval_spm_encode(void* processor, const char* text, size_t text_size, int* ids, size_t capacity,
                       size_t* count, char* error, size_t error_size);
// out: caller buffer of `capacity` bytes; *size receives the decoded size (retry if larger than capacity).
int infeval_spm_decode(void* processor, const int* ids, size_t count, char* out, size_t capacity, size_t* size,
                       char* error, size_t error_size);
int infeval_spm_bos_id(void* processor);
int infeval_spm_eos_id(void* processor);
int infeval_spm_unk_id(void* processor);
int infeval_spm_piece_count(void* processor);

#ifdef __cplusplus
}
#endif

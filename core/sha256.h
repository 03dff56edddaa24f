// SHA-256 (FIPS 180-4) for model digests, config hashes and prediction keys.
#pragma once
#include <cstdint>
#include <string>

namespace infeval {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(const std::string& text) { update(text.data(), text.size()); }
  std::string hex_digest();  // finalizes; call once

 private:
  void process_block(const uint8_t* block);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffer_size_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& data);
std::string sha256_file_hex(const std::string& path);  // InputError if unreadable
std::string short_hash(const std::string& data);       // first 16 hex digits of sha256

}  // namespace infeval

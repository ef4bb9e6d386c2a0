// SHA-256 (FIPS 180-4), written here so the addon links no crypto library (OpenSSL may be absent
// on user machines). Incremental: update() any number of times, then hex().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fp8lab {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(const std::string& s) { update(s.data(), s.size()); }
  // Length-prefixed field, so concatenations of different fields never collide.
  void update_field(const std::string& s);
  std::string hex();  // finishes the hash; call once

 private:
  void compress(const uint8_t* block);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& data);

}  // namespace fp8lab

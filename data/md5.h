#pragma once
// MD5 (RFC 1321), only to check that downloaded files are the ones we expect; not for security.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sprig {

class Md5 {
 public:
  Md5();
  void update(const void* data, size_t bytes);  // may be called any number of times
  std::string hex_digest();                     // 32 lowercase hex digits; ends the computation

 private:
  void compress(const uint8_t* block);  // one 64-byte block

  std::array<uint32_t, 4> state_;
  std::array<uint8_t, 64> buffer_;
  uint64_t length_ = 0;  // bytes seen
};

std::string md5_hex(const void* data, size_t bytes);
std::string md5_hex(const std::string& text);

}  // namespace sprig

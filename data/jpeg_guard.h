#pragma once
// A guard in front of stb_image's JPEG decoder. Debian 12's stb_image (git 2022-09-08) trusts the 16
// code counts of a Huffman table (DHT segment): counts summing past 256 overrun its fixed tables
// (stb issues #1289 and #1291, fixed upstream after that version). Files that declare such a table
// are refused here, before stb_image reads them.
#include <cstddef>
#include <cstdint>

namespace sprig {

// False if the bytes are a JPEG in which some Huffman table stb_image could read declares more than
// 256 codes; true otherwise (also for anything that is not a JPEG).
bool jpeg_huffman_tables_fit(const uint8_t* bytes, size_t size);

}  // namespace sprig

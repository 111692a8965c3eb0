#include "data/jpeg_guard.h"

namespace sprig {

namespace {

constexpr uint8_t kMarker = 0xFF, kStartOfImage = 0xD8, kHuffmanTable = 0xC4, kStartOfScan = 0xDA, kEndOfImage = 0xD9;

// Reads bytes as stb_image does: zeros past the end.
struct ZeroPadded {
  const uint8_t* data;
  size_t size;
  uint32_t operator[](size_t i) const { return i < size ? data[i] : 0; }
};

// The DHT segment whose length field starts at `at`, read the way stb_image reads it: tables of a
// class/id byte, 16 counts and that many values, while the declared length lasts.
bool huffman_segment_fits(const ZeroPadded& p, size_t at) {
  int64_t left = int64_t(p[at] << 8 | p[at + 1]) - 2;
  for (size_t table = at + 2; left > 0;) {
    const uint32_t kind = p[table];
    if ((kind >> 4) > 1 || (kind & 15) > 3) return true;  // stb_image refuses this table itself
    int64_t codes = 0;
    for (size_t i = 1; i <= 16; ++i) codes += p[table + i];
    if (codes > 256) return false;
    table += size_t(17 + codes);
    left -= 17 + codes;
  }
  return true;
}

}  // namespace

bool jpeg_huffman_tables_fit(const uint8_t* bytes, size_t size) {
  const ZeroPadded p{bytes, size};
  if (p[0] != kMarker) return true;  // no JPEG
  size_t at = 1;
  while (p[at] == kMarker && at < size) ++at;  // stb_image allows 0xFF fill before the start-of-image marker too
  if (p[at] != kStartOfImage) return true;
  ++at;
  // Up to the first scan, segments follow one another by their lengths, as stb_image walks them
  // (skipping stray bytes and 0xFF fill before a marker).
  while (at + 1 < size) {
    if (p[at] != kMarker || p[at + 1] == kMarker) {
      ++at;
      continue;
    }
    const uint32_t marker = p[at + 1];
    if (marker == kStartOfScan) break;
    if (marker == kEndOfImage) return true;
    if (marker == kHuffmanTable && !huffman_segment_fits(p, at + 2)) return false;
    at += 2 + (p[at + 2] << 8 | p[at + 3]);
  }
  // From the first scan on, where entropy-coded data hides no markers (0xFF is followed by 0 or a
  // restart code), every 0xFF 0xC4 is checked: a superset of the tables stb_image could read.
  for (; at + 1 < size; ++at)
    if (p[at] == kMarker && p[at + 1] == kHuffmanTable && !huffman_segment_fits(p, at + 2)) return false;
  return true;
}

}  // namespace sprig

#include "data/augment.h"

#include <algorithm>
#include <cstring>

#include "tensor/error.h"

namespace sprig {

namespace {

// out: [W] = in row shifted by dx (out[x] = in[x + dx], zero outside); in may be out itself.
void shift_row(const uint8_t* in, uint8_t* out, int64_t width, int64_t dx) {
  const int64_t kept = std::max<int64_t>(0, width - std::abs(dx));
  const int64_t to = std::max<int64_t>(0, -dx), from = std::max<int64_t>(0, dx);
  if (kept > 0) std::memmove(out + to, in + from, size_t(kept));
  std::memset(dx >= 0 ? out + kept : out, 0, size_t(width - kept));
}

// plane: [H, W], shifted in place by (dy, dx). Rows are visited so that a source row is read
// before it is overwritten: downwards when moving content up (dy > 0), upwards otherwise.
void shift_plane(uint8_t* plane, int64_t height, int64_t width, int64_t dy, int64_t dx) {
  for (int64_t k = 0; k < height; ++k) {
    const int64_t y = dy >= 0 ? k : height - 1 - k, source = y + dy;
    uint8_t* row = plane + y * width;
    if (source >= 0 && source < height)
      shift_row(plane + source * width, row, width, dx);
    else
      std::memset(row, 0, size_t(width));
  }
}

}  // namespace

CropFlip draw_crop_flip(Generator& gen, int64_t padding) {
  CropFlip t;
  t.dy = gen.integer(2 * padding + 1) - padding;
  t.dx = gen.integer(2 * padding + 1) - padding;
  t.flip = gen.integer(2) == 1;
  return t;
}

void apply_crop_flip(ImageBytes image, const CropFlip& transform) {
  const int64_t plane = image.height * image.width;
  for (int64_t c = 0; c < image.channels; ++c) {
    uint8_t* p = image.data + c * plane;
    if (transform.dy != 0 || transform.dx != 0) shift_plane(p, image.height, image.width, transform.dy, transform.dx);
    if (transform.flip)
      for (int64_t y = 0; y < image.height; ++y) std::reverse(p + y * image.width, p + (y + 1) * image.width);
  }
}

Augment random_crop_flip(int64_t padding) {
  SPRIG_CHECK(padding >= 0, "random_crop_flip: padding must be non-negative but got ", padding);
  return [padding](ImageBytes image, Generator& gen) { apply_crop_flip(image, draw_crop_flip(gen, padding)); };
}

}  // namespace sprig

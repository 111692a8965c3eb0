#include <doctest/doctest.h>

#include <set>

#include "data/augment.h"
#include "data_test_files.h"

using namespace sprig;
using namespace sprig::test;

namespace {

// The plain definition: pad by `padding` with zeros, cut the window at (padding + dy, padding + dx),
// then mirror. image: [C, H, W]
Bytes crop_flip_reference(const Bytes& image, int64_t channels, int64_t height, int64_t width, const CropFlip& t) {
  Bytes out(image.size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        const int64_t sy = y + t.dy, sx = (t.flip ? width - 1 - x : x) + t.dx;
        const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        out[size_t((c * height + y) * width + x)] = inside ? image[size_t((c * height + sy) * width + sx)] : 0;
      }
  return out;
}

Bytes numbered_image(int64_t numel) {
  Bytes image(static_cast<size_t>(numel));
  for (size_t j = 0; j < image.size(); ++j) image[j] = uint8_t(1 + j % 250);  // no zeros: padding shows
  return image;
}

Dataset numbered_dataset(int64_t n) {
  std::vector<uint8_t> pixels;
  for (int64_t i = 0; i < n; ++i) {
    const Bytes image = numbered_image(3 * 8 * 8);
    pixels.insert(pixels.end(), image.begin(), image.end());
  }
  return Dataset(std::move(pixels), std::vector<int32_t>(size_t(n), 0), 3, 8, 8, 1);
}

std::vector<std::vector<float>> epoch_images(uint64_t seed, int64_t epoch, bool prefetch) {
  DataLoader loader(numbered_dataset(40),
                    {.batch_size = 16, .seed = seed, .augment = random_crop_flip(4), .prefetch = prefetch});
  std::vector<std::vector<float>> images;
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) images.push_back(batch.images.to_vector());
  return images;
}

}  // namespace

TEST_CASE("augment: crop and flip in place match pad-crop-mirror for every shift, also past the edges") {
  const int64_t channels = 2, height = 5, width = 7;  // not square: rows and columns cannot be confused
  const Bytes image = numbered_image(channels * height * width);
  for (int64_t dy = -6; dy <= 6; ++dy)
    for (int64_t dx = -8; dx <= 8; ++dx)
      for (bool flip : {false, true}) {
        Bytes out = image;
        apply_crop_flip({out.data(), channels, height, width}, {dy, dx, flip});
        CAPTURE(dy);
        CAPTURE(dx);
        CAPTURE(flip);
        CHECK(out == crop_flip_reference(image, channels, height, width, {dy, dx, flip}));
      }
}

TEST_CASE("augment: draws cover shifts in [-4, 4] and both flips, from the generator alone") {
  Generator gen(3);
  std::set<int64_t> dys, dxs;
  int flips = 0;
  for (int i = 0; i < 2000; ++i) {
    const CropFlip t = draw_crop_flip(gen, 4);
    dys.insert(t.dy);
    dxs.insert(t.dx);
    flips += t.flip;
  }
  CHECK(dys == std::set<int64_t>{-4, -3, -2, -1, 0, 1, 2, 3, 4});
  CHECK(dxs == dys);
  CHECK(flips > 900);
  CHECK(flips < 1100);
  Generator a(5), b(5);
  for (int i = 0; i < 10; ++i) {
    const CropFlip x = draw_crop_flip(a, 4), y = draw_crop_flip(b, 4);
    CHECK((x.dy == y.dy && x.dx == y.dx && x.flip == y.flip));
  }
  CHECK(draw_crop_flip(a, 0).dy == 0);
  CHECK(contains(error_of([] { random_crop_flip(-1); }), "padding must be non-negative"));
}

TEST_CASE("augment: through the loader, the same seed gives the same batches, with or without prefetching") {
  const auto first = epoch_images(7, 0, false);
  CHECK(epoch_images(7, 0, false) == first);
  CHECK(epoch_images(7, 0, true) == first);
  CHECK(epoch_images(8, 0, false) != first);
  CHECK(epoch_images(7, 1, false) != first);  // a new epoch draws new crops
  // The images really are augmented: some carry zero padding.
  int zeros = 0;
  for (const auto& batch : first) zeros += int(std::count(batch.begin(), batch.end(), 0.0f));
  CHECK(zeros > 0);
}

#pragma once
// A dataset the prune tests train on in milliseconds: 4x4 single-channel images in 3 classes, the
// class brightening one row, plus noise. And the exception a test throws from a progress callback to
// stop a run midway, as a killed process would.
#include <stdexcept>

#include "data/dataset.h"
#include "tensor/generator.h"

namespace sprig::test {

inline Dataset toy_dataset(int64_t count, uint64_t seed) {
  Generator gen(seed);
  auto pixels = std::vector<uint8_t>(size_t(count * 16));
  auto labels = std::vector<int32_t>(size_t(count));
  for (int64_t i = 0; i < count; ++i) {
    labels[size_t(i)] = int32_t(gen.integer(3));
    for (int64_t p = 0; p < 16; ++p)
      pixels[size_t(i * 16 + p)] = uint8_t(gen.integer(80) + (p / 4 == labels[size_t(i)] ? 150 : 0));
  }
  return Dataset(std::move(pixels), std::move(labels), 1, 4, 4, 3);
}

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace sprig::test

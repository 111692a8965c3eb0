#pragma once
// Images as WANN inputs. The paper shrinks MNIST to 16x16 with area averaging (OpenCV's
// INTER_AREA) and feeds pixel / 255 plus a bias node of 1; these helpers do the same on a Dataset.
#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "prune/wann_eval.h"

namespace sprig::prune {

// Every image resized to [C, height, width] by area averaging: an output pixel is the mean of the
// input area it covers, fractional pixels weighted by their overlap; rounded back to bytes.
Dataset resize_area(const Dataset& dataset, int64_t height, int64_t width);

// Examples `indices` of `dataset` as an evaluator batch: inputs [C*H*W + 1, B] of pixel / 255, the
// last row the bias (all 1), so a genome for it has C*H*W + 1 inputs.
WannBatch wann_batch(const Dataset& dataset, const std::vector<int64_t>& indices);
WannBatch wann_batch(const Dataset& dataset);  // all of it, in order

// `count` distinct indices of [0, n), ascending, drawn by Generator(seed).split(stream): generation
// g's batch is sample_indices(n, B, seed, g), the same on every run and every resume.
std::vector<int64_t> sample_indices(int64_t n, int64_t count, uint64_t seed, uint64_t stream);

}  // namespace sprig::prune

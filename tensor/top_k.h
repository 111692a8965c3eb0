#pragma once
// Keeping the k largest magnitudes: magnitude pruning (prune/magnitude.h) and edge-popup's per-layer
// top-k mask of the scores (autograd/supermask.h). Ties go to the lower index, so the choice is
// deterministic and the same on every machine.
#include <cstdint>

#include "tensor/tensor.h"

namespace sprig {

// v: [n]; candidates: `count` distinct indices into v (reordered in place); mask: [n].
// Writes 1 into mask at the `keep` candidates of largest |v|, leaving every other entry of mask as it was.
void mark_largest_abs(const float* v, int64_t* candidates, int64_t count, int64_t keep, float* mask);
// Twin by a full stable sort, for tests.
void mark_largest_abs_reference(const float* v, int64_t* candidates, int64_t count, int64_t keep, float* mask);

// A 0/1 tensor of values' shape with ones at the `keep` entries of largest |value| (ties: lower
// index), as mark_largest_abs over every entry, by a radix select.
Tensor top_k_abs_mask(const Tensor& values, int64_t keep);

}  // namespace sprig

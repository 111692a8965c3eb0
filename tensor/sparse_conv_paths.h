#pragma once
// The two ways tensor/sparse_conv.cpp runs a group of images [n0, n0 + count), side by side:
//   im2col  columns [C*kh*kw, count*OH*OW] built per group, CSR weight times columns (any stride);
//   direct  stride 1: the group's images zero-padded once, each stored weight scaling a shifted
//           window of its input channel (no column matrix: for thin layers building it cost 2-3x
//           the product itself); outputs on the padded width, the extra columns dropped. Needs
//           SparseWeight::regrouped (taps = kh * kw).
#include <cstdint>

#include "tensor/conv.h"
#include "tensor/sparse_weight.h"

namespace sprig::sparse_conv {

struct Group {
  const Conv2dGeometry& g;
  int64_t n0, count;
  int64_t image_size() const { return g.in_channels * g.height * g.width; }
  int64_t out_plane() const { return g.out_h() * g.out_w(); }
};

// Images per group: enough that a group's output rows reach min_columns.
int64_t group_size(const Conv2dGeometry& g, int64_t columns_per_image, int64_t min_columns);
// n floats rounded up to whole cache lines, so threads' workspaces never share one.
inline int64_t cache_lines(int64_t n) { return (n + 15) / 16 * 16; }

// A path: the images it groups, the workspace a thread needs for a group, a group's forward, and
// its backward (dvalues += the group's weight gradient; dx, if not null, overwritten for its images).
struct PathKernels {
  int64_t (*images_per_group)(const Conv2dGeometry& g);
  int64_t (*workspace)(const Conv2dGeometry& g, int64_t count);
  void (*forward)(const Group& group, const float* x, const SparseWeight& w, const float* bias, float* y, float* work);
  void (*backward)(const Group& group, const float* x, const SparseWeight& w, const float* dy, float* dx,
                   float* dvalues, float* work);
};
extern const PathKernels kIm2colPath;  // sparse_conv_im2col.cpp
extern const PathKernels kDirectPath;  // sparse_conv_direct.cpp

}  // namespace sprig::sparse_conv

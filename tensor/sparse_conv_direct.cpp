// The direct path of the sparse convolution (tensor/sparse_conv_paths.h), stride 1. The group's
// images are zero-padded into one buffer per input channel, image after image (plane = Hp * Wp
// floats each). Output o of the padded-width grid (o = i * plane + oy * Wp + ox) reads tap
// (ci, ki, kj) at o + ki * Wp + kj of channel ci's buffer, so a weight's dense row is a shifted
// window: spmm and sddmm take the shifts as row offsets (DenseRows). Columns ox >= OW and rows
// oy >= OH of the grid are computed and dropped; for the gradients they hold zeros.
#include <algorithm>
#include <vector>

#include "tensor/sddmm.h"
#include "tensor/sparse_conv_paths.h"
#include "tensor/spmm.h"

namespace sprig::sparse_conv {

namespace {

struct Padded {
  int64_t Wp, plane;  // padded width, padded image size
  int64_t span;       // one channel of the group: count planes
  int64_t L;          // output grid positions read by the kernels: up to the last image's last output row
  int64_t gap;        // the largest tap shift, (kh - 1) * Wp + kw - 1: zeros before each gradient channel
  int64_t Ls;         // a gradient channel in the wide buffer: gap + span
};

Padded padded(const Group& group) {
  const Conv2dGeometry& g = group.g;
  Padded p;
  p.Wp = g.width + 2 * g.padding;
  p.plane = (g.height + 2 * g.padding) * p.Wp;
  p.span = group.count * p.plane;
  p.L = (group.count - 1) * p.plane + g.out_h() * p.Wp;
  p.gap = (g.kernel_h - 1) * p.Wp + g.kernel_w - 1;
  p.Ls = p.gap + p.span;
  return p;
}

// Where tap t = (ci, ki, kj) of the weight's columns reads the padded input, per channel buffer.
std::vector<int64_t> input_offsets(const Conv2dGeometry& g, const Padded& p) {
  std::vector<int64_t> offsets(g.patch());
  for (int64_t ci = 0; ci < g.in_channels; ++ci)
    for (int64_t ki = 0; ki < g.kernel_h; ++ki)
      for (int64_t kj = 0; kj < g.kernel_w; ++kj)
        offsets[(ci * g.kernel_h + ki) * g.kernel_w + kj] = ci * p.span + ki * p.Wp + kj;
  return offsets;
}

// Where column (co, ki, kj) of the weight regrouped by input channel reads the gradient: output
// channel co's row, shifted back by the tap.
std::vector<int64_t> gradient_offsets(const Conv2dGeometry& g, const Padded& p) {
  std::vector<int64_t> offsets(g.out_channels * g.kernel_h * g.kernel_w);
  for (int64_t co = 0; co < g.out_channels; ++co)
    for (int64_t ki = 0; ki < g.kernel_h; ++ki)
      for (int64_t kj = 0; kj < g.kernel_w; ++kj)
        offsets[(co * g.kernel_h + ki) * g.kernel_w + kj] = co * p.Ls - (ki * p.Wp + kj);
  return offsets;
}

// x -> xp: [C, span] + kw slack (the last tap's window runs kw - 2 floats past the end), zero border
void pad_into(const Group& group, const Padded& p, const float* x, float* xp) {
  const Conv2dGeometry& g = group.g;
  std::fill(xp, xp + g.in_channels * p.span + g.kernel_w, 0.0f);
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t ci = 0; ci < g.in_channels; ++ci)
      for (int64_t y = 0; y < g.height; ++y) {
        const float* row = x + (((group.n0 + i) * g.in_channels + ci) * g.height + y) * g.width;
        std::copy_n(row, g.width, xp + ci * p.span + i * p.plane + (y + g.padding) * p.Wp + g.padding);
      }
}

// The valid outputs of the grid: grid [Cout rows ld apart, positions] <-> t [N, Cout, OH, OW].
template <bool ToGrid>
void copy_outputs(const Group& group, const Padded& p, int64_t ld, const float* from, float* to) {
  const Conv2dGeometry& g = group.g;
  const int64_t OH = g.out_h(), OW = g.out_w();
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t co = 0; co < g.out_channels; ++co)
      for (int64_t oy = 0; oy < OH; ++oy) {
        const int64_t t = (((group.n0 + i) * g.out_channels + co) * OH + oy) * OW;
        const int64_t m = co * ld + i * p.plane + oy * p.Wp;
        if constexpr (ToGrid) std::copy_n(from + t, OW, to + m);
        else std::copy_n(from + m, OW, to + t);
      }
}

// dxp: [C, span] -> dx, the interior of each padded image, overwritten
void crop_into(const Group& group, const Padded& p, const float* dxp, float* dx) {
  const Conv2dGeometry& g = group.g;
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t ci = 0; ci < g.in_channels; ++ci)
      for (int64_t y = 0; y < g.height; ++y)
        std::copy_n(dxp + ci * p.span + i * p.plane + (y + g.padding) * p.Wp + g.padding, g.width,
                    dx + (((group.n0 + i) * g.in_channels + ci) * g.height + y) * g.width);
}

// Workspace: the padded input [C, span] + slack, the wide outputs or gradients [Cout, Ls], and the
// padded input gradient [C, span].
struct Buffers {
  float *xp, *wide, *dxp;
  Buffers(const Conv2dGeometry& g, const Padded& p, float* work)
      : xp(work),
        wide(xp + cache_lines(g.in_channels * p.span + g.kernel_w)),
        dxp(wide + cache_lines(g.out_channels * p.Ls)) {}
};

int64_t images_per_group(const Conv2dGeometry& g) {
  return group_size(g, (g.height + 2 * g.padding) * (g.width + 2 * g.padding), 128);
}

int64_t workspace(const Conv2dGeometry& g, int64_t count) {
  const Padded p = padded(Group{g, 0, count});
  return cache_lines(g.in_channels * p.span + g.kernel_w) + cache_lines(g.out_channels * p.Ls) +
         cache_lines(g.in_channels * p.span);
}

void forward(const Group& group, const float* x, const SparseWeight& w, const float* bias, float* y, float* work) {
  const Padded p = padded(group);
  const Buffers b(group.g, p, work);
  const std::vector<int64_t> taps = input_offsets(group.g, p);
  pad_into(group, p, x, b.xp);
  spmm(w.csr, DenseRows{b.xp, 0, taps.data()}, p.L, bias, b.wide, p.Ls);
  copy_outputs<false>(group, p, p.Ls, b.wide, y);
}

void backward(const Group& group, const float* x, const SparseWeight& w, const float* dy, float* dx, float* dvalues,
              float* work) {
  const Conv2dGeometry& g = group.g;
  const Padded p = padded(group);
  const Buffers b(g, p, work);
  const std::vector<int64_t> taps = input_offsets(g, p);
  pad_into(group, p, x, b.xp);
  std::fill(b.wide, b.wide + g.out_channels * p.Ls, 0.0f);  // the gaps and dropped grid positions
  copy_outputs<true>(group, p, p.Ls, dy, b.wide + p.gap);
  sddmm(w.csr, b.wide + p.gap, p.Ls, DenseRows{b.xp, 0, taps.data()}, p.L, dvalues);  // dW at the pattern
  if (!dx) return;
  const std::vector<int64_t> shifts = gradient_offsets(g, p);
  spmm(w.regrouped(), DenseRows{b.wide + p.gap, 0, shifts.data()}, p.span, nullptr, b.dxp, p.span);
  crop_into(group, p, b.dxp, dx);
}

}  // namespace

const PathKernels kDirectPath = {images_per_group, workspace, forward, backward};

}  // namespace sprig::sparse_conv

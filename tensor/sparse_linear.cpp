#include "tensor/sparse_linear.h"

#include <omp.h>

#include <algorithm>

#include "tensor/layout.h"
#include "tensor/sddmm.h"
#include "tensor/spmm.h"
#include "tensor/strided.h"

namespace sprig {

namespace {

// Whether blocks go to threads of their own: not a single block, whose kernels split their rows
// across the threads themselves, nor blocks of at most kParallelThreshold elements in all (`work`:
// a LeNet's logits), which cost less than a fork.
bool block_per_thread(int64_t blocks, int64_t work) { return blocks > 1 && work > detail::kParallelThreshold; }

// fn(b) for each block, block b on thread b while the team is as large (block_per_thread), else
// in turn. fn must not throw: the callers check shapes before, and the kernels' own checks then hold.
template <typename Fn>
void for_each_block(int64_t blocks, int64_t work, Fn&& fn) {
  if (!block_per_thread(blocks, work)) {
    for (int64_t b = 0; b < blocks; ++b) fn(b);
    return;
  }
#pragma omp parallel
  for (int64_t b = omp_get_thread_num(); b < blocks; b += omp_get_num_threads()) fn(b);
}

// The blocks of a feature-major t: [blocks, F, Nb] holding a batch of N.
BatchBlocks blocks_of(const Tensor& t, int64_t N, const char* op) {
  SPRIG_CHECK(t.dim() == 3 && t.size(0) >= 1 && N >= 0, op, ": expected feature-major [blocks, F, Nb], got ",
              t.shape(), " for a batch of ", N);
  const BatchBlocks blocks{N, t.size(0), t.size(2)};
  SPRIG_CHECK(blocks.examples(blocks.count - 1) <= blocks.width, op, ": ", blocks.count, " blocks of ", blocks.width,
              " columns cannot hold a batch of ", N);  // the last block is the largest
  return blocks;
}

// A feature-major operand of `features` rows per block.
void check_fm(const char* op, const char* what, const Tensor& t, int64_t features, const SparseWeight& w) {
  SPRIG_CHECK(t.dim() == 3 && t.size(0) >= 1 && t.size(1) == features, op, ": feature-major ", what, " ", t.shape(),
              " for weight [", w.csr.rows, ", ", w.csr.cols, "] (expected [blocks, ", features, ", Nb])");
}

// dy: [blocks, rows, n] -> sums: [rows], over the blocks and their columns
void row_sums(const float* dy, int64_t blocks, int64_t rows, int64_t n, float* sums) {
  for (int64_t r = 0; r < rows; ++r) {
    float total = 0.0f;
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t j = 0; j < n; ++j) total += dy[(b * rows + r) * n + j];
    sums[r] = total;
  }
}

// Whether the weight gradient should sum each block on its own thread and add the sums after, or
// have each thread take rows of the pattern across all blocks, reading the other blocks from the
// other cores' caches. The first costs each thread the whole pattern's dot products (the per-entry
// overhead, not their length, dominates: 3.3 ns for 32 columns and 4.3 for 64), the second the
// other blocks' operands. Measured on LeNet-300-100's first layer, batch 60 on 2 threads, with the
// operands fresh from the threads that made them: the two cross near density 0.06 (13.5k entries,
// 12 per feature at 32 columns); at 0.02 the block sums take 25 us against 40, at 0.1 98 against 81.
bool sum_each_block(int64_t nnz, int64_t features, int64_t columns) { return nnz * 32 < 12 * features * columns; }

}  // namespace

BatchBlocks batch_blocks(int64_t N, int64_t most) {
  SPRIG_CHECK(N >= 0 && most >= 0, "batch_blocks: a batch of ", N, " in at most ", most, " blocks");
  if (most == 0) most = omp_in_parallel() ? 1 : omp_get_max_threads();
  BatchBlocks blocks{N, std::clamp<int64_t>(N / 16, 1, most)};
  const int64_t largest = (N + blocks.count - 1) / blocks.count;  // examples in the largest block
  blocks.width = blocks.count == 1 && N < 16 ? N : (largest + 15) / 16 * 16;
  return blocks;
}

// m: [N, F] -> [blocks, F, Nb]
Tensor batch_along_rows(const Tensor& m, int64_t most) {
  SPRIG_CHECK(m.dim() == 2, "batch_along_rows: expected a matrix [N, F], got ", m.shape());
  const int64_t F = m.size(1);
  const BatchBlocks blocks = batch_blocks(m.size(0), most);
  const int64_t Nb = blocks.width;
  Tensor t = Tensor::empty({blocks.count, F, Nb});
  for_each_block(blocks.count, t.numel(), [&](int64_t b) {
    transpose_into(m.data() + blocks.first(b) * F, blocks.examples(b), F, F, t.data() + b * F * Nb, Nb,
                   /*zero_padding=*/true);
  });
  return t;
}

// t: [blocks, F, Nb] -> [N, F]
Tensor batch_along_columns(const Tensor& t, int64_t N) {
  const BatchBlocks blocks = blocks_of(t, N, "batch_along_columns");
  const int64_t F = t.size(1), Nb = blocks.width;
  Tensor m = Tensor::empty({N, F});
  for_each_block(blocks.count, t.numel(), [&](int64_t b) {
    transpose_into(t.data() + b * F * Nb, F, blocks.examples(b), Nb, m.data() + blocks.first(b) * F, F);
  });
  return m;
}

// weight: [out, in], xt: [blocks, in, Nb] -> yt: [blocks, out, Nb], each block W xt (+ bias down each row)
Tensor sparse_linear_fm_forward(SparseWeight& w, const float* weight, const Tensor& xt, const float* bias) {
  check_fm("sparse_linear", "input", xt, w.csr.cols, w);
  const int64_t blocks = xt.size(0), Nb = xt.size(2), in = w.csr.cols, out = w.csr.rows;
  Tensor yt = Tensor::empty({blocks, out, Nb});
  auto multiply = [&](int64_t b) { spmm(w.csr, xt.data() + b * in * Nb, Nb, Nb, bias, yt.data() + b * out * Nb, Nb); };
  if (!block_per_thread(blocks, yt.numel())) {
    w.refresh(weight);
    for (int64_t b = 0; b < blocks; ++b) multiply(b);
    return yt;
  }
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    w.refresh(weight, t, threads);
#pragma omp barrier
    for (int64_t b = t; b < blocks; b += threads) multiply(b);
  }
  return yt;
}

// dyt: [blocks, out, Nb] -> dxt: [blocks, in, Nb], each block W^T dyt
Tensor sparse_linear_fm_input_grad(const SparseWeight& w, const Tensor& dyt) {
  check_fm("sparse_linear backward", "gradient", dyt, w.csr.rows, w);
  const Csr& wt = w.transposed();  // throws here, not in the threads, if stale
  const int64_t blocks = dyt.size(0), Nb = dyt.size(2), in = w.csr.cols, out = w.csr.rows;
  Tensor dxt = Tensor::empty({blocks, in, Nb});
  for_each_block(blocks, dxt.numel(), [&](int64_t b) {
    spmm(wt, dyt.data() + b * out * Nb, Nb, Nb, nullptr, dxt.data() + b * in * Nb, Nb);
  });
  return dxt;
}

// dyt [blocks, out, Nb], xt [blocks, in, Nb] -> dweight [out, in] at the pattern, dbias [out]
void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight,
                               bool overwrite, float* dbias) {
  check_fm("sparse_linear backward", "gradient", dyt, w.csr.rows, w);
  check_fm("sparse_linear backward", "input", xt, w.csr.cols, w);
  SPRIG_CHECK(dyt.size(0) == xt.size(0) && dyt.size(2) == xt.size(2), "sparse_linear backward: gradient ",
              dyt.shape(), " and input ", xt.shape(), " are cut into different blocks");
  const Csr& a = w.csr;
  const int64_t blocks = dyt.size(0), Nb = dyt.size(2), nnz = a.nnz(), in = a.cols, out = a.rows;
  if (!block_per_thread(blocks, dyt.numel()) || !sum_each_block(nnz, in + out, Nb)) {  // straight into the gradients
    if (dweight) sddmm_dense(a, dyt.data(), Nb, xt.data(), Nb, Nb, dweight, in, overwrite, {blocks, out * Nb, in * Nb});
    if (dbias) row_sums(dyt.data(), blocks, out, Nb, dbias);
    return;
  }
  Tensor sums = Tensor::empty({blocks, nnz + out});  // per block: its weight sums, then its bias sums
  const int64_t* p = a.row_ptr.data();
  const int32_t* j = a.col_idx.data();
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    for (int64_t b = t; b < blocks; b += threads) {  // each block's own examples
      float* s = sums.data() + b * (nnz + out);
      const float* dy = dyt.data() + b * out * Nb;
      if (dweight) sddmm(a, dy, Nb, xt.data() + b * in * Nb, Nb, Nb, s, /*overwrite=*/true);
      if (dbias) row_sums(dy, 1, out, Nb, s + nnz);
    }
#pragma omp barrier
    const float* s = sums.data();
    const auto [r0, r1] = csr_row_split(a, t, threads);
    if (dweight)
      for (int64_t r = r0; r < r1; ++r)  // this thread's share of the entries, blocks in order
        for (int64_t k = p[r]; k < p[r + 1]; ++k) {
          float total = overwrite ? 0.0f : dweight[r * in + j[k]];
          for (int64_t b = 0; b < blocks; ++b) total += s[b * (nnz + out) + k];
          dweight[r * in + j[k]] = total;
        }
    if (dbias)
      for (int64_t r = out * t / threads; r < out * (t + 1) / threads; ++r) {
        float total = 0.0f;
        for (int64_t b = 0; b < blocks; ++b) total += s[b * (nnz + out) + nnz + r];
        dbias[r] = total;
      }
  }
}

// x: [N, in] -> y: [N, out]
Tensor sparse_linear_forward(SparseWeight& w, const float* weight, const Tensor& x, const float* bias, Tensor& xt) {
  SPRIG_CHECK(x.dim() == 2 && x.size(1) == w.csr.cols, "sparse_linear: input ", x.shape(), " for weight [", w.csr.rows,
              ", ", w.csr.cols, "]");
  xt = batch_along_rows(x);
  return batch_along_columns(sparse_linear_fm_forward(w, weight, xt, bias), x.size(0));
}

// dyt: [blocks, out, Nb] -> dx: [N, in]
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt, int64_t N) {
  return batch_along_columns(sparse_linear_fm_input_grad(w, dyt), N);
}

}  // namespace sprig

#pragma once
// A linear layer y = x W^T + b with a pruned W held as CSR (tensor/sparse_weight.h), in its three
// products. The kernels want the batch along rows (tensor/spmm.h): activations feature-major
// ("fm"). The batch is cut into blocks of consecutive examples, one block per thread, and each
// block is laid out [features, Nb], its examples padded by columns to whole 16-float vectors so no
// kernel has a ragged end: an fm activation is [blocks, features, Nb]. Each thread transposes,
// multiplies and differentiates its own examples, so activations and their gradients stay in the
// cache of the core that made them. (One [features, batch] matrix split by rows measured twice as
// slow on 2 cores: every product read half its operand from the other core's cache.) Only the
// weight and bias gradients sum over the whole batch: each block sums its examples into a buffer of
// its own, and the threads then add the buffers, each over its share of the rows; or, for a
// pattern dense enough that those sums cost more than the reads, each thread takes its share of
// the rows across all blocks. The same share of a weight's rows is the thread's to refresh before
// the forward and to step in the optimiser. Blocks of a few thousand elements in all (a LeNet's
// logits) run in turn on one thread: cheaper than a fork.
//
// The _fm products take and give that layout, so consecutive sparse layers pass it on without
// transposing (nn::Sequential does); the others transpose on the way in and out. (Writing the
// results transposed from the kernel measured slower than a transpose pass: scattered stores.)
//
// Padding columns: a gradient's are zero (batch_along_rows writes them so, and every product keeps
// zeros there); an activation's hold whatever the bias put there. The weight and bias gradients sum
// over all columns, which is exact because one factor is always a gradient.
#include "tensor/sparse_weight.h"
#include "tensor/tensor.h"

namespace sprig {

// How a batch of N is cut: one block per thread, each of at least 16 examples (one vector), or a
// single block; block b holds examples [first(b), first(b + 1)).
struct BatchBlocks {
  int64_t N = 0;
  int64_t count = 1;  // blocks
  int64_t width = 0;  // Nb: columns per block, N itself for one block of fewer than 16

  int64_t first(int64_t b) const { return N * b / count; }
  int64_t examples(int64_t b) const { return first(b + 1) - first(b); }
};
// At most `most` blocks, or one per thread of the current count for 0.
BatchBlocks batch_blocks(int64_t N, int64_t most = 0);

// m: [N, F] -> [blocks, F, Nb] (batch_blocks(N, most)), zero padding. A gradient coming back into a
// run gives the run's block count as `most`, so it is cut alike whatever the thread count is now.
Tensor batch_along_rows(const Tensor& m, int64_t most = 0);
// t: [blocks, F, Nb] -> [N, F], each block's examples transposed back.
Tensor batch_along_columns(const Tensor& t, int64_t N);

// weight: [out, in] dense, xt: [blocks, in, Nb], bias: [out] or null -> yt: [blocks, out, Nb]. Refreshes
// w from the weight first, each thread the rows whose gradient it sums (sparse_linear_weight_grad)
// and whose update the optimiser gives it (optim/optimizer.h): none of them crosses cores.
Tensor sparse_linear_fm_forward(SparseWeight& w, const float* weight, const Tensor& xt, const float* bias);
// dyt: [blocks, out, Nb] -> dxt: [blocks, in, Nb]; w's transposes must be current (refresh_transposes)
Tensor sparse_linear_fm_input_grad(const SparseWeight& w, const Tensor& dyt);
// dyt [blocks, out, Nb], xt [blocks, in, Nb] -> dweight: [out, in], += dy^T x at the pattern only
// (= with overwrite), and dbias: [out] = the sums of dy, each skipped if null.
void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight,
                               bool overwrite, float* dbias = nullptr);

// The same in the batch-major layout. x: [N, in], bias: [out] or null -> y: [N, out]; xt:
// batch_along_rows(x), kept for the weight gradient.
Tensor sparse_linear_forward(SparseWeight& w, const float* weight, const Tensor& x, const float* bias, Tensor& xt);
// dyt: batch_along_rows(dy) -> dx: [N, in]
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt, int64_t N);

}  // namespace sprig

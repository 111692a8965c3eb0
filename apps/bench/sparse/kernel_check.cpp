#include "kernel_check.h"

#include <cstdio>

#include "tensor/generator.h"
#include "tensor/runtime.h"
#include "tensor/sddmm.h"
#include "tensor/spmm.h"

namespace sprig::bench {

cli::Json check_kernel_vectorisation(const TimingPlan& plan) {
  const int threads = num_threads();
  set_num_threads(1);
  const int64_t rows = 300, cols = 784, n = 60;
  Generator gen(4);
  Tensor mask = Tensor::empty({rows, cols});
  for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform() < 0.1f ? 1.0f : 0.0f;
  const Csr a = csr_from_dense(normal({rows, cols}, gen), mask);
  const Tensor b = normal({cols, n}, gen), dy = normal({rows, n}, gen);
  Tensor c = Tensor::empty({rows, n}), out = Tensor::zeros({a.nnz()});
  const double flops = 2.0 * double(a.nnz()) * double(n);
  auto gflops = [&](auto&& fn) { return flops / measure(plan, fn).median * 1e-9; };
  cli::Json result = {
      {"shape", "300x784 density 0.1 batch 60, 1 thread"},
      {"spmm_gflops", gflops([&] { spmm(a, b.data(), n, n, nullptr, c.data(), n); })},
      {"spmm_reference_gflops", gflops([&] { spmm_reference(a, b.data(), n, n, nullptr, c.data(), n); })},
      {"sddmm_gflops", gflops([&] { sddmm(a, dy.data(), n, b.data(), n, n, out.data()); })},
      {"sddmm_reference_gflops", gflops([&] { sddmm_reference(a, dy.data(), n, b.data(), n, n, out.data()); })}};
  set_num_threads(threads);
  std::printf("vectorisation (%s): spmm %.1f GFLOP/s vs plain loop %.1f (%.1fx); sddmm %.1f vs %.1f (%.1fx)\n",
              result["shape"].get<std::string>().c_str(), result["spmm_gflops"].get<double>(),
              result["spmm_reference_gflops"].get<double>(),
              result["spmm_gflops"].get<double>() / result["spmm_reference_gflops"].get<double>(),
              result["sddmm_gflops"].get<double>(), result["sddmm_reference_gflops"].get<double>(),
              result["sddmm_gflops"].get<double>() / result["sddmm_reference_gflops"].get<double>());
  return result;
}

}  // namespace sprig::bench

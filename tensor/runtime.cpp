#include "tensor/runtime.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <ostream>

#include "tensor/error.h"

namespace sprig {

void set_num_threads(int threads) {
  SPRIG_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got ", threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

namespace {
// OpenBLAS kernel sets that predate AVX2: on a CPU with AVX2 they are a fallback, 4-7x slower.
bool is_pre_avx2_core(const std::string& core) {
  static const std::array<const char*, 12> old = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                                  "Atom", "Katmai", "Northwood", "Banias", "Opteron",
                                                  "Barcelona", "Sandybridge"};
  return std::any_of(old.begin(), old.end(), [&](const char* name) { return core == name; });
}
}  // namespace

BlasInfo blas_info() {
  BlasInfo info;
  info.config = openblas_get_config();
  info.core = openblas_get_corename();
  info.threads = openblas_get_num_threads();
  info.parallel_openmp = openblas_get_parallel() == 2;  // 0 sequential, 1 pthreads, 2 OpenMP
  __builtin_cpu_init();
  info.cpu_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  info.cpu_avx512 = __builtin_cpu_supports("avx512f");
  info.fallback_core = info.cpu_avx2 && is_pre_avx2_core(info.core);
  if (info.fallback_core)
    info.advice = std::string("OpenBLAS does not know this CPU and runs its '") + info.core +
                  "' kernels; set OPENBLAS_CORETYPE=" + (info.cpu_avx512 ? "SkylakeX" : "Haswell") +
                  " in the environment for several times faster GEMM";
  return info;
}

void print_blas_info(std::ostream& out) {
  const BlasInfo info = blas_info();
  out << "BLAS: " << info.config << " | core " << info.core << " | " << info.threads << " thread(s), "
      << (info.parallel_openmp ? "OpenMP pool" : "own thread pool") << " | CPU "
      << (info.cpu_avx512 ? "AVX-512" : info.cpu_avx2 ? "AVX2" : "pre-AVX2") << "\n";
  if (info.fallback_core) out << "warning: " << info.advice << "\n";
}

}  // namespace sprig

#pragma once
// One thread pool for the whole process: OpenMP's. OpenBLAS is linked in its OpenMP flavour, so its
// GEMM threads are OpenMP's threads and the two never oversubscribe the cores.
#include <cstdint>
#include <iosfwd>
#include <string>

namespace sprig {

// Loops whose every access is a likely cache miss (the scattered live entries of a pruned weight)
// pay for a second thread from this many accesses on: each thread waits for its own misses.
constexpr int64_t kParallelScatteredFrom = 1 << 12;

void set_num_threads(int threads);  // sets OpenMP and OpenBLAS together; threads >= 1
int num_threads();

struct BlasInfo {
  std::string config;      // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"
  std::string core;        // the kernel set OpenBLAS chose for this CPU, e.g. "SkylakeX"
  int threads = 1;         // openblas_get_num_threads()
  bool parallel_openmp = false;  // OpenBLAS built on OpenMP (shares our pool)
  bool cpu_avx2 = false;
  bool cpu_avx512 = false;
  bool fallback_core = false;    // the CPU has AVX2/AVX-512 but OpenBLAS runs pre-AVX2 kernels
  std::string advice;            // how to fix a fallback core, empty otherwise
};

BlasInfo blas_info();
// One line on the BLAS in use; a second, a warning naming the fix, when it runs fallback kernels.
// Apps call it once at start-up.
void print_blas_info(std::ostream& out);

}  // namespace sprig

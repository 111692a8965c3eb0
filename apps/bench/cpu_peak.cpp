#include "cpu_peak.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

namespace sprig::bench {

namespace {

struct CpuInfo {
  std::string vendor;
  int family = 0;
  double mhz = 0;  // the highest "cpu MHz" of any logical CPU
  int cores = 0;   // distinct (physical id, core id) pairs: SMT siblings share FMA units
};

std::string field_value(const std::string& line) {
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return "";
  const size_t start = line.find_first_not_of(" \t", colon + 1);
  return start == std::string::npos ? "" : line.substr(start);
}

CpuInfo read_cpuinfo() {
  CpuInfo info;
  std::ifstream in("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical_id;
  while (std::getline(in, line)) {
    const std::string key = line.substr(0, line.find_first_of("\t:"));
    const std::string value = field_value(line);
    if (key == "vendor_id") info.vendor = value;
    if (key == "cpu family") info.family = std::atoi(value.c_str());
    if (key == "cpu MHz") info.mhz = std::max(info.mhz, std::atof(value.c_str()));
    if (key == "physical id") physical_id = value;
    if (key == "core id") cores.insert({physical_id, value});
  }
  // Without topology lines (some VMs), count logical CPUs.
  info.cores = cores.empty() ? static_cast<int>(std::thread::hardware_concurrency()) : static_cast<int>(cores.size());
  return info;
}

// fp32 FLOPs per cycle per core: two FMA pipes x vector lanes x 2.
std::pair<int, std::string> flops_per_cycle(const CpuInfo& cpu) {
  __builtin_cpu_init();
  const bool amd = cpu.vendor == "AuthenticAMD";
  if (__builtin_cpu_supports("avx512f")) {
    if (amd && cpu.family <= 0x19)
      return {32, "AVX-512 on AMD Zen 4: 512-bit ops run as two halves on 2 x 256-bit FMA pipes"};
    return {64, "AVX-512, assuming 2 x 512-bit FMA pipes (some parts have one)"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {32, "AVX2 + FMA, 2 x 256-bit FMA pipes"};
  if (__builtin_cpu_supports("avx")) return {16, "AVX without FMA: 256-bit add + multiply"};
  return {8, "SSE: 128-bit add + multiply"};
}

// Seconds of CPU this thread has run: time spent descheduled on a busy machine does not count.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// A chain of dependent integer adds retires one add per cycle on every x86 core since the P6, so
// adds per CPU-second is the clock the core runs at now, turbo included. Best of a few ~20 ms runs.
double measure_ghz() {
#if defined(__x86_64__)
  constexpr int64_t iterations = 2'000'000, adds_per_iteration = 32;
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    uint64_t value = 0;
    const double start = thread_cpu_seconds();
    for (int64_t i = 0; i < iterations; ++i) __asm__ __volatile__(".rept 32\n\tadd $1, %0\n\t.endr" : "+r"(value));
    const double elapsed = thread_cpu_seconds() - start;
    if (elapsed > 0) best = std::max(best, iterations * adds_per_iteration / elapsed * 1e-9);
  }
  return best;
#else
  return 0;
#endif
}

}  // namespace

PeakEstimate estimate_peak(int threads) {
  const CpuInfo cpu = read_cpuinfo();
  PeakEstimate peak;
  peak.nominal_ghz = cpu.mhz / 1000.0;
  const double measured = measure_ghz();
  peak.measured_clock = measured > 0;
  peak.ghz = peak.measured_clock ? measured : peak.nominal_ghz;
  if (peak.ghz <= 0 || cpu.cores <= 0) return peak;
  peak.known = true;
  peak.cores = std::min(threads, cpu.cores);
  std::tie(peak.flops_per_cycle, peak.basis) = flops_per_cycle(cpu);
  return peak;
}

}  // namespace sprig::bench

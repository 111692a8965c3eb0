#pragma once
// A stated theoretical fp32 peak: cores x clock x FLOPs per cycle for the detected ISA. It is an
// estimate: the clock is measured on one busy core (boost with both cores busy may be lower), or,
// off x86, taken from /proc/cpuinfo, which under a hypervisor shows the nominal clock.
#include <string>

namespace sprig::bench {

struct PeakEstimate {
  bool known = false;       // false when neither a measurement nor /proc/cpuinfo gives a clock
  int cores = 0;            // physical cores the threads can use: min(threads, cores present)
  double ghz = 0;            // measured if possible, else nominal
  double nominal_ghz = 0;    // "cpu MHz" in /proc/cpuinfo
  bool measured_clock = false;
  int flops_per_cycle = 0;  // fp32 FLOPs per core per cycle (an FMA counts two)
  std::string basis;        // which ISA and FMA units the figure assumes
  double gflops() const { return cores * ghz * flops_per_cycle; }
};

PeakEstimate estimate_peak(int threads);

}  // namespace sprig::bench

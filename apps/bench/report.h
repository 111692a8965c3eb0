#pragma once
// Benchmark results: one row per timed call, printed as a table and written as JSON.
#include <iosfwd>
#include <string>
#include <vector>

#include "cpu_peak.h"
#include "tensor/runtime.h"

namespace sprig::bench {

struct Row {
  std::string name;   // what the training step does, e.g. "lenet b60 fc 784->300 fwd"
  std::string shape;  // the call's sizes
  double flops = 0;   // per call
  double seconds = 0; // median per call
  double torch_seconds = 0;  // PyTorch's median for the same call (apps/bench/torch_twin.py); 0: not measured
  double gflops() const { return seconds > 0 ? flops / seconds * 1e-9 : 0; }
  double torch_gflops() const { return torch_seconds > 0 ? flops / torch_seconds * 1e-9 : 0; }
  double speed_ratio() const { return seconds > 0 && torch_seconds > 0 ? torch_seconds / seconds : 0; }  // sprig / torch
};

struct Report {
  BlasInfo blas;
  int threads = 1;
  double min_time = 0;
  bool quick = false;
  std::string filter;
  int64_t ceiling_n = 0;        // the square sgemm that measures the ceiling
  double ceiling_gflops = 0;    // its best GFLOP/s
  PeakEstimate peak;
  std::vector<Row> rows;
  double share_of_ceiling(const Row& row) const { return ceiling_gflops > 0 ? row.gflops() / ceiling_gflops : 0; }
};

void print_header(std::ostream& out, const Report& report);
// The table is printed a row at a time, as rows are measured.
void print_table_header(std::ostream& out);
void print_row(std::ostream& out, const Report& report, const Row& row);
// Writes FILE.tmp, then renames it to FILE, so a reader never sees half a file; throws on failure.
void write_json(const std::string& path, const Report& report);

}  // namespace sprig::bench

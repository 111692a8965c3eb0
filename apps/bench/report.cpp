#include "report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "tensor/error.h"

namespace sprig::bench {

namespace {

std::string format(const char* fmt, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, fmt, value);
  return buffer;
}

nlohmann::json peak_json(const PeakEstimate& peak) {
  if (!peak.known) return nullptr;
  return {{"gflops", peak.gflops()},
          {"cores", peak.cores},
          {"ghz", peak.ghz},
          {"clock_measured", peak.measured_clock},
          {"nominal_ghz", peak.nominal_ghz},
          {"flops_per_cycle", peak.flops_per_cycle},
          {"basis", peak.basis},
          {"estimate", true}};
}

}  // namespace

void print_header(std::ostream& out, const Report& report) {
  out << "threads: " << report.threads << (report.quick ? " (quick: smoke run, numbers are not measurements)" : "")
      << "\n";
  out << "sgemm ceiling: " << format("%.1f", report.ceiling_gflops) << " GFLOP/s (best of square sgemm "
      << report.ceiling_n << "^3 on " << report.threads << " threads)\n";
  const PeakEstimate& peak = report.peak;
  if (!peak.known) {
    out << "theoretical peak: unknown (no clock measured or in /proc/cpuinfo)\n";
    return;
  }
  out << "theoretical peak (estimate): " << peak.cores << " cores x " << format("%.2f", peak.ghz) << " GHz ("
      << (peak.measured_clock ? "measured, nominal " + format("%.2f", peak.nominal_ghz) : std::string("nominal"))
      << ") x "
      << peak.flops_per_cycle << " FLOP/cycle = " << format("%.1f", peak.gflops()) << " GFLOP/s [" << peak.basis
      << "]; the ceiling is " << format("%.0f", 100 * report.ceiling_gflops / peak.gflops()) << "% of it\n";
}

void print_table_header(std::ostream& out) {
  char line[160];
  std::snprintf(line, sizeof line, "%-36s %-38s %9s %10s %9s %8s %9s %6s\n", "name", "shape", "MFLOP", "ms", "GFLOP/s",
                "ceiling", "torch", "ratio");
  out << line;
}

void print_row(std::ostream& out, const Report& report, const Row& row) {
  char line[256];
  std::snprintf(line, sizeof line, "%-36s %-38s %9.1f %10.4f %9.1f %7.0f%%", row.name.c_str(), row.shape.c_str(),
                row.flops * 1e-6, row.seconds * 1e3, row.gflops(), 100 * report.share_of_ceiling(row));
  out << line;
  if (row.torch_seconds > 0) {
    std::snprintf(line, sizeof line, " %9.1f %5.2fx", row.torch_gflops(), row.speed_ratio());
    out << line;
  }
  out << "\n" << std::flush;
}

void write_json(const std::string& path, const Report& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& row : report.rows)
    rows.push_back({{"name", row.name},
                    {"shape", row.shape},
                    {"flops", row.flops},
                    {"ms", row.seconds * 1e3},
                    {"gflops", row.gflops()},
                    {"share_of_ceiling", report.share_of_ceiling(row)},
                    {"torch_ms", row.torch_seconds > 0 ? nlohmann::json(row.torch_seconds * 1e3) : nullptr},
                    {"ratio_vs_torch", row.torch_seconds > 0 ? nlohmann::json(row.speed_ratio()) : nullptr}});
  const BlasInfo& blas = report.blas;
  const nlohmann::json doc = {
      {"blas",
       {{"config", blas.config}, {"core", blas.core}, {"threads", blas.threads},
        {"parallel_openmp", blas.parallel_openmp}, {"fallback_core", blas.fallback_core}}},
      {"threads", report.threads},
      {"min_time", report.min_time},
      {"quick", report.quick},
      {"filter", report.filter},
      {"ceiling", {{"n", report.ceiling_n}, {"gflops", report.ceiling_gflops}}},
      {"theoretical_peak", peak_json(report.peak)},
      {"rows", rows}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    SPRIG_CHECK(out, "--json: cannot write ", tmp);
    out << doc.dump(2) << "\n";
    SPRIG_CHECK(out.flush(), "--json: writing ", tmp, " failed");
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  SPRIG_CHECK(!error, "--json: cannot rename ", tmp, " to ", path, ": ", error.message());
}

}  // namespace sprig::bench

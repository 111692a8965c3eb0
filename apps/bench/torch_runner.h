#pragma once
// Runs the PyTorch twin (apps/bench/torch_twin.py) from a benchmark, so its ratios come from one run:
// torch on the benchmark's threads and OpenBLAS on 1 (its best setting; see the script).
#include <nlohmann/json.hpp>
#include <string>

namespace sprig::bench {

// `python torch_twin.py MODE --threads N --min-time S ARGS --json TMP`; returns the "results" of the
// JSON it writes, or null after a warning on stderr when it cannot run (no torch, say).
nlohmann::json run_torch_twin(const std::string& python, const std::string& mode, int64_t threads, double min_time,
                              const std::string& args = "");

}  // namespace sprig::bench

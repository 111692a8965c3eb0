#include "nn/masked_weight.h"

#include "autograd/arithmetic.h"

namespace sprig::nn {

// Break-even densities, the whole layer's forward + backward on CSR against dense kernels, measured
// on this 2-core AMD EPYC (Zen 4, AVX-512; OpenBLAS 0.3.21 Cooperlake kernels) with
//   OMP_WAIT_POLICY=passive build/bin/bench_sparse --threads 2 --min_time 0.1
// Linear: 0.40 (300x784, batch 60), 0.42 (batch 128), 0.51 (100x300), 0.41 (1024x1024), 0.24
// (4096x4096). Conv2d: 0.36-0.73 over ResNet-20's and VGG-16's 3x3 layers, above 1 for ResNet-20's
// 16 -> 16 (the direct path beats its dense GEMMs even unpruned). Near the break-even the two
// kernels cost about the same, so one value per layer type serves.
const double kLinearBreakEven = 0.4;
const double kConvBreakEven = 0.45;

void check_kernel_option(const std::string& kernel, const std::string& layer) {
  SPRIG_CHECK(kernel == "auto" || kernel == "dense" || kernel == "sparse", layer, ": kernel must be auto, dense or ",
              "sparse, got '", kernel, "'");
}

namespace {
void collect_sparse(const Module& module, const std::string& name, std::vector<std::string>& out) {
  if (module.uses_sparse_kernel()) out.push_back(name);
  for (const auto& [child_name, child] : module.children())
    collect_sparse(*child, name.empty() ? child_name : name + "." + child_name, out);
}
}  // namespace

std::vector<std::string> sparse_kernel_layers(const Module& model) {
  std::vector<std::string> names;
  collect_sparse(model, "", names);
  return names;
}

MaskedWeight::MaskedWeight(Parameter& weight, std::string kernel, double break_even, int64_t rows, int64_t cols,
                           int64_t taps)
    : weight_(weight),
      kernel_(std::move(kernel)),
      break_even_(break_even),
      rows_(rows),
      cols_(cols),
      taps_(taps) {
  SPRIG_CHECK(rows * cols == weight.value().numel(), "MaskedWeight: [", rows, ", ", cols, "] does not fit weight ",
              weight.value().shape());
}

void MaskedWeight::update() const {
  if (seen_version_ == weight_.mask_version) return;
  seen_version_ = weight_.mask_version;
  density_ = 1.0;
  if (!weight_.mask.defined() || weight_.mask.numel() == 0) return;
  const float* m = weight_.mask.data();
  int64_t kept = 0;
  for (int64_t i = 0; i < weight_.mask.numel(); ++i) kept += m[i] != 0.0f;
  density_ = double(kept) / double(weight_.mask.numel());
}

double MaskedWeight::density() const {
  update();
  return density_;
}

bool MaskedWeight::sparse() const {
  if (kernel_ != "auto") return kernel_ == "sparse";
  return weight_.mask.defined() && density() < break_even_;
}

Variable MaskedWeight::dense() const {
  if (!weight_.mask.defined()) return weight_.variable;
  return mul(weight_.variable, Variable(weight_.mask));
}

const std::shared_ptr<SparseWeight>& MaskedWeight::pattern() {
  if (!pattern_ || pattern_version_ != weight_.mask_version) {
    const Tensor mask = weight_.mask.defined() ? weight_.mask : Tensor::ones(weight_.value().shape());
    pattern_ = std::make_shared<SparseWeight>(mask.data(), rows_, cols_, taps_);
    pattern_version_ = weight_.mask_version;
  }
  return pattern_;
}

}  // namespace sprig::nn

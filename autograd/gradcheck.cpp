#include "autograd/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "tensor/generator.h"

namespace sprig {

namespace {

// L = sum(f() * cotangent), in double.
double objective(const std::function<Variable()>& f, const Tensor& cotangent) {
  NoGradGuard no_grad;
  const Tensor out = f().value();
  SPRIG_CHECK(out.shape() == cotangent.shape(), "gradcheck: output shape changed from ", cotangent.shape(), " to ",
              out.shape());
  double total = 0.0;
  for (int64_t i = 0; i < out.numel(); ++i) total += double(out.data()[i]) * cotangent.data()[i];
  return total;
}

std::vector<int64_t> entries_to_check(int64_t numel, int64_t limit, Generator& gen) {
  std::vector<int64_t> all(numel);
  std::iota(all.begin(), all.end(), 0);
  if (numel <= limit) return all;
  for (int64_t i = 0; i < limit; ++i) std::swap(all[i], all[i + gen.integer(numel - i)]);  // partial shuffle
  all.resize(limit);
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

GradcheckResult gradcheck_leaves(const std::function<Variable()>& f, const std::vector<Variable>& leaves,
                                 const GradcheckOptions& options) {
  Generator gen(options.seed);
  Variable out = f();
  const Tensor cotangent = normal(out.shape(), gen);
  out.backward(cotangent);

  GradcheckResult result;
  std::ostringstream report;
  int mismatches = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    Variable leaf = leaves[i];
    SPRIG_CHECK(leaf.requires_grad(), "gradcheck: leaf ", i, " ", leaf.name(), " does not require a gradient");
    const Tensor analytic = leaf.grad().defined() ? leaf.grad().clone() : Tensor::zeros(leaf.shape());
    Tensor& x = leaf.value();
    for (int64_t j : entries_to_check(x.numel(), options.max_checks_per_input, gen)) {
      const float original = x.data()[j];
      x.data()[j] = static_cast<float>(original + options.eps);
      const double plus = objective(f, cotangent);
      x.data()[j] = static_cast<float>(original - options.eps);
      const double minus = objective(f, cotangent);
      x.data()[j] = original;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double error = std::abs(analytic.data()[j] - numeric) - options.rtol * std::abs(numeric);
      result.worst_error = std::max(result.worst_error, error);
      if (error > options.atol) {
        result.ok = false;
        if (mismatches++ < 8)
          report << "leaf " << i << (leaf.name().empty() ? "" : " '" + leaf.name() + "'") << " " << x.shape()
                 << " entry " << j << ": backward " << analytic.data()[j] << ", finite difference " << numeric << "\n";
      }
    }
  }
  if (mismatches > 8) report << "... " << mismatches - 8 << " more mismatches\n";
  result.report = report.str();
  return result;
}

GradcheckResult gradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options, const std::vector<bool>& wrt) {
  SPRIG_CHECK(wrt.empty() || wrt.size() == inputs.size(), "gradcheck: wrt has ", wrt.size(), " flags for ",
              inputs.size(), " inputs");
  std::vector<Variable> vars, leaves;
  for (size_t i = 0; i < inputs.size(); ++i) {
    vars.emplace_back(inputs[i].clone(), wrt.empty() || wrt[i]);
    if (vars.back().requires_grad()) leaves.push_back(vars.back());
  }
  return gradcheck_leaves([&] { return f(vars); }, leaves, options);
}

}  // namespace sprig

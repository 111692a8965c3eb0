#include "nn/supermask.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autograd/supermask.h"
#include "nn/init.h"
#include "tensor/top_k.h"

namespace sprig::nn {

void check_options(const SupermaskOptions& o) {
  supermask_keep(1, o.k);  // throws for k outside (0, 100]
  SPRIG_CHECK(o.weight_init == "signed_constant" || o.weight_init == "kaiming_normal" || o.weight_init == "model",
              "supermask: weight_init must be signed_constant, kaiming_normal or model, not '", o.weight_init, "'");
}

namespace {

int64_t fan_in(const Tensor& weight) { return weight.numel() / weight.size(0); }  // [out, in, ...]

// The frozen weight, drawn afresh unless weight_init is "model".
void draw_weight(Tensor& w, const SupermaskOptions& o, Generator& gen) {
  if (o.weight_init == "model") return;
  const double fan = double(fan_in(w)) * (o.scale_fan ? o.k / 100.0 : 1.0);
  const auto scale = float(std::sqrt(2.0 / fan));
  float* p = w.data();
  for (int64_t i = 0; i < w.numel(); ++i)
    p[i] = o.weight_init == "kaiming_normal" ? scale * gen.normal() : (gen.uniform() < 0.5f ? -scale : scale);
}

std::string score_name(std::string weight_name) {  // parameter names hold no '.'
  std::replace(weight_name.begin(), weight_name.end(), '.', '_');
  return weight_name;
}

// While alive, each scored weight's Variable is the masked product; the frozen weights come back after.
class MaskedWeights {
 public:
  explicit MaskedWeights(const std::vector<Supermask::Scored>& scored) : scored_(scored) {
    std::vector<Variable> masked;  // all made before any is swapped in, so a throw leaves nothing to undo
    masked.reserve(scored.size());
    for (const Supermask::Scored& s : scored)
      masked.push_back(supermask_weight(s.weight->variable, s.score->variable, s.keep));
    frozen_.reserve(scored.size());
    for (size_t i = 0; i < scored.size(); ++i) {
      frozen_.push_back(scored[i].weight->variable);
      scored[i].weight->variable = masked[i];
    }
  }
  ~MaskedWeights() {
    for (size_t i = 0; i < frozen_.size(); ++i) scored_[i].weight->variable = frozen_[i];
  }
  MaskedWeights(const MaskedWeights&) = delete;
  MaskedWeights& operator=(const MaskedWeights&) = delete;

 private:
  const std::vector<Supermask::Scored>& scored_;
  std::vector<Variable> frozen_;
};

}  // namespace

Supermask::Supermask(ModulePtr model, const SupermaskOptions& options, Generator& gen)
    : model_(std::move(model)), options_(options) {
  SPRIG_CHECK(model_ != nullptr, "Supermask: no model");
  check_options(options);
  for (auto& [name, param] : model_->named_parameters()) {
    Tensor& value = param->value();
    if (param->prunable) {
      draw_weight(value, options, gen);
      Tensor score = Tensor::empty(value.shape());
      torch_default_(score, fan_in(value), gen);
      Parameter& s = register_parameter(score_name(name), score, /*prunable=*/false);
      scored_.push_back({name, param, &s, supermask_keep(value.numel(), options.k)});
    } else if (name == "bias" || name.ends_with(".bias")) {
      value.fill_(0.0f);
    }
    param->variable.set_requires_grad(false);
  }
  SPRIG_CHECK(!scored_.empty(), "Supermask: the model has no prunable weight to score");
}

Variable Supermask::forward(const Variable& input) {
  model_->train(training());
  const MaskedWeights masked(scored_);
  return (*model_)(input);
}

std::string Supermask::describe() const {
  int64_t scores = 0;
  for (const Scored& s : scored_) scores += s.score->value().numel();
  char text[160];
  std::snprintf(text, sizeof text, "%g%% of %lld weights in %zu layers, %s", options_.k, static_cast<long long>(scores),
                scored_.size(), options_.weight_init.c_str());
  return text;
}

std::map<std::string, Tensor> Supermask::masks() const {
  std::map<std::string, Tensor> out;
  for (const Scored& s : scored_) out[s.name] = top_k_abs_mask(s.score->value(), s.keep);
  return out;
}

}  // namespace sprig::nn

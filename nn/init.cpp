#include "nn/init.h"

#include <cmath>

namespace sprig::nn {

namespace {
void fill_normal(Tensor& t, double stddev, Generator& gen) {
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(stddev) * gen.normal();
}
void fill_uniform(Tensor& t, double bound, Generator& gen) {
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(bound * (2.0 * gen.uniform_double() - 1.0));
}
void check_fan(int64_t fan, const char* scheme) {
  SPRIG_CHECK(fan > 0, scheme, ": fan must be positive, got ", fan);
}
}  // namespace

void kaiming_normal_(Tensor& t, int64_t fan_in, Generator& gen) {
  check_fan(fan_in, "kaiming_normal");
  fill_normal(t, std::sqrt(2.0 / fan_in), gen);
}
void kaiming_uniform_(Tensor& t, int64_t fan_in, Generator& gen) {
  check_fan(fan_in, "kaiming_uniform");
  fill_uniform(t, std::sqrt(6.0 / fan_in), gen);
}
void glorot_normal_(Tensor& t, int64_t fan_in, int64_t fan_out, Generator& gen) {
  check_fan(fan_in + fan_out, "glorot_normal");
  fill_normal(t, std::sqrt(2.0 / double(fan_in + fan_out)), gen);
}
void glorot_uniform_(Tensor& t, int64_t fan_in, int64_t fan_out, Generator& gen) {
  check_fan(fan_in + fan_out, "glorot_uniform");
  fill_uniform(t, std::sqrt(6.0 / double(fan_in + fan_out)), gen);
}
void torch_default_(Tensor& t, int64_t fan_in, Generator& gen) {
  check_fan(fan_in, "torch_default");
  fill_uniform(t, 1.0 / std::sqrt(double(fan_in)), gen);
}

namespace {
const char* const kSchemes[] = {"kaiming_normal", "kaiming_uniform", "glorot_normal", "glorot_uniform",
                                "torch_default", "zeros", "ones"};
}

bool is_init_scheme(const std::string& scheme) {
  for (const char* known : kSchemes)
    if (scheme == known) return true;
  return false;
}

void initialize(Tensor& t, const std::string& scheme, int64_t fan_in, int64_t fan_out, Generator& gen) {
  if (scheme == "kaiming_normal") return kaiming_normal_(t, fan_in, gen);
  if (scheme == "kaiming_uniform") return kaiming_uniform_(t, fan_in, gen);
  if (scheme == "glorot_normal") return glorot_normal_(t, fan_in, fan_out, gen);
  if (scheme == "glorot_uniform") return glorot_uniform_(t, fan_in, fan_out, gen);
  if (scheme == "torch_default") return torch_default_(t, fan_in, gen);
  if (scheme == "zeros") return t.fill_(0.0f);
  if (scheme == "ones") return t.fill_(1.0f);
  std::string known;
  for (const char* name : kSchemes) known += std::string(known.empty() ? "" : ", ") + name;
  throw Error("initialize: unknown scheme '" + scheme + "' (known: " + known + ")");
}

}  // namespace sprig::nn

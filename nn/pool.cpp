#include "nn/pool.h"

#include "autograd/pool.h"

namespace sprig::nn {

namespace {
std::string describe_pool(const Pool2dOptions& o) {
  return std::to_string(o.kernel_size) + "x" + std::to_string(o.kernel_size) +
         (o.stride ? ", stride " + std::to_string(o.stride) : "") +
         (o.padding ? ", pad " + std::to_string(o.padding) : "");
}
}  // namespace

Variable MaxPool2d::forward(const Variable& input) {
  return maxpool2d(input, options_.kernel_size, options_.stride, options_.padding);
}
std::string MaxPool2d::describe() const { return describe_pool(options_); }

Variable AvgPool2d::forward(const Variable& input) {
  return avgpool2d(input, options_.kernel_size, options_.stride, options_.padding);
}
std::string AvgPool2d::describe() const { return describe_pool(options_); }

Variable GlobalAvgPool2d::forward(const Variable& input) { return global_avgpool2d(input); }

}  // namespace sprig::nn

// Channel pruning (prune/channel.h) and its training-time halves (prune/slimming.h).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "autograd/variable.h"
#include "nn/parameter_set.h"
#include "nn/summary.h"
#include "nn/zoo.h"
#include "optim/checkpoint.h"
#include "optim/sgd.h"
#include "prune/channel.h"
#include "prune/slimming.h"

using namespace sprig;

namespace {

nn::ModelOptions small(const std::string& name, double width) {
  nn::ModelOptions o;
  o.name = name;
  o.input = {3, 16, 16};
  o.width = width;
  o.init = "kaiming_normal";
  return o;
}

// BatchNorm as after training: scales of both signs and various sizes, shifts and statistics away from
// their defaults, so a surgery that mixed up channels would show.
void randomize_norms(nn::Module& model, Generator& gen) {
  for (auto& [name, parameter] : model.named_parameters()) {
    if (parameter->prunable || parameter->value().dim() != 1) continue;
    for (int64_t i = 0; i < parameter->value().numel(); ++i) parameter->value().data()[i] = gen.normal();
  }
  for (auto& [name, buffer] : model.named_buffers())
    for (int64_t i = 0; i < buffer->numel(); ++i)
      buffer->data()[i] = name.find("var") != std::string::npos ? 0.5f + gen.uniform() : 0.3f * gen.normal();
}

Tensor images(int64_t n, Generator& gen) {
  Tensor x = Tensor::empty({n, 3, 16, 16});
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = gen.normal();
  return x;
}

float max_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float d = 0.0f;
  for (int64_t i = 0; i < a.numel(); ++i) d = std::max(d, std::fabs(a.data()[i] - b.data()[i]));
  return d;
}

}  // namespace

TEST_CASE("channel groups: a chain has one per convolution, a ResNet one per block, with their readers") {
  Generator gen(1);
  nn::ModulePtr vgg = nn::make_model(small("vgg11", 0.25), gen);
  const auto v = prune::channel_groups(*vgg);
  REQUIRE(v.size() == 8);
  CHECK(v[0].conv == "features.0");
  CHECK(v[0].norm == "features.1");
  CHECK(v[0].consumer == "features.4");  // after ReLU and max pooling
  CHECK(v.back().consumer == "classifier");
  CHECK(v.back().features_per_channel == 1);  // global average pooling

  nn::ModulePtr conv2 = nn::make_model(small("conv2", 0.25), gen);
  const auto c = prune::channel_groups(*conv2);
  REQUIRE(c.size() == 2);
  CHECK(c[0].norm.empty());
  CHECK(c[1].consumer == "classifier.0");
  CHECK(c[1].features_per_channel == 8 * 8);  // flattened after one 2x2 pooling of 16x16

  nn::ModulePtr resnet = nn::make_model(small("resnet20", 0.5), gen);
  const auto r = prune::channel_groups(*resnet);
  REQUIRE(r.size() == 9);
  CHECK(r[0].conv == "layer1.0.conv1");
  CHECK(r[0].norm == "layer1.0.bn1");
  CHECK(r[0].consumer == "layer1.0.conv2");
}

TEST_CASE("channel surgery is exact: the smaller model computes what the silenced original computes") {
  for (const auto& [name, width] : std::vector<std::pair<std::string, double>>{
           {"vgg11", 0.25}, {"resnet20", 0.5}, {"conv2", 0.25}, {"conv4", 0.125}}) {
    CAPTURE(name);
    Generator gen(3);
    const nn::ModelOptions options = small(name, width);
    nn::ModulePtr model = nn::make_model(options, gen);
    randomize_norms(*model, gen);
    model->eval();
    const auto groups = prune::channel_groups(*model);
    const auto selection = prune::select_channels(prune::channel_scores(*model, groups), {.ratio = 0.5});
    prune::PrunedModel pruned = prune::prune_channels(*model, options, groups, selection);
    CHECK(pruned.options.channels == selection.kept_sizes());
    CHECK(pruned.model->parameter_count() < model->parameter_count());

    prune::silence_channels(*model, groups, selection);
    const Tensor x = images(4, gen);
    const Tensor expected = model->forward(Variable(x)).value();
    const Tensor got = pruned.model->forward(Variable(x)).value();
    CHECK(max_difference(got, expected) < 1e-4f);
  }
}

TEST_CASE("channel selection: global ratio, layerwise ratio, and an extreme ratio leaves the minimum") {
  const std::vector<std::vector<float>> scores = {{0.9f, 0.1f, 0.5f, 0.2f}, {0.05f, 0.8f}, {0.3f, 0.4f, 0.01f, 0.7f}};
  const auto global = prune::select_channels(scores, {.ratio = 0.5});
  CHECK(global.kept == std::vector<std::vector<int64_t>>{{0, 2}, {1}, {1, 3}});
  CHECK(global.threshold == doctest::Approx(0.3));
  const auto layerwise = prune::select_channels(scores, {.ratio = 0.5, .scope = "layerwise"});
  CHECK(layerwise.kept == std::vector<std::vector<int64_t>>{{0, 2}, {1}, {1, 3}});
  const auto extreme = prune::select_channels(scores, {.ratio = 0.99, .min_channels = 1});
  CHECK(extreme.kept_sizes() == std::vector<int64_t>{1, 1, 1});
  CHECK(extreme.kept[2] == std::vector<int64_t>{3});  // the group's best survives

  Generator gen(5);
  nn::ModulePtr vgg = nn::make_model(small("vgg11", 0.25), gen);
  randomize_norms(*vgg, gen);
  const auto groups = prune::channel_groups(*vgg);
  const auto least = prune::select_channels(prune::channel_scores(*vgg, groups), {.ratio = 0.999, .min_channels = 2});
  CHECK(least.kept_sizes() == std::vector<int64_t>(groups.size(), 2));
  CHECK_NOTHROW(prune::prune_channels(*vgg, small("vgg11", 0.25), groups, least));
}

TEST_CASE("channel pruning: the summary shows the parameters and FLOPs the surgery removed") {
  Generator gen(2);
  const nn::ModelOptions options = small("vgg11", 0.25);
  nn::ModulePtr model = nn::make_model(options, gen);
  randomize_norms(*model, gen);
  const auto groups = prune::channel_groups(*model);
  const auto selection = prune::select_channels(prune::channel_scores(*model, groups), {.ratio = 0.5});
  prune::PrunedModel pruned = prune::prune_channels(*model, options, groups, selection);
  // Count by hand: conv weights Cout*Cin*9 plus BatchNorm 2*Cout, and the classifier.
  int64_t parameters = 0, in = 3;
  for (int64_t out : selection.kept_sizes()) parameters += out * in * 9 + 2 * out, in = out;
  parameters += in * 10 + 10;
  const nn::ModelSummary summary = nn::summarize(*pruned.model, {3, 16, 16});
  CHECK(summary.parameters == parameters);
  CHECK(summary.flops < nn::summarize(*model, {3, 16, 16}).flops);
}

TEST_CASE("channel pruning refuses bad input: ratio out of range, negative lambda, no BatchNorm, wrong architecture") {
  CHECK_THROWS_WITH(prune::select_channels({{1.0f}}, {.ratio = 1.0}), doctest::Contains("ratio must be in [0, 1)"));
  CHECK_THROWS_WITH(prune::select_channels({{1.0f}}, {.ratio = -0.1}), doctest::Contains("ratio"));
  CHECK_THROWS_WITH(prune::select_channels({{1.0f}}, {.scope = "nope"}), doctest::Contains("scope"));

  Generator gen(1);
  nn::ModulePtr vgg = nn::make_model(small("vgg11", 0.25), gen);
  nn::ParameterSet vgg_parameters(*vgg);
  CHECK_THROWS_WITH(prune::scale_l1_penalty(vgg_parameters, prune::channel_groups(*vgg), -1e-4),
                    doctest::Contains("lambda must be >= 0"));
  nn::ModulePtr conv2 = nn::make_model(small("conv2", 0.25), gen);
  nn::ParameterSet conv2_parameters(*conv2);
  CHECK_THROWS_WITH(prune::scale_l1_penalty(conv2_parameters, prune::channel_groups(*conv2), 1e-4),
                    doctest::Contains("no BatchNorm"));
  nn::ModulePtr mlp = nn::make_model({.name = "lenet_300_100"}, gen);
  CHECK_THROWS_WITH(prune::channel_groups(*mlp), doctest::Contains("no convolution"));

  // A pruned checkpoint loaded into the unpruned architecture names the first difference.
  const auto groups = prune::channel_groups(*vgg);
  const auto selection = prune::select_channels(prune::channel_scores(*vgg, groups), {.ratio = 0.5});
  prune::PrunedModel pruned = prune::prune_channels(*vgg, small("vgg11", 0.25), groups, selection);
  nn::ParameterSet pruned_parameters(*pruned.model);
  const std::string path = (std::filesystem::temp_directory_path() / "sprig_test_pruned.safetensors").string();
  optim::save_checkpoint(path, *pruned.model, pruned_parameters, nullptr, {});
  CHECK_THROWS_WITH(optim::load_checkpoint(path, *vgg, vgg_parameters, nullptr), doctest::Contains("features.0.weight"));
  std::filesystem::remove(path);
}

TEST_CASE("sparsity penalty: each step adds lambda * sign(gamma) to the BatchNorm scales' gradients only") {
  Generator gen(4);
  nn::ModulePtr vgg = nn::make_model(small("vgg11", 0.25), gen);
  randomize_norms(*vgg, gen);
  vgg->parameter("features.1.weight").value().data()[0] = 0.0f;
  nn::ParameterSet parameters(*vgg);
  optim::Sgd sgd(parameters, {.lr = 0.5});
  sgd.add_gradient_term(prune::scale_l1_penalty(parameters, prune::channel_groups(*vgg), 0.01));
  const Tensor before = parameters.values().clone();
  sgd.zero_grad();
  sgd.step();  // the loss contributes nothing: only the penalty moves weights
  int64_t scales = 0;
  for (const auto& slot : parameters.slots()) {
    CAPTURE(slot.name);
    const bool scale = slot.name.find("features.") == 0 && slot.name.ends_with(".weight") &&
                       slot.parameter->value().dim() == 1;
    scales += scale;
    int64_t wrong = 0;
    for (int64_t i = slot.offset; i < slot.offset + slot.numel; ++i) {
      const float b = before.data()[i], sign = b > 0 ? 1.0f : b < 0 ? -1.0f : 0.0f;
      wrong += std::fabs(parameters.values().data()[i] - (scale ? b - 0.5f * 0.01f * sign : b)) > 1e-6f;
    }
    CHECK(wrong == 0);
  }
  CHECK(scales == 8);
}

TEST_CASE("Early-Bird: drawn once the last distances stay under epsilon for the patience") {
  prune::EarlyBird bird(0.1, 2);
  const std::vector<uint8_t> a(20, 1);
  std::vector<uint8_t> b = a, c = a;
  b[0] = 0, b[1] = 0, b[2] = 0;  // 0.15 from a
  c[0] = 0, c[1] = 0;            // 0.05 from b
  CHECK_FALSE(bird.add(a));
  CHECK_FALSE(bird.add(b));  // 0.15: too far
  CHECK_FALSE(bird.add(c));  // 0.05, but only one close pair yet
  CHECK(bird.add(c));        // 0.05, 0.0
  CHECK(bird.drawn_at() == 3);
  CHECK(bird.distances()[0][1] == doctest::Approx(0.15));
  CHECK(bird.distances()[1][0] == doctest::Approx(0.15));
  CHECK_THROWS_WITH(prune::EarlyBird(0.0, 5), doctest::Contains("epsilon"));
  CHECK_THROWS_WITH(prune::mask_distance(a, std::vector<uint8_t>(3, 1)), doctest::Contains("masks of 20 and 3"));
}

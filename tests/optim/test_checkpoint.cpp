// Checkpoints (optim/checkpoint.h): a round trip restores weights, masks, optimiser state and
// progress, and hostile metadata is refused with a sprig::Error.
#include <doctest/doctest.h>

#include "data/data_test_files.h"
#include "data/safetensors.h"
#include "nn/parameter_set.h"
#include "nn/zoo.h"
#include "optim/checkpoint.h"
#include "optim/sgd.h"

using namespace sprig;

namespace {

struct Run {
  Generator gen;
  nn::ModulePtr model;
  nn::ParameterSet parameters;
  optim::Sgd optimizer;
  explicit Run(uint64_t seed)
      : gen(seed),
        model(nn::make_model({.name = "mlp_4", .input = {1, 2, 2}}, gen)),
        parameters(*model),
        optimizer(parameters, {.momentum = 0.9}) {}
};

const optim::TrainingProgress kProgress{.epoch = 2, .step = 7, .rng = {1, 2, 3, ~0ull}, .config = "{}", .notes = R"({"records":[]})"};

// Rewrites one metadata entry of a saved file.
void set_metadata(const std::string& path, const std::string& key, const std::string& value) {
  SafetensorsFile file = load_safetensors(path);
  file.metadata[key] = value;
  save_safetensors(path, file.buffers, file.metadata);
}

}  // namespace

TEST_CASE("checkpoint: a round trip restores weights, masks, optimiser state and progress") {
  test::TempDir dir;
  const std::string path = dir.file("run.safetensors");
  Run saved(1);
  Tensor mask = Tensor::ones(saved.parameters.slots()[0].parameter->value().shape());
  mask.data()[0] = 0.0f;
  saved.parameters.set_mask(saved.parameters.slots()[0].name, mask);
  saved.optimizer.state()[0].second->fill_(0.5f);
  optim::save_checkpoint(path, *saved.model, saved.parameters, &saved.optimizer, kProgress);

  Run loaded(2);
  const optim::TrainingProgress progress =
      optim::load_checkpoint(path, *loaded.model, loaded.parameters, &loaded.optimizer);
  CHECK(progress.epoch == 2);
  CHECK(progress.step == 7);
  CHECK(progress.rng == kProgress.rng);
  CHECK(progress.config == kProgress.config);
  CHECK(progress.notes == kProgress.notes);
  CHECK(loaded.optimizer.steps() == 7);
  CHECK(loaded.parameters.values().to_vector() == saved.parameters.values().to_vector());
  CHECK(loaded.parameters.masks().to_vector() == saved.parameters.masks().to_vector());
  CHECK(loaded.optimizer.state()[0].second->to_vector() == saved.optimizer.state()[0].second->to_vector());
}

// A step count of 2^63 - 1 used to load, and the next optimiser step overflowed it (signed overflow,
// reported by UBSan when tests/fuzz/fuzz_checkpoint replays such a file).
TEST_CASE("checkpoint: step and epoch counts must leave room to go on counting") {
  test::TempDir dir;
  const std::string path = dir.file("run.safetensors");
  Run run(1);
  optim::save_checkpoint(path, *run.model, run.parameters, &run.optimizer, kProgress);
  for (const char* key : {"sprig.step", "sprig.epoch"}) {
    CAPTURE(key);
    for (const char* count : {"9223372036854775807", "9007199254740993", "-1", "1e3", "99999999999999999999"}) {
      CAPTURE(count);
      set_metadata(path, key, count);
      Run loaded(2);
      CHECK_THROWS_WITH_AS(optim::load_checkpoint(path, *loaded.model, loaded.parameters, &loaded.optimizer),
                           doctest::Contains("is not a count"), Error);
    }
    set_metadata(path, key, "9007199254740992");  // 2^53 is the largest count accepted
    Run loaded(2);
    optim::load_checkpoint(path, *loaded.model, loaded.parameters, &loaded.optimizer);
    loaded.optimizer.step();
    set_metadata(path, key, "7");
  }
}

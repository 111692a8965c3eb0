#include "optim/checkpoint.h"

#include <cstdio>
#include <set>

#include "data/safetensors.h"

namespace sprig::optim {

namespace {

const std::string kMaskPrefix = "mask/";
const std::string kOptimizerPrefix = "optimizer/";

std::string rng_to_text(const std::array<uint64_t, 4>& state) {
  std::string text;
  char word[17];
  for (uint64_t w : state) {
    std::snprintf(word, sizeof word, "%016llx", static_cast<unsigned long long>(w));
    text += word;
  }
  return text;
}

std::array<uint64_t, 4> rng_from_text(const std::string& text, const std::string& path) {
  SPRIG_CHECK(text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos,
              "checkpoint ", path, ": sprig.rng must be 64 hex digits, got '", text, "'");
  std::array<uint64_t, 4> state{};
  for (int i = 0; i < 4; ++i) state[i] = std::stoull(text.substr(16 * i, 16), nullptr, 16);
  return state;
}

// Counts are at most 2^53, so training can go on counting from them (a step count of 2^63 - 1 would
// overflow on the next step) and doubles hold them exactly (Adam's bias correction).
constexpr int64_t kMaxCount = int64_t(1) << 53;

int64_t metadata_integer(const SafetensorsFile& file, const std::string& key) {
  auto it = file.metadata.find(key);
  SPRIG_CHECK(it != file.metadata.end(), "checkpoint ", file.path, ": metadata '", key, "' is missing");
  try {
    size_t used = 0;
    const int64_t value = std::stoll(it->second, &used);
    if (used == it->second.size() && value >= 0 && value <= kMaxCount) return value;
  } catch (const std::exception&) {
  }
  throw Error(detail::concat("checkpoint ", file.path, ": metadata '", key, "' is not a count in [0, 2^53]: '",
                             it->second, "'"));
}

// Copies a stored F32 array into `target`, which must have the same shape.
void restore(const SafetensorsFile& file, const std::string& name, Tensor& target) {
  SPRIG_CHECK(file.contains(name), "checkpoint ", file.path, ": '", name, "' is missing (the model has it, shape ",
              target.shape(), ")");
  const Tensor& stored = file.tensor(name);
  SPRIG_CHECK(stored.shape() == target.shape(), "checkpoint ", file.path, ": '", name, "' has shape ", stored.shape(),
              " but the model expects ", target.shape(), " (a checkpoint of another architecture?)");
  target.copy_(stored);
}

}  // namespace

void save_checkpoint(const std::string& path, nn::Module& model, nn::ParameterSet& parameters,
                     Optimizer* optimizer, const TrainingProgress& progress) {
  std::vector<NamedBuffer> buffers;
  for (const auto& slot : parameters.slots()) buffers.emplace_back(slot.name, slot.parameter->value());
  for (auto& [name, buffer] : model.named_buffers()) buffers.emplace_back(name, *buffer);
  for (const auto& slot : parameters.slots()) {
    const Tensor& mask = slot.parameter->mask;
    if (!mask.defined()) continue;
    std::vector<uint8_t> bits(mask.numel());
    for (int64_t i = 0; i < mask.numel(); ++i) bits[i] = mask.data()[i] != 0.0f;
    buffers.emplace_back(kMaskPrefix + slot.name, mask.shape(), std::move(bits));
  }
  if (optimizer)
    for (auto& [name, state] : optimizer->state()) buffers.emplace_back(kOptimizerPrefix + name, *state);
  save_safetensors(path, buffers,
                   {{"format", "sprig-checkpoint-1"},
                    {"sprig.epoch", std::to_string(progress.epoch)},
                    {"sprig.step", std::to_string(progress.step)},
                    {"sprig.rng", rng_to_text(progress.rng)},
                    {"sprig.config", progress.config},
                    {"sprig.notes", progress.notes}});
}

TrainingProgress load_checkpoint(const std::string& path, nn::Module& model, nn::ParameterSet& parameters,
                                 Optimizer* optimizer) {
  const SafetensorsFile file = load_safetensors(path);
  std::set<std::string> expected;
  for (const auto& slot : parameters.slots()) {
    restore(file, slot.name, slot.parameter->value());
    expected.insert(slot.name);
    const std::string mask_name = kMaskPrefix + slot.name;
    if (!file.contains(mask_name)) continue;
    const NamedBuffer& bits = file.at(mask_name);
    SPRIG_CHECK(bits.shape() == slot.parameter->value().shape(), "checkpoint ", path, ": '", mask_name, "' has shape ",
                bits.shape(), " but the parameter has ", slot.parameter->value().shape());
    Tensor mask = Tensor::empty(bits.shape());
    const auto& values = bits.values<uint8_t>();
    for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = values[i] ? 1.0f : 0.0f;
    parameters.set_mask(slot.name, mask);
    expected.insert(mask_name);
  }
  for (auto& [name, buffer] : model.named_buffers()) {
    restore(file, name, *buffer);
    expected.insert(name);
  }
  if (optimizer) {
    for (auto& [name, state] : optimizer->state()) {
      restore(file, kOptimizerPrefix + name, *state);
      expected.insert(kOptimizerPrefix + name);
    }
    optimizer->set_steps(metadata_integer(file, "sprig.step"));
  }
  for (const NamedBuffer& buffer : file.buffers)
    SPRIG_CHECK(expected.count(buffer.name()) || (!optimizer && buffer.name().rfind(kOptimizerPrefix, 0) == 0),
                "checkpoint ", path, ": '", buffer.name(), "' does not belong to this model (another architecture?)");

  TrainingProgress progress;
  progress.epoch = metadata_integer(file, "sprig.epoch");
  progress.step = metadata_integer(file, "sprig.step");
  auto rng = file.metadata.find("sprig.rng");
  SPRIG_CHECK(rng != file.metadata.end(), "checkpoint ", path, ": metadata 'sprig.rng' is missing");
  progress.rng = rng_from_text(rng->second, path);
  if (auto config = file.metadata.find("sprig.config"); config != file.metadata.end()) progress.config = config->second;
  if (auto notes = file.metadata.find("sprig.notes"); notes != file.metadata.end()) progress.notes = notes->second;
  return progress;
}

}  // namespace sprig::optim

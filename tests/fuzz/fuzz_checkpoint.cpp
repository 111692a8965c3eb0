// Fuzzes load_checkpoint (optim/checkpoint.h) into a fresh small model, with and without its
// optimiser (a weights-only load ignores the optimiser arrays); whatever loads must resume training,
// so one optimiser step follows.
#include <cstdint>

#include "fuzz_common.h"
#include "optim/checkpoint.h"

using namespace sprig;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile input("checkpoint");
  const std::string bytes = fuzz::safetensors_file(data, size);
  const std::string& path = input.write(bytes.data(), bytes.size());
  for (bool with_optimizer : {true, false}) {
    fuzz::expect_only_sprig_errors([&] {
      fuzz::CheckpointModel m;
      const optim::TrainingProgress progress =
          optim::load_checkpoint(path, *m.model, m.parameters, with_optimizer ? &m.optimizer : nullptr);
      FUZZ_ASSERT(progress.epoch >= 0 && progress.step >= 0);
      if (m.parameters.has_masks())
        for (int64_t i = 0; i < m.parameters.size(); ++i) {
          const float bit = m.parameters.masks().data()[i];
          FUZZ_ASSERT(bit == 0.0f || bit == 1.0f);
        }
      m.optimizer.step();
    });
  }
  return 0;
}

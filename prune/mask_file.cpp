#include "prune/mask_file.h"

#include "data/safetensors.h"

namespace sprig::prune {

void save_masks(const std::string& path, const std::map<std::string, Tensor>& masks) {
  std::vector<NamedBuffer> buffers;
  for (const auto& [name, mask] : masks) {
    std::vector<uint8_t> bits(size_t(mask.numel()));
    const float* m = mask.data();
    for (size_t i = 0; i < bits.size(); ++i) bits[i] = m[i] != 0.0f;
    buffers.emplace_back(name, mask.shape(), std::move(bits));
  }
  save_safetensors(path, buffers, {{"sprig.content", "masks"}});
}

std::map<std::string, Tensor> load_masks(const std::string& path) {
  const SafetensorsFile file = load_safetensors(path);
  std::map<std::string, Tensor> masks;
  for (const NamedBuffer& buffer : file.buffers) {
    SPRIG_CHECK(buffer.dtype() == DType::U8, path, ": mask '", buffer.name(), "' should be U8 but is ",
                dtype_name(buffer.dtype()));
    const std::vector<uint8_t>& bits = buffer.values<uint8_t>();
    Tensor mask = Tensor::empty(buffer.shape());
    for (size_t i = 0; i < bits.size(); ++i) {
      SPRIG_CHECK(bits[i] <= 1, path, ": mask '", buffer.name(), "' holds ", int(bits[i]), " at ", i, "; expected 0 or 1");
      mask.data()[i] = float(bits[i]);
    }
    masks[buffer.name()] = mask;
  }
  return masks;
}

}  // namespace sprig::prune

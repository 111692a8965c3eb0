// Writes the seed corpora of the fuzz targets: small valid files of each kind, made by sprig's own
// writers and the data tests' helpers, so the seeds follow the formats as they evolve.
//   fuzz_seeds DIR   ->  DIR/idx, DIR/safetensors, DIR/tar, DIR/checkpoint, DIR/image
#define DOCTEST_CONFIG_DISABLE  // only the file helpers of data_test_files.h are wanted
#include <cstddef>
#include <cstdio>
#include <filesystem>

#include "data/data_test_files.h"
#include "data/image_files.h"
#include "data/safetensors.h"
#include "fuzz_common.h"
#include "optim/checkpoint.h"

using namespace sprig;
using namespace sprig::test;

namespace {

void idx_seeds(const fs::path& dir) {
  write_bytes(dir / "images", idx_bytes(2051, {3, 2, 2}, tiny_pixels(3, 2, 2)));
  write_bytes(dir / "labels", idx_bytes(2049, {3}, tiny_labels(3)));
  write_bytes(dir / "no_labels", idx_bytes(2049, {0}, {}));
  write_gz(dir / "images.gz", idx_bytes(2051, {2, 3, 1}, tiny_pixels(2, 3, 1)));
  write_gz(dir / "labels.gz", idx_bytes(2049, {4}, tiny_labels(4)));
}

// Replaces a safetensors file by its two seed encodings (see fuzz::safetensors_file): as is, and as
// header text + NUL + data.
void encode_safetensors_seed(const fs::path& path) {
  const Bytes file = read_bytes(path);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | file[size_t(i)];
  const auto header_end = file.begin() + 8 + std::ptrdiff_t(header_size);
  Bytes raw = {1}, split = {0};
  raw.insert(raw.end(), file.begin(), file.end());
  split.insert(split.end(), file.begin() + 8, header_end);
  split.push_back(0);
  split.insert(split.end(), header_end, file.end());
  write_bytes(path.string() + ".raw", raw);
  write_bytes(path.string() + ".split", split);
  fs::remove(path);
}

void safetensors_seeds(const fs::path& dir) {
  save_safetensors(dir / "every_dtype",
                   {NamedBuffer("weight", Tensor::arange(6).reshape({2, 3})),
                    NamedBuffer("mask", Shape{3}, std::vector<uint8_t>{1, 0, 1}),
                    NamedBuffer("scale", Tensor::scalar(-1.25f)), NamedBuffer("empty", Tensor::zeros({2, 0, 3})),
                    NamedBuffer("labels", Shape{2}, std::vector<int32_t>{-7, 9}),
                    NamedBuffer("step", Shape{}, std::vector<int64_t>{-42}),
                    NamedBuffer("rng", Shape{2}, std::vector<uint64_t>{~0ull, 7})},
                   {{"format", "pt"}, {"note", "seed"}});
  save_safetensors(dir / "nothing", {});
  for (const char* name : {"every_dtype", "nothing"}) encode_safetensors_seed(dir / name);
}

void tar_seeds(const fs::path& dir) {
  const Bytes plain = tar_bytes({{"package/", "", '5'}, {"package/a.txt", "hello"}});
  write_bytes(dir / "plain.tar", plain);
  write_gz(dir / "plain.tgz", plain);
  write_bytes(dir / "pax.tar",
              tar_bytes({{"PaxHeaders/ignored", "30 path=package/pax_named.bin\n", 'x'}, {"ignored", "pax"}}));
  write_bytes(dir / "gnu.tar", tar_bytes({{"././@LongLink", "package/gnu_named.bin", 'L'}, {"ignored", "gnu"}}));
  write_bytes(dir / "prefix.tar", tar_bytes({{"package/" + std::string(120, 'd') + "/file", "prefix"}}));
}

void checkpoint_seeds(const fs::path& dir) {
  fuzz::CheckpointModel m;
  const optim::TrainingProgress progress{.epoch = 2, .step = 7, .rng = {1, 2, 3, ~0ull}, .config = R"({"lr":0.1})", .notes = ""};
  optim::save_checkpoint(dir / "dense", *m.model, m.parameters, &m.optimizer, progress);
  Tensor mask = Tensor::ones(m.parameters.slots()[0].parameter->value().shape());
  for (int64_t i = 0; i < mask.numel(); i += 3) mask.data()[i] = 0.0f;
  m.parameters.set_mask(m.parameters.slots()[0].name, mask);
  optim::save_checkpoint(dir / "masked", *m.model, m.parameters, &m.optimizer, progress);
  optim::save_checkpoint(dir / "weights_only", *m.model, m.parameters, nullptr, progress);
  for (const char* name : {"dense", "masked", "weights_only"}) encode_safetensors_seed(dir / name);
}

// PNGs of every channel count and JPEGs (colour and grey) of a smooth pattern.
void image_seeds(const fs::path& dir) {
  const auto pattern = [](int channels, int side) {
    Bytes pixels(size_t(channels * side * side));
    for (size_t j = 0; j < pixels.size(); ++j) pixels[j] = uint8_t(j * 5 + j / size_t(side) * 3);
    return pixels;
  };
  for (int channels = 1; channels <= 4; ++channels)
    write_bytes(dir / ("c" + std::to_string(channels) + ".png"), png_bytes(channels, 5, 5, pattern(channels, 5)));
  write_bytes(dir / "rgb.jpg", jpg_bytes(3, 16, 16, pattern(3, 16)));
  write_bytes(dir / "grey.jpg", jpg_bytes(1, 9, 9, pattern(1, 9)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const std::pair<const char*, void (*)(const fs::path&)> kinds[] = {
      {"idx", idx_seeds}, {"safetensors", safetensors_seeds}, {"tar", tar_seeds}, {"checkpoint", checkpoint_seeds},
      {"image", image_seeds}};
  try {
    for (const auto& [name, write] : kinds) {
      fs::create_directories(root / name);
      write(root / name);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}

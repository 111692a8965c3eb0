#pragma once
// What the slim experiment measures beside training, and the files and table it leaves in --out.
#include <filesystem>
#include <string>
#include <vector>

#include "apps/slim/slim.h"
#include "data/loader.h"
#include "nn/module.h"

namespace sprig::slim {

double total_seconds(const std::vector<prune::EpochRecord>& records);

// A channel mask as "0110...", the form it takes in the epoch records.
std::string mask_to_text(const std::vector<uint8_t>& mask);
std::vector<uint8_t> mask_from_text(const std::string& text);

// |gamma| of every BatchNorm scale the pruning ranks, in both models: the share under 1e-2 and a
// histogram of log10 |gamma|.
Json gamma_report(nn::Module& baseline, nn::Module& sparsity);

// Evaluation images per second of both models on one test batch, measured alternately in one run.
Json inference_speed(nn::Module& original, nn::Module& pruned, DataLoader& test);

// results.json, pruning.csv, epochs.csv, channels.csv, gamma.svg, channels.svg, accuracy_flops.svg,
// early_bird.svg, and the table on stdout.
void write_report(const std::filesystem::path& out, const SlimOptions& options, const Json& results);

}  // namespace sprig::slim

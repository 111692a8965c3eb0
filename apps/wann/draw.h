#pragma once
// A WANN network as SVG: the input image as a grid (connected pixels dark, the bias beside it),
// hidden nodes in columns by depth coloured by activation, the outputs on the right.
#include <string>

#include "prune/wann_genome.h"

namespace sprig::cli {

// image_height x image_width + 1 == genome.inputs (the bias last); otherwise the inputs are a column.
std::string network_svg(const prune::WannGenome& genome, int64_t image_height, int64_t image_width);

}  // namespace sprig::cli

#pragma once
// MNIST and Fashion-MNIST: four IDX files with the same names and sizes (60,000 train and 10,000
// test images of 28x28, 10 classes), stored plain or gzipped (name + ".gz").
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

// "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte".
const std::vector<std::string>& mnist_file_names();

// dir/name if it exists, else dir/name.gz if that exists, else "".
std::string find_idx_file(const std::string& dir, const std::string& name);

// The MNIST files missing from dir (as "name(.gz)"); empty when dir holds all four.
std::vector<std::string> missing_mnist_files(const std::string& dir);

// Loads split "train" or "test" from the IDX files in dir.
Dataset load_mnist(const std::string& dir, const std::string& split);

}  // namespace sprig

#pragma once
// Tensor: float32, N-d, always contiguous (row-major), sharing reference-counted storage.
// Views (reshape, slice along the first axis, view at an offset) share storage and cost nothing;
// everything that would need strides (transpose, permute) returns a fresh contiguous tensor, so
// every kernel can take a plain pointer and sizes.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "tensor/error.h"

namespace sprig {

// A shape is a list of sizes; it prints as [2, 3, 4] in error messages.
class Shape : public std::vector<int64_t> {
 public:
  using std::vector<int64_t>::vector;
  int64_t numel() const;
  std::string str() const;
};
std::ostream& operator<<(std::ostream& out, const Shape& shape);

// Maps axis in [-rank, rank) to [0, rank); throws naming `op` otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* op);

// Aligned float buffer. Freed buffers go to a size-bucketed cache so a training loop that makes
// the same tensors every step stops calling malloc after the first step.
class Storage {
 public:
  explicit Storage(int64_t numel);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  float* data() const { return data_; }
  int64_t numel() const { return numel_; }

 private:
  float* data_;
  int64_t numel_;
};

// Fresh buffers taken from the system (not the cache) since start-up; tests use it to show that a
// steady-state step allocates nothing.
int64_t storage_system_allocations();

class Tensor {
 public:
  Tensor() = default;  // undefined: no storage, defined() is false

  static Tensor empty(Shape shape);  // contents unspecified
  static Tensor zeros(Shape shape);
  static Tensor ones(Shape shape);
  static Tensor full(Shape shape, float value);
  static Tensor scalar(float value);  // rank 0
  static Tensor arange(int64_t n);    // 0, 1, ..., n-1
  static Tensor arange(float start, float stop, float step);
  static Tensor from(Shape shape, std::vector<float> values);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t axis) const;  // negative axes count from the end
  int64_t numel() const { return numel_; }

  float* data() { return storage_ ? storage_->data() + offset_ : nullptr; }
  const float* data() const { return storage_ ? storage_->data() + offset_ : nullptr; }
  float item() const;  // the value of a one-element tensor
  float& at(std::initializer_list<int64_t> index);
  float at(std::initializer_list<int64_t> index) const;
  std::vector<float> to_vector() const;

  // Views sharing storage.
  Tensor reshape(Shape shape) const;               // one size may be -1
  Tensor flatten(int64_t start_axis = 0) const;    // merges axes start_axis.. into one
  Tensor slice(int64_t begin, int64_t end) const;  // rows [begin, end) of the first axis
  Tensor view(int64_t offset, Shape shape) const;  // shape laid at element offset of this tensor
  bool shares_storage(const Tensor& other) const { return storage_ && storage_ == other.storage_; }
  bool storage_unique() const { return storage_ && storage_.use_count() == 1; }  // no other tensor sees it

  Tensor clone() const;
  void fill_(float value);
  void copy_(const Tensor& source);  // same numel; shapes may differ (flat copy)

 private:
  Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape);
  int64_t flat_index(std::initializer_list<int64_t> index) const;

  std::shared_ptr<Storage> storage_;
  int64_t offset_ = 0;
  Shape shape_;
  int64_t numel_ = 0;
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

}  // namespace sprig

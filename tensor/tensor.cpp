#include "tensor/tensor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <ostream>
#include <sstream>
#include <unordered_map>

namespace sprig {

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t s : *this) n *= s;
  return n;
}

std::string Shape::str() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  return out << ']';
}

int64_t normalize_axis(int64_t axis, int64_t rank, const char* op) {
  SPRIG_CHECK(axis >= -rank && axis < rank, op, ": axis ", axis, " is out of range for a tensor of rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

// ---- storage cache -------------------------------------------------------------------------------

namespace {

constexpr int64_t kAlignment = 64;                 // one cache line, one AVX-512 vector
constexpr int64_t kCacheLimitBytes = int64_t(1) << 30;  // beyond this, freed buffers go back to the system

struct StorageCache {
  std::mutex mutex;
  std::unordered_map<int64_t, std::vector<float*>> free_by_capacity;
  int64_t cached_bytes = 0;
  std::atomic<int64_t> system_allocations{0};

  ~StorageCache() {
    for (auto& [capacity, buffers] : free_by_capacity)
      for (float* p : buffers) std::free(p);
  }
};

StorageCache& cache() {
  static StorageCache instance;
  return instance;
}

int64_t capacity_for(int64_t numel) {  // whole cache lines, at least one
  const int64_t per_line = kAlignment / int64_t(sizeof(float));
  return std::max<int64_t>(1, (numel + per_line - 1) / per_line) * per_line;
}

}  // namespace

Storage::Storage(int64_t numel) : numel_(numel) {
  SPRIG_CHECK(numel >= 0, "Storage: negative size ", numel);
  const int64_t capacity = capacity_for(numel);
  StorageCache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_by_capacity.find(capacity);
    if (it != c.free_by_capacity.end() && !it->second.empty()) {
      data_ = it->second.back();
      it->second.pop_back();
      c.cached_bytes -= capacity * int64_t(sizeof(float));
      return;
    }
  }
  data_ = static_cast<float*>(std::aligned_alloc(kAlignment, capacity * sizeof(float)));
  if (!data_) throw std::bad_alloc();
  c.system_allocations.fetch_add(1, std::memory_order_relaxed);
}

Storage::~Storage() {
  const int64_t capacity = capacity_for(numel_);
  const int64_t bytes = capacity * int64_t(sizeof(float));
  StorageCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.cached_bytes + bytes > kCacheLimitBytes) {
    std::free(data_);
    return;
  }
  c.free_by_capacity[capacity].push_back(data_);
  c.cached_bytes += bytes;
}

int64_t storage_system_allocations() { return cache().system_allocations.load(); }

// ---- tensor --------------------------------------------------------------------------------------

Tensor::Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape)
    : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)), numel_(shape_.numel()) {}

Tensor Tensor::empty(Shape shape) {
  for (int64_t s : shape) SPRIG_CHECK(s >= 0, "Tensor::empty: negative size in shape ", shape);
  const int64_t n = shape.numel();
  return Tensor(std::make_shared<Storage>(n), 0, std::move(shape));
}

Tensor Tensor::zeros(Shape shape) { return full(std::move(shape), 0.0f); }
Tensor Tensor::ones(Shape shape) { return full(std::move(shape), 1.0f); }

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  t.fill_(value);
  return t;
}

Tensor Tensor::scalar(float value) { return full(Shape{}, value); }

Tensor Tensor::arange(int64_t n) { return arange(0.0f, static_cast<float>(n), 1.0f); }

Tensor Tensor::arange(float start, float stop, float step) {
  SPRIG_CHECK(step != 0.0f, "arange: step must not be zero");
  const double count = std::max(0.0, std::ceil((double(stop) - start) / step));
  Tensor t = empty(Shape{static_cast<int64_t>(count)});
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(start + double(step) * i);
  return t;
}

Tensor Tensor::from(Shape shape, std::vector<float> values) {
  SPRIG_CHECK(shape.numel() == static_cast<int64_t>(values.size()), "Tensor::from: shape ", shape, " holds ",
              shape.numel(), " values but ", values.size(), " were given");
  Tensor t = empty(std::move(shape));
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

int64_t Tensor::size(int64_t axis) const { return shape_[normalize_axis(axis, dim(), "Tensor::size")]; }

float Tensor::item() const {
  SPRIG_CHECK(numel_ == 1, "Tensor::item: expected one element, got shape ", shape_);
  return data()[0];
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> index) const {
  SPRIG_CHECK(static_cast<int64_t>(index.size()) == dim(), "Tensor::at: ", index.size(),
              " indices for a tensor of shape ", shape_);
  int64_t flat = 0, axis = 0;
  for (int64_t i : index) {
    SPRIG_CHECK(i >= 0 && i < shape_[axis], "Tensor::at: index ", i, " out of range on axis ", axis,
                " of shape ", shape_);
    flat = flat * shape_[axis++] + i;
  }
  return flat;
}

float& Tensor::at(std::initializer_list<int64_t> index) { return data()[flat_index(index)]; }
float Tensor::at(std::initializer_list<int64_t> index) const { return data()[flat_index(index)]; }

std::vector<float> Tensor::to_vector() const { return std::vector<float>(data(), data() + numel_); }

Tensor Tensor::reshape(Shape shape) const {
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      SPRIG_CHECK(inferred < 0, "reshape: more than one -1 in ", shape);
      inferred = static_cast<int64_t>(i);
    } else {
      SPRIG_CHECK(shape[i] >= 0, "reshape: negative size in ", shape);
      known *= shape[i];
    }
  }
  if (inferred >= 0) {
    SPRIG_CHECK(known > 0 && numel_ % known == 0, "reshape: cannot infer -1 in ", shape, " from ", shape_);
    shape[inferred] = numel_ / known;
  }
  SPRIG_CHECK(shape.numel() == numel_, "reshape: shape ", shape_, " (", numel_, " elements) cannot become ",
              shape);
  return Tensor(storage_, offset_, std::move(shape));
}

Tensor Tensor::flatten(int64_t start_axis) const {
  if (dim() == 0) return reshape(Shape{1});
  start_axis = normalize_axis(start_axis, dim(), "flatten");
  Shape shape(shape_.begin(), shape_.begin() + start_axis);
  shape.push_back(Shape(shape_.begin() + start_axis, shape_.end()).numel());
  return reshape(std::move(shape));
}

Tensor Tensor::slice(int64_t begin, int64_t end) const {
  SPRIG_CHECK(dim() >= 1, "slice: needs rank >= 1, got shape ", shape_);
  SPRIG_CHECK(0 <= begin && begin <= end && end <= shape_[0], "slice: rows [", begin, ", ", end,
              ") out of range for shape ", shape_);
  const int64_t row = numel_ / std::max<int64_t>(shape_[0], 1);
  Shape shape = shape_;
  shape[0] = end - begin;
  return Tensor(storage_, offset_ + begin * row, std::move(shape));
}

Tensor Tensor::view(int64_t offset, Shape shape) const {
  SPRIG_CHECK(offset >= 0 && offset + shape.numel() <= numel_, "view: ", shape, " at offset ", offset,
              " does not fit in a tensor of ", numel_, " elements");
  return Tensor(storage_, offset_ + offset, std::move(shape));
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  Tensor t = empty(shape_);
  std::memcpy(t.data(), data(), numel_ * sizeof(float));
  return t;
}

void Tensor::fill_(float value) { std::fill(data(), data() + numel_, value); }

void Tensor::copy_(const Tensor& source) {
  SPRIG_CHECK(source.numel() == numel_, "copy_: source ", source.shape(), " and destination ", shape_,
              " differ in size");
  if (numel_ > 0) std::memmove(data(), source.data(), numel_ * sizeof(float));
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  out << "Tensor" << t.shape() << " {";
  const int64_t shown = std::min<int64_t>(t.numel(), 8);
  for (int64_t i = 0; i < shown; ++i) out << (i ? ", " : "") << t.data()[i];
  if (t.numel() > shown) out << ", ...";
  return out << '}';
}

}  // namespace sprig

#pragma once
// Checkpoints in the safetensors format, readable by the Python ecosystem:
//   [8-byte little-endian header length N][N bytes of JSON header][raw little-endian data]
// The header maps each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
// data section) plus an optional "__metadata__" object of string -> string.
//
// Float parameters travel as Tensors (F32); masks, counters and RNG state as integer arrays
// (U8, I32, I64, U64). Loading validates the whole header before reading any data, so a damaged or
// hostile file ends in a sprig::Error naming the file (and the array), never in a crash.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

enum class DType { F32, U8, I32, I64, U64 };  // in the order of NamedBuffer::Values' alternatives

const char* dtype_name(DType dtype);  // "F32", "U8", ...
int64_t dtype_size(DType dtype);      // bytes per element

// One named array of a checkpoint.
class NamedBuffer {
 public:
  using Values =
      std::variant<Tensor, std::vector<uint8_t>, std::vector<int32_t>, std::vector<int64_t>, std::vector<uint64_t>>;

  NamedBuffer(std::string name, Tensor tensor);  // F32, shaped like the tensor
  template <class T>
  NamedBuffer(std::string name, Shape shape, std::vector<T> values);  // shape.numel() == values.size()

  const std::string& name() const { return name_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return static_cast<DType>(values_.index()); }

  // Typed access; throws naming the array when the dtype differs.
  const Tensor& tensor() const;
  template <class T>
  const std::vector<T>& values() const;
  // The values moved out of a buffer that is done with (a large array need not be copied).
  template <class T>
  std::vector<T> release() &&;

  std::string_view bytes() const;  // the raw data, as written to the file

 private:
  std::string name_;
  Shape shape_;
  Values values_;
};

// Writes `buffers` and `metadata` to `path` atomically (see tensor/atomic_file.h).
// Layout: arrays keep the given order, except that wider element types come first (a stable sort by
// element size; safetensors' own writer also puts them first), so every array starts aligned; the
// header lists them in that order after "__metadata__", as compact JSON padded with spaces to a
// multiple of 8. The same arguments give the same bytes.
void save_safetensors(const std::string& path, const std::vector<NamedBuffer>& buffers,
                      const std::map<std::string, std::string>& metadata = {});

// A loaded file: its arrays in data order, its metadata, and its path for error messages.
struct SafetensorsFile {
  std::string path;
  std::vector<NamedBuffer> buffers;
  std::map<std::string, std::string> metadata;

  bool contains(std::string_view name) const;
  const NamedBuffer& at(std::string_view name) const;  // throws naming the file and the array
  const Tensor& tensor(std::string_view name) const { return at(name).tensor(); }
  template <class T>
  const std::vector<T>& values(std::string_view name) const {
    return at(name).values<T>();
  }
};

SafetensorsFile load_safetensors(const std::string& path);

// ---- template definitions ------------------------------------------------------------------------

// The dtype of an integer array's elements; other element types do not compile.
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, uint8_t>)
    return DType::U8;
  else if constexpr (std::is_same_v<T, int32_t>)
    return DType::I32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::I64;
  else {
    static_assert(std::is_same_v<T, uint64_t>, "arrays hold uint8_t, int32_t, int64_t or uint64_t; floats are Tensors");
    return DType::U64;
  }
}

namespace detail {
void check_array_shape(const std::string& name, const Shape& shape, size_t count);  // sizes >= 0, numel == count
}

template <class T>
NamedBuffer::NamedBuffer(std::string name, Shape shape, std::vector<T> values)
    : name_(std::move(name)), shape_(std::move(shape)) {
  detail::check_array_shape(name_, shape_, values.size());
  values_.emplace<std::vector<T>>(std::move(values));
}

template <class T>
const std::vector<T>& NamedBuffer::values() const {
  const auto* values = std::get_if<std::vector<T>>(&values_);
  SPRIG_CHECK(values, "'", name_, "' holds ", dtype_name(dtype()), " values, not ", dtype_name(dtype_of<T>()));
  return *values;
}

template <class T>
std::vector<T> NamedBuffer::release() && {
  values<T>();  // checks the dtype
  return std::move(std::get<std::vector<T>>(values_));
}

}  // namespace sprig

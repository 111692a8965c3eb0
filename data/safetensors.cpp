#include "data/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "tensor/atomic_file.h"

namespace sprig {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian, copied as is");

namespace {

using Json = nlohmann::json;

template <DType D, class T>
constexpr bool holds = std::is_same_v<std::variant_alternative_t<static_cast<size_t>(D), NamedBuffer::Values>, T>;
static_assert(holds<DType::F32, Tensor> && holds<DType::U8, std::vector<uint8_t>> &&
                  holds<DType::I32, std::vector<int32_t>> && holds<DType::I64, std::vector<int64_t>> &&
                  holds<DType::U64, std::vector<uint64_t>>,
              "DType must follow the order of NamedBuffer::Values");

struct DTypeInfo {
  const char* name;
  int64_t size;
};
constexpr DTypeInfo kDTypes[] = {{"F32", 4}, {"U8", 1}, {"I32", 4}, {"I64", 8}, {"U64", 8}};  // by DType

constexpr const char* kMetadataKey = "__metadata__";
constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the limit of safetensors' own reader
// A valid header nests three deep (header, entry, shape); far deeper JSON is refused while parsing,
// before recursive code (nlohmann's dump, in error messages) could overflow the stack on it.
constexpr int kMaxHeaderDepth = 16;

}  // namespace

const char* dtype_name(DType dtype) { return kDTypes[static_cast<size_t>(dtype)].name; }
int64_t dtype_size(DType dtype) { return kDTypes[static_cast<size_t>(dtype)].size; }

// ---- NamedBuffer ---------------------------------------------------------------------------------

void detail::check_array_shape(const std::string& name, const Shape& shape, size_t count) {
  const bool sizes_ok = std::all_of(shape.begin(), shape.end(), [](int64_t s) { return s >= 0; });
  SPRIG_CHECK(sizes_ok && shape.numel() == static_cast<int64_t>(count), "NamedBuffer '", name, "': shape ", shape,
              " does not fit ", count, " values");
}

NamedBuffer::NamedBuffer(std::string name, Tensor tensor) : name_(std::move(name)), shape_(tensor.shape()) {
  SPRIG_CHECK(tensor.defined(), "NamedBuffer '", name_, "': the tensor is undefined");
  values_ = std::move(tensor);
}

const Tensor& NamedBuffer::tensor() const {
  const Tensor* tensor = std::get_if<Tensor>(&values_);
  SPRIG_CHECK(tensor, "'", name_, "' holds ", dtype_name(dtype()), " values, not an F32 tensor");
  return *tensor;
}

std::string_view NamedBuffer::bytes() const {
  return std::visit(
      [](const auto& values) {
        if constexpr (std::is_same_v<std::decay_t<decltype(values)>, Tensor>)
          return std::string_view(reinterpret_cast<const char*>(values.data()), values.numel() * sizeof(float));
        else
          return std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(values[0]));
      },
      values_);
}

// ---- save ----------------------------------------------------------------------------------------

namespace {

std::string little_endian_u64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

}  // namespace

void save_safetensors(const std::string& path, const std::vector<NamedBuffer>& buffers,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<const NamedBuffer*> order;
  for (const NamedBuffer& buffer : buffers) order.push_back(&buffer);
  std::stable_sort(order.begin(), order.end(), [](const NamedBuffer* a, const NamedBuffer* b) {
    return dtype_size(a->dtype()) > dtype_size(b->dtype());
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::vector<std::string_view> data;
  uint64_t offset = 0;
  for (const NamedBuffer* buffer : order) {
    const std::string& name = buffer->name();
    SPRIG_CHECK(!name.empty() && name != kMetadataKey, "save_safetensors: ", path, ": invalid name '", name, "'");
    SPRIG_CHECK(!header.contains(name), "save_safetensors: ", path, ": name '", name, "' appears twice");
    const std::string_view bytes = buffer->bytes();
    nlohmann::ordered_json& entry = header[name];
    entry["dtype"] = dtype_name(buffer->dtype());
    entry["shape"] = static_cast<const std::vector<int64_t>&>(buffer->shape());
    entry["data_offsets"] = {offset, offset + bytes.size()};
    offset += bytes.size();
    data.push_back(bytes);
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {  // names and metadata must be valid UTF-8
    throw Error(detail::concat("save_safetensors: ", path, ": ", e.what()));
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  const std::string length = little_endian_u64(text.size());
  std::vector<std::string_view> parts = {length, text};
  parts.insert(parts.end(), data.begin(), data.end());
  write_file_atomic(path, parts);
}

// ---- load ----------------------------------------------------------------------------------------

namespace {

// A regular file opened for reading at offsets.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    SPRIG_CHECK(fd_ >= 0, "load_safetensors: cannot open ", path, ": ", std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd_);
      throw Error(detail::concat("load_safetensors: ", path, " is not a regular file"));
    }
    size_ = static_cast<uint64_t>(info.st_size);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }

  void read(uint64_t offset, void* destination, uint64_t count) const {
    char* out = static_cast<char*>(destination);
    while (count > 0) {
      const ssize_t n = ::pread(fd_, out, count, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      SPRIG_CHECK(n > 0, "load_safetensors: ", path_, ": read failed at byte ", offset, ": ",
                  n < 0 ? std::strerror(errno) : "the file is shorter than when it was opened");
      out += n;
      offset += static_cast<uint64_t>(n);
      count -= static_cast<uint64_t>(n);
    }
  }

 private:
  std::string path_;
  int fd_;
  uint64_t size_ = 0;
};

// One header entry, validated on its own; `begin` and `end` are offsets into the data section.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin;
  uint64_t end;
};

// Parses the header text, rejecting text that is not JSON, is not an object, nests too deep, or
// repeats a key in any object (JSON parsers differ on which copy wins, so the file is ambiguous).
Json parse_header(const std::string& text, const std::string& where) {
  std::vector<std::set<std::string>> open_objects;  // keys seen so far in each enclosing object
  std::string duplicate;
  bool duplicate_is_tensor = false;
  auto track_keys = [&](int depth, Json::parse_event_t event, Json& parsed) {
    SPRIG_CHECK(depth <= kMaxHeaderDepth, where, ": the header nests deeper than ", kMaxHeaderDepth, " levels");
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && duplicate.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second) {
        duplicate = key;
        duplicate_is_tensor = open_objects.size() == 1;
      }
    }
    return true;
  };
  Json header = Json::parse(text, track_keys, /*allow_exceptions=*/false);
  SPRIG_CHECK(!header.is_discarded(), where, ": the header is not valid JSON");
  SPRIG_CHECK(duplicate.empty(), where, ": ", duplicate_is_tensor ? "tensor '" : "key '", duplicate,
              "' appears twice in the header");
  SPRIG_CHECK(header.is_object(), where, ": the header is not a JSON object");
  return header;
}

std::map<std::string, std::string> parse_metadata(const Json& value, const std::string& where) {
  SPRIG_CHECK(value.is_object(), where, ": ", kMetadataKey, " is not an object");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    SPRIG_CHECK(text.is_string(), where, ": ", kMetadataKey, " value of '", key, "' is not a string");
    metadata[key] = text.get<std::string>();
  }
  return metadata;
}

// A JSON value for an error message, cut short: a hostile header may hold megabytes in one value.
std::string shown(const Json& value) {
  const std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 40) + "...";
}

uint64_t unsigned_field(const Json& value, const std::string& where, const char* field) {
  SPRIG_CHECK(value.is_number_unsigned() && value.get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max()),
              where, ": ", field, " must hold non-negative integers, found ", shown(value));
  return value.get<uint64_t>();
}

Entry parse_entry(const std::string& name, const Json& value, uint64_t data_size, const std::string& file_where) {
  const std::string where = detail::concat(file_where, ": tensor '", name, "'");
  SPRIG_CHECK(value.is_object(), where, ": entry is not an object");
  for (const auto& [key, field] : value.items())
    SPRIG_CHECK(key == "dtype" || key == "shape" || key == "data_offsets", where, ": unexpected field '", key, "'");
  SPRIG_CHECK(value.contains("dtype") && value.contains("shape") && value.contains("data_offsets"), where,
              ": entry needs dtype, shape and data_offsets");

  const Json& dtype = value["dtype"];
  const auto* info = std::find_if(std::begin(kDTypes), std::end(kDTypes), [&](const DTypeInfo& d) {
    return dtype.is_string() && dtype.get<std::string>() == d.name;
  });
  SPRIG_CHECK(info != std::end(kDTypes), where, ": unsupported dtype ", shown(dtype),
              " (sprig reads F32, U8, I32, I64, U64)");
  Entry entry{name, static_cast<DType>(info - std::begin(kDTypes)), {}, 0, 0};

  const Json& shape = value["shape"];
  SPRIG_CHECK(shape.is_array(), where, ": shape is not an array");
  int64_t nonzero_numel = 1;  // bounds every partial product Shape::numel() computes, even past a zero size
  bool overflow = false;
  for (const Json& size : shape) {
    entry.shape.push_back(static_cast<int64_t>(unsigned_field(size, where, "shape")));
    if (entry.shape.back() != 0)
      overflow = overflow || __builtin_mul_overflow(nonzero_numel, entry.shape.back(), &nonzero_numel);
  }
  int64_t bytes = 0;
  overflow = overflow || __builtin_mul_overflow(entry.shape.numel(), info->size, &bytes);
  SPRIG_CHECK(!overflow, where, ": shape ", entry.shape, " is absurdly large");

  const Json& offsets = value["data_offsets"];
  SPRIG_CHECK(offsets.is_array() && offsets.size() == 2, where, ": data_offsets is not a pair [begin, end]");
  entry.begin = unsigned_field(offsets[0], where, "data_offsets");
  entry.end = unsigned_field(offsets[1], where, "data_offsets");
  SPRIG_CHECK(entry.begin <= entry.end, where, ": data_offsets ", offsets.dump(), " end before they begin");
  SPRIG_CHECK(entry.end <= data_size, where, ": data_offsets ", offsets.dump(), " reach past the data section of ",
              data_size, " bytes");
  SPRIG_CHECK(entry.end - entry.begin == static_cast<uint64_t>(bytes), where, ": shape ", entry.shape, " of ",
              info->name, " needs ", bytes, " bytes but data_offsets ", offsets.dump(), " span ",
              entry.end - entry.begin);
  return entry;
}

// The arrays must tile the data section exactly: no overlaps, no gaps, nothing left over.
void check_layout(std::vector<Entry>& entries, uint64_t data_size, const std::string& where) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& entry : entries) {
    SPRIG_CHECK(entry.begin >= covered, where, ": tensor '", entry.name, "' at data_offsets [", entry.begin, ", ",
                entry.end, "] overlaps tensor '", previous ? previous->name : "", "' (which ends at ", covered, ")");
    SPRIG_CHECK(entry.begin == covered, where, ": tensor '", entry.name, "' starts at byte ", entry.begin,
                " of the data section, leaving bytes [", covered, ", ", entry.begin, ") unused");
    covered = entry.end;
    previous = &entry;
  }
  SPRIG_CHECK(covered == data_size, where, ": the data section has ", data_size, " bytes but the tensors cover ",
              covered);
}

template <class T>
NamedBuffer read_values(const InputFile& file, uint64_t data_start, Entry& entry) {
  std::vector<T> values(static_cast<size_t>(entry.shape.numel()));
  file.read(data_start + entry.begin, values.data(), entry.end - entry.begin);
  return NamedBuffer(std::move(entry.name), std::move(entry.shape), std::move(values));
}

NamedBuffer read_buffer(const InputFile& file, uint64_t data_start, Entry& entry) {
  switch (entry.dtype) {
    case DType::F32: {
      Tensor tensor = Tensor::empty(entry.shape);
      file.read(data_start + entry.begin, tensor.data(), entry.end - entry.begin);
      return NamedBuffer(std::move(entry.name), std::move(tensor));
    }
    case DType::U8:
      return read_values<uint8_t>(file, data_start, entry);
    case DType::I32:
      return read_values<int32_t>(file, data_start, entry);
    case DType::I64:
      return read_values<int64_t>(file, data_start, entry);
    case DType::U64:
      return read_values<uint64_t>(file, data_start, entry);
  }
  throw Error("load_safetensors: unreachable dtype");
}

}  // namespace

SafetensorsFile load_safetensors(const std::string& path) {
  const std::string where = "load_safetensors: " + path;
  const InputFile file(path);
  SPRIG_CHECK(file.size() >= 8, where, ": ", file.size(), " bytes is too short for the 8-byte header length");
  unsigned char length_bytes[8];
  file.read(0, length_bytes, 8);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | length_bytes[i];
  SPRIG_CHECK(header_size <= kMaxHeaderBytes, where, ": header length ", header_size, " is absurd (limit ",
              kMaxHeaderBytes, ")");
  SPRIG_CHECK(header_size <= file.size() - 8, where, ": header length ", header_size, " runs past the end of the ",
              file.size(), "-byte file");

  std::string text(header_size, '\0');
  file.read(8, text.data(), header_size);
  const Json header = parse_header(text, where);
  const uint64_t data_start = 8 + header_size;
  const uint64_t data_size = file.size() - data_start;

  SafetensorsFile result{path, {}, {}};
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey)
      result.metadata = parse_metadata(value, where);
    else
      entries.push_back(parse_entry(name, value, data_size, where));
  }
  check_layout(entries, data_size, where);
  for (Entry& entry : entries) result.buffers.push_back(read_buffer(file, data_start, entry));
  return result;
}

bool SafetensorsFile::contains(std::string_view name) const {
  return std::any_of(buffers.begin(), buffers.end(), [&](const NamedBuffer& b) { return b.name() == name; });
}

const NamedBuffer& SafetensorsFile::at(std::string_view name) const {
  for (const NamedBuffer& buffer : buffers)
    if (buffer.name() == name) return buffer;
  std::string names;
  for (const NamedBuffer& buffer : buffers) names += (names.empty() ? "" : ", ") + buffer.name();
  throw Error(
      detail::concat(path, ": no tensor named '", name, "' (the file has: ", names.empty() ? "nothing" : names, ")"));
}

}  // namespace sprig

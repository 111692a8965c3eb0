#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "data/safetensors.h"
#include "tensor/generator.h"

using namespace sprig;
namespace fs = std::filesystem;

namespace {

// A scratch folder per test process: ctest runs the cases as parallel processes.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sprig_test_safetensors_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string le64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

// A file made by hand: header text and data section.
std::string raw_file(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

// A header object from its entries.
std::string object(std::initializer_list<std::string> entries) {
  std::string text = "{";
  for (const std::string& entry : entries) text.append(text.size() > 1 ? "," : "").append(entry);
  return text.append("}");
}

// One of each kind of array, including rank 0 and empty ones.
std::vector<NamedBuffer> sample_buffers() {
  return {
      NamedBuffer("weight", Tensor::arange(6).reshape({2, 3})),
      NamedBuffer("mask", Shape{3}, std::vector<uint8_t>{1, 0, 1}),
      NamedBuffer("scale", Tensor::scalar(-1.25f)),
      NamedBuffer("empty", Tensor::zeros({2, 0, 3})),
      NamedBuffer("labels", Shape{2}, std::vector<int32_t>{-7, 9}),
      NamedBuffer("step", Shape{}, std::vector<int64_t>{-42}),
      NamedBuffer("rng", Shape{4}, std::vector<uint64_t>{~0ull, 0, 12345678901234567890ull, 7}),
      NamedBuffer("no_rows", Tensor::zeros({0})),
  };
}

void check_same(const NamedBuffer& a, const NamedBuffer& b) {
  CAPTURE(a.name());
  CHECK(a.name() == b.name());
  CHECK(a.shape() == b.shape());
  CHECK(a.dtype() == b.dtype());
  CHECK(a.bytes() == b.bytes());
}

}  // namespace

TEST_CASE("safetensors: round trip keeps names, shapes, dtypes and values") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  const std::vector<NamedBuffer> saved = sample_buffers();
  save_safetensors(path, saved);
  const SafetensorsFile loaded = load_safetensors(path);
  REQUIRE(loaded.buffers.size() == saved.size());
  for (const NamedBuffer& buffer : saved) check_same(buffer, loaded.at(buffer.name()));

  CHECK(loaded.tensor("weight").to_vector() == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(loaded.tensor("scale").dim() == 0);
  CHECK(loaded.tensor("scale").item() == -1.25f);
  CHECK(loaded.tensor("empty").shape() == Shape{2, 0, 3});
  CHECK(loaded.values<uint64_t>("rng") == std::vector<uint64_t>{~0ull, 0, 12345678901234567890ull, 7});
  CHECK(loaded.values<int64_t>("step") == std::vector<int64_t>{-42});
  CHECK(loaded.metadata.empty());

  // Wider elements first, otherwise the given order: every array starts naturally aligned.
  std::vector<std::string> order;
  for (const NamedBuffer& buffer : loaded.buffers) order.push_back(buffer.name());
  CHECK(order == std::vector<std::string>{"step", "rng", "weight", "scale", "empty", "labels", "no_rows", "mask"});
}

TEST_CASE("safetensors: a Generator's state survives a checkpoint") {
  TempDir dir;
  Generator gen(123);
  gen.next_u64();
  const std::array<uint64_t, 4> state = gen.state();
  save_safetensors(dir.file("rng.safetensors"),
                   {NamedBuffer("rng", Shape{4}, std::vector<uint64_t>(state.begin(), state.end()))});
  const std::vector<uint64_t> loaded = load_safetensors(dir.file("rng.safetensors")).values<uint64_t>("rng");
  Generator resumed(0);
  resumed.set_state({loaded[0], loaded[1], loaded[2], loaded[3]});
  CHECK(resumed.next_u64() == gen.next_u64());
}

TEST_CASE("safetensors: metadata round trip") {
  TempDir dir;
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"step", "42"}, {"note", "ünïcode \"quoted\""}};
  save_safetensors(dir.file("m.safetensors"), {NamedBuffer("x", Tensor::ones({2}))}, metadata);
  CHECK(load_safetensors(dir.file("m.safetensors")).metadata == metadata);
  save_safetensors(dir.file("none.safetensors"), {});
  CHECK(read_bytes(dir.file("none.safetensors")).find("__metadata__") == std::string::npos);
  CHECK(load_safetensors(dir.file("none.safetensors")).buffers.empty());
}

TEST_CASE("safetensors: bytes are deterministic, compact and padded to 8") {
  TempDir dir;
  save_safetensors(dir.file("a.safetensors"), {NamedBuffer("a", Tensor::from({2}, {1, 2}))});
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";  // 54 bytes, pad 2
  const std::string data("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);                           // 1.0f, 2.0f
  CHECK(read_bytes(dir.file("a.safetensors")) == le64(56) + header + "  " + data);

  save_safetensors(dir.file("b.safetensors"), sample_buffers(), {{"k", "v"}});
  save_safetensors(dir.file("c.safetensors"), sample_buffers(), {{"k", "v"}});
  const std::string bytes = read_bytes(dir.file("b.safetensors"));
  CHECK(bytes == read_bytes(dir.file("c.safetensors")));
  CHECK(bytes.substr(8, 14) == R"({"__metadata__)");
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | static_cast<unsigned char>(bytes[i]);
  CHECK(header_size % 8 == 0);
}

TEST_CASE("safetensors: save replaces the old file atomically and cleans up on failure") {
  TempDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  save_safetensors(path, {NamedBuffer("x", Tensor::ones({3}))});
  save_safetensors(path, {NamedBuffer("y", Tensor::zeros({1}))});
  CHECK(load_safetensors(path).contains("y"));
  CHECK(!load_safetensors(path).contains("x"));

  const std::string missing_dir = dir.file("no/such/dir/ckpt.safetensors");
  CHECK_THROWS_WITH_AS(save_safetensors(missing_dir, {}), doctest::Contains(missing_dir.c_str()), Error);
  fs::create_directory(dir.file("taken"));  // renaming a file over a directory fails after the write
  CHECK_THROWS_WITH_AS(save_safetensors(dir.file("taken"), {NamedBuffer("x", Tensor::ones({3}))}),
                       doctest::Contains(dir.file("taken").c_str()), Error);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);  // no temp files left

  CHECK_THROWS_WITH_AS(
      save_safetensors(path, {NamedBuffer("x", Tensor::ones({1})), NamedBuffer("x", Tensor::ones({1}))}),
      doctest::Contains("'x' appears twice"), Error);
  CHECK_THROWS_AS(save_safetensors(path, {NamedBuffer("", Tensor::ones({1}))}), Error);
  CHECK_THROWS_AS(save_safetensors(path, {NamedBuffer("__metadata__", Tensor::ones({1}))}), Error);
  CHECK_THROWS_AS(save_safetensors(path, {NamedBuffer("\xff", Tensor::ones({1}))}), Error);  // not UTF-8
  CHECK(load_safetensors(path).contains("y"));  // failed saves left the old checkpoint alone
}

TEST_CASE("safetensors: typed access and construction are checked") {
  CHECK_THROWS_WITH_AS(NamedBuffer("m", Shape{4}, std::vector<uint8_t>{1, 2}), doctest::Contains("'m'"), Error);
  CHECK_THROWS_AS(NamedBuffer("m", Shape{-1, -1}, std::vector<uint8_t>{1}), Error);
  CHECK_THROWS_AS(NamedBuffer("t", Tensor()), Error);
  const NamedBuffer mask("mask", Shape{2}, std::vector<uint8_t>{1, 0});
  CHECK_THROWS_WITH_AS(mask.tensor(), doctest::Contains("'mask' holds U8"), Error);
  CHECK_THROWS_WITH_AS(mask.values<int64_t>(), doctest::Contains("not I64"), Error);
  CHECK(mask.values<uint8_t>() == std::vector<uint8_t>{1, 0});
  NamedBuffer counts("counts", Shape{3}, std::vector<int32_t>{4, 5, 6});
  CHECK_THROWS_WITH_AS(NamedBuffer(counts).release<uint8_t>(), doctest::Contains("not U8"), Error);
  CHECK(std::move(counts).release<int32_t>() == std::vector<int32_t>{4, 5, 6});
}

TEST_CASE("safetensors: asking for a missing tensor names the file and the tensor") {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  save_safetensors(path, {NamedBuffer("fc1.weight", Tensor::ones({2}))});
  const SafetensorsFile file = load_safetensors(path);
  CHECK_THROWS_WITH_AS(file.tensor("fc2.weight"), doctest::Contains(path.c_str()), Error);
  CHECK_THROWS_WITH_AS(file.at("fc2.weight"), doctest::Contains("'fc2.weight' (the file has: fc1.weight)"), Error);
}

TEST_CASE("safetensors: every kind of damage is reported with the file and the tensor") {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  auto expect_error = [&](const std::string& bytes, std::initializer_list<const char*> parts) {
    write_bytes(path, bytes);
    CAPTURE(bytes);
    try {
      load_safetensors(path);
      FAIL("loaded a damaged file");
    } catch (const Error& e) {
      const std::string message = e.what();
      CAPTURE(message);
      CHECK(message.find(path) != std::string::npos);
      for (const char* part : parts) CHECK(message.find(part) != std::string::npos);
    }
  };
  auto entry = [](const char* name, const char* dtype, const char* shape, const char* offsets) {
    return std::string("\"") + name + R"(":{"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" +
           offsets + "}";
  };
  const std::string eight(8, '\0');

  expect_error("", {"too short"});
  expect_error("abc", {"too short"});
  expect_error(le64(100) + "{}", {"header length 100 runs past the end"});
  expect_error(le64(uint64_t(1) << 62) + "{}", {"absurd"});
  expect_error(raw_file("{not json", ""), {"not valid JSON"});
  expect_error(raw_file("", ""), {"not valid JSON"});
  expect_error(raw_file("{\"\xff\":1}", ""), {"not valid JSON"});
  expect_error(raw_file("[1, 2]", ""), {"not a JSON object"});
  expect_error(raw_file(object({entry("a", "F16", "[1]", "[0,2]")}), "xx"), {"'a'", "unsupported dtype \"F16\""});
  expect_error(raw_file(object({entry("a", "F32", "[3]", "[0,8]")}), eight), {"'a'", "needs 12 bytes", "span 8"});
  expect_error(raw_file(object({entry("a", "F32", "[2]", "[0,8]")}), "four"), {"'a'", "past the data section"});
  expect_error(raw_file(object({entry("a", "F32", "[2]", "[8,0]")}), eight), {"'a'", "end before they begin"});
  expect_error(
      raw_file(object({entry("a", "F32", "[2]", "[0,8]"), entry("b", "F32", "[2]", "[4,12]")}), eight + "four"),
      {"'b'", "overlaps tensor 'a'"});
  expect_error(
      raw_file(object({entry("a", "F32", "[1]", "[0,4]"), entry("b", "F32", "[1]", "[8,12]")}), eight + "four"),
      {"'b'", "leaving bytes [4, 8) unused"});
  expect_error(raw_file(object({entry("a", "F32", "[1]", "[0,4]")}), eight), {"has 8 bytes but the tensors cover 4"});
  expect_error(raw_file(object({entry("a", "F32", "[1]", "[0,4]"), entry("a", "F32", "[1]", "[4,8]")}), eight),
               {"tensor 'a' appears twice"});
  expect_error(raw_file(R"({"a":{"dtype":"F32","dtype":"U8","shape":[1],"data_offsets":[0,4]}})", "four"),
               {"key 'dtype' appears twice"});
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[1]}})", "four"),
               {"'a'", "needs dtype, shape and data_offsets"});
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}})", "four"),
               {"'a'", "unexpected field 'extra'"});
  expect_error(raw_file(R"({"a":3})", ""), {"'a'", "not an object"});
  expect_error(raw_file(object({entry("a", "F32", "[-1]", "[0,4]")}), "four"), {"'a'", "non-negative integers"});
  expect_error(raw_file(object({entry("a", "F32", "[1.5]", "[0,4]")}), "four"), {"'a'", "non-negative integers"});
  expect_error(raw_file(object({entry("a", "F32", "1", "[0,4]")}), "four"), {"'a'", "shape is not an array"});
  expect_error(raw_file(object({entry("a", "F32", "[4294967296,4294967296,4294967296]", "[0,4]")}), "four"),
               {"'a'", "absurdly large"});
  expect_error(raw_file(object({entry("a", "F32", "[4294967296,4294967296,0]", "[0,0]")}), ""), {"'a'", "absurdly"});
  expect_error(raw_file(object({entry("a", "F32", "[1]", "[0]")}), "four"), {"'a'", "not a pair"});
  expect_error(raw_file(object({entry("a", "F32", "[1]", "[0,-4]")}), "four"), {"'a'", "non-negative integers"});
  expect_error(raw_file(R"({"__metadata__":{"k":1}})", ""), {"__metadata__ value of 'k' is not a string"});
  expect_error(raw_file(R"({"__metadata__":[]})", ""), {"__metadata__ is not an object"});

  CHECK_THROWS_WITH_AS(load_safetensors(dir.file("missing.safetensors")), doctest::Contains("cannot open"), Error);
  CHECK_THROWS_WITH_AS(load_safetensors(dir.path.string()), doctest::Contains("not a regular file"), Error);
}

// Found while fuzzing the reader: the message for a bad dtype or shape quoted the value through
// nlohmann's recursive dump, and a value nested a million deep overflowed the stack.
TEST_CASE("safetensors: deeply nested JSON in the header is refused without recursion") {
  TempDir dir;
  const std::string path = dir.file("deep.safetensors");
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  for (const std::string& header : {R"({"a":{"dtype":)" + deep + R"(,"shape":[],"data_offsets":[0,0]}})",
                                    R"({"a":{"dtype":"F32","shape":[)" + deep + R"(],"data_offsets":[0,0]}})",
                                    R"({"__metadata__":{"k":)" + deep + "}}", "{\"a\":" + deep.substr(0, 900'000)}) {
    write_bytes(path, raw_file(header, ""));
    CHECK_THROWS_WITH_AS(load_safetensors(path), doctest::Contains("the header nests deeper than 16 levels"), Error);
  }
  const std::string nested_metadata = R"({"__metadata__":{"k":[[[[]]]]}})";  // shallow nesting: the usual message
  write_bytes(path, raw_file(nested_metadata, ""));
  CHECK_THROWS_WITH_AS(load_safetensors(path), doctest::Contains("value of 'k' is not a string"), Error);
}

TEST_CASE("safetensors: files from other writers load (spaces, key order, zero-size at a boundary)") {
  TempDir dir;
  const std::string path = dir.file("other.safetensors");
  const std::string header =
      R"({"b": {"data_offsets": [4, 4], "shape": [0], "dtype": "F32"}, "a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}, "__metadata__": {}})";
  write_bytes(path, raw_file(header + "   ", "\x01\x02\x03\x04"));
  const SafetensorsFile file = load_safetensors(path);
  CHECK(file.values<uint8_t>("a") == std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(file.tensor("b").numel() == 0);
}

TEST_CASE("safetensors: truncated and mutated files fail cleanly") {
  TempDir dir;
  const std::string good_path = dir.file("good.safetensors");
  const std::string path = dir.file("mutant.safetensors");
  save_safetensors(good_path, sample_buffers(), {{"k", "v"}});
  const std::string good = read_bytes(good_path);
  for (size_t size = 0; size < good.size(); ++size) {
    write_bytes(path, good.substr(0, size));
    CHECK_THROWS_AS(load_safetensors(path), Error);
  }
  Generator gen(7);
  const int64_t header_end = 8 + 600;  // mutate mostly the header, where the structure lives
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes = good;
    const int64_t flips = 1 + gen.integer(3);
    for (int64_t i = 0; i < flips; ++i)
      bytes[gen.integer(std::min<int64_t>(header_end, bytes.size()))] = static_cast<char>(gen.integer(256));
    write_bytes(path, bytes);
    try {
      load_safetensors(path);
    } catch (const Error&) {
    }  // anything else escapes and fails the test
  }
}

TEST_CASE("safetensors: Python reads our files and we read Python's") {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: needs /usr/bin/python3 with numpy (apt-get install python3-numpy)");
    return;
  }
  TempDir dir;
  const std::string ours = dir.file("ours.safetensors");
  const std::string theirs = dir.file("theirs.safetensors");
  const std::string script = dir.file("check.py");
  save_safetensors(
      ours,
      {NamedBuffer("w", Tensor::arange(0.0f, 3.0f, 0.5f).reshape({2, 3})), NamedBuffer("s", Tensor::scalar(-1.25f)),
       NamedBuffer("mask", Shape{3}, std::vector<uint8_t>{1, 0, 1}),
       NamedBuffer("rng", Shape{2, 2}, std::vector<uint64_t>{~0ull, 0, 12345678901234567890ull, 7}),
       NamedBuffer("e", Tensor::zeros({0, 4}))},
      {{"step", "42"}});
  write_bytes(script, R"PY(
import json, struct, sys
import numpy as np

def read(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    kinds = {'F32': '<f4', 'U8': 'u1', 'I32': '<i4', 'I64': '<i8', 'U64': '<u8'}
    arrays = {name: np.frombuffer(data[e['data_offsets'][0]:e['data_offsets'][1]], dtype=kinds[e['dtype']]).reshape(e['shape'])
              for name, e in header.items() if name != '__metadata__'}
    return arrays, header.get('__metadata__', {})

arrays, metadata = read(sys.argv[1])
assert metadata == {'step': '42'}, metadata
assert arrays['w'].dtype == np.float32 and (arrays['w'] == np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5).all()
assert arrays['s'].shape == () and arrays['s'] == np.float32(-1.25)
assert arrays['mask'].tolist() == [1, 0, 1]
assert arrays['rng'].tolist() == [[2**64 - 1, 0], [12345678901234567890, 7]]
assert arrays['e'].shape == (0, 4)
try:
    import safetensors.numpy
    loaded = safetensors.numpy.load_file(sys.argv[1])
    assert all((loaded[k] == v).all() for k, v in arrays.items())
except ImportError:
    pass

# Write one the way a Python writer would: sorted keys, spaces after separators, no padding.
t = np.array([[1.5, -2.0]], dtype=np.float32)
i = np.array([-3, 4, 5], dtype=np.int64)
header = {'i': {'dtype': 'I64', 'shape': [3], 'data_offsets': [0, 24]},
          't': {'dtype': 'F32', 'shape': [1, 2], 'data_offsets': [24, 32]}, '__metadata__': {'by': 'python'}}
text = json.dumps(header, sort_keys=True).encode()
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + i.tobytes() + t.tobytes())
)PY");
  REQUIRE(std::system(("/usr/bin/python3 " + script + " " + ours + " " + theirs).c_str()) == 0);
  const SafetensorsFile file = load_safetensors(theirs);
  CHECK(file.tensor("t").shape() == Shape{1, 2});
  CHECK(file.tensor("t").to_vector() == std::vector<float>{1.5f, -2.0f});
  CHECK(file.values<int64_t>("i") == std::vector<int64_t>{-3, 4, 5});
  CHECK(file.metadata.at("by") == "python");
}

#pragma once
// Errors carry context: which op, what was expected, what was found (shapes, sizes, file names).
#include <sstream>
#include <stdexcept>
#include <string>

namespace sprig {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace sprig

// SPRIG_CHECK(cond, "op: expected ", a, " but got ", b) throws sprig::Error with the message.
#define SPRIG_CHECK(cond, ...) \
  do { \
    if (!(cond)) throw ::sprig::Error(::sprig::detail::concat(__VA_ARGS__)); \
  } while (0)

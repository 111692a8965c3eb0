#pragma once
// Declarative options for every app. One line per option serves the flag (--name value), the JSON
// key (--config files, the config.json an app saves), the default (the member initialiser) and the
// --help text; no app parses its command line by hand.
//
//   struct TrainOptions {
//     static constexpr const char* description = "Trains a model from the zoo.";  // optional, for --help
//     std::string model = "lenet_300_100";
//     int64_t epochs = 10;
//     std::string optimizer = "adam";
//     OptimOptions optim;  // a struct with its own visit: a JSON sub-object, flags --optim.lr
//     template <class V> void visit(V& v) {
//       v("model", model, "model name from the zoo");
//       v("epochs", epochs, "training epochs", Range{1, 1e6});
//       v("optimizer", optimizer, "update rule", Choices{"adam", "sgd"});
//       v("optim", optim, "optimiser settings");
//     }
//   };
//   int main(int argc, char** argv) { return sprig::cli::run_app<TrainOptions>(argc, argv, train); }
//
// Field types: bool, int, int64_t, float, double, std::string, std::vector of int64_t, double or
// std::string (comma-separated on the command line, arrays in JSON) and nested structs with visit.
// Numbers (and number lists) may take a Range, strings (and string lists) Choices.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "optim/world.h"
#include "tensor/error.h"

namespace sprig::cli {

using Json = nlohmann::ordered_json;  // keeps keys in declaration order in the files apps write

// A bad command line or config file: run_app prints it with a pointer to --help and exits with 2.
struct UsageError : Error {
  using Error::Error;
};

// For an app's apply_preset(): the error for a name it does not know.
[[noreturn]] void unknown_preset(const std::string& preset, const std::string& known);

struct Range {  // inclusive bounds for a number, or for every number of a list
  double min;
  double max;
};

struct Choices {  // the allowed values of a string, or of every string of a list
  std::vector<std::string> allowed;
  Choices(std::initializer_list<std::string> values) : allowed(values) {}
};

// One option with its type erased: what the generic parsing, printing and saving need.
struct Option {
  std::string name;                                // dotted path, e.g. "optim.lr"
  std::string type;                                // for --help: BOOL, INT, FLOAT, STR, adam|sgd, INT,...
  std::string help;                                // with the allowed range, if any
  bool is_group = false;                           // a nested struct; its fields follow as name.field
  bool is_flag = false;                            // a bool, whose value may be left out: --flag, --no-flag
  std::function<void(std::string_view)> set_text;  // parse, check, assign; throws UsageError
  std::function<void(const Json&)> set_json;
  std::function<Json()> get_json;
};

namespace detail {

// ---- conversions, one scalar at a time; the non-templates live in options.cpp ----

template <class T>
constexpr bool is_list = false;
template <class E>
constexpr bool is_list<std::vector<E>> = true;

template <class T>
constexpr bool is_scalar = std::is_same_v<T, bool> || std::is_same_v<T, int> || std::is_same_v<T, int64_t> ||
                           std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::string>;

bool parse_bool(std::string_view text);
int64_t parse_integer(std::string_view text);
double parse_number(std::string_view text);  // finite
std::vector<std::string_view> split_list(std::string_view text);
bool json_bool(const Json& value);
int64_t json_integer(const Json& value);
double json_number(const Json& value);
std::string json_string(const Json& value);
void json_require_array(const Json& value);
int to_int(int64_t value);
float to_float(double value);
Json float_to_json(float value);  // shortest decimal that reads back as the same float: 0.1, not 0.100000001

template <class T>
T scalar_from_text(std::string_view text) {
  if constexpr (std::is_same_v<T, bool>)
    return parse_bool(text);
  else if constexpr (std::is_same_v<T, int>)
    return to_int(parse_integer(text));
  else if constexpr (std::is_same_v<T, int64_t>)
    return parse_integer(text);
  else if constexpr (std::is_same_v<T, float>)
    return to_float(parse_number(text));
  else if constexpr (std::is_same_v<T, double>)
    return parse_number(text);
  else
    return std::string(text);
}

template <class T>
T scalar_from_json(const Json& value) {
  if constexpr (std::is_same_v<T, bool>)
    return json_bool(value);
  else if constexpr (std::is_same_v<T, int>)
    return to_int(json_integer(value));
  else if constexpr (std::is_same_v<T, int64_t>)
    return json_integer(value);
  else if constexpr (std::is_same_v<T, float>)
    return to_float(json_number(value));
  else if constexpr (std::is_same_v<T, double>)
    return json_number(value);
  else
    return json_string(value);
}

template <class T>
Json scalar_to_json(const T& value) {
  if constexpr (std::is_same_v<T, float>)
    return float_to_json(value);
  else
    return Json(value);
}

template <class T>
const char* scalar_type() {
  if constexpr (std::is_same_v<T, bool>)
    return "BOOL";
  else if constexpr (std::is_integral_v<T>)
    return "INT";
  else if constexpr (std::is_floating_point_v<T>)
    return "FLOAT";
  else
    return "STR";
}

template <class T>
T value_from_text(std::string_view text) {
  if constexpr (is_list<T>) {
    T list;
    for (std::string_view item : split_list(text)) list.push_back(scalar_from_text<typename T::value_type>(item));
    return list;
  } else {
    return scalar_from_text<T>(text);
  }
}

template <class T>
T value_from_json(const Json& value) {
  if constexpr (is_list<T>) {
    json_require_array(value);
    T list;
    for (const Json& item : value) list.push_back(scalar_from_json<typename T::value_type>(item));
    return list;
  } else {
    return scalar_from_json<T>(value);
  }
}

template <class T>
Json value_to_json(const T& value) {
  if constexpr (is_list<T>) {
    Json list = Json::array();
    for (const auto& item : value) list.push_back(scalar_to_json(item));
    return list;
  } else {
    return scalar_to_json(value);
  }
}

// ---- validation rules ----

void check_range(double value, const Range& range);
void check_choice(const std::string& value, const Choices& choices);
void describe(Option& option, const Range& range);      // help += " [1, 1000000]"
void describe(Option& option, const Choices& choices);  // type = "adam|sgd"

template <class T, class Rule>
void check(const T& value, const Rule& rule) {
  if constexpr (is_list<T>) {
    for (const auto& item : value) check(item, rule);
  } else if constexpr (std::is_same_v<Rule, Range>) {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "Range applies to numbers");
    check_range(static_cast<double>(value), rule);
  } else {
    static_assert(std::is_same_v<Rule, Choices> && std::is_same_v<T, std::string>, "Choices apply to strings");
    check_choice(value, rule);
  }
}

template <class T, class... Rules>
Option bind_field(std::string name, T& field, const char* help, const Rules&... rules) {
  using Element = typename std::conditional_t<is_list<T>, T, std::vector<T>>::value_type;
  static_assert(is_scalar<Element> && !(is_list<T> && std::is_same_v<Element, bool>),
                "option fields are bool, int, int64_t, float, double, std::string, a std::vector of "
                "int64_t, double or std::string, or a struct with visit");
  Option option;
  option.name = std::move(name);
  option.type = scalar_type<Element>();
  option.help = help;
  (describe(option, rules), ...);
  if constexpr (is_list<T>) option.type += ",...";
  option.is_flag = std::is_same_v<T, bool>;
  auto assign = [&field, rules...](T value) {  // the field changes only once the value passed every rule
    (check(value, rules), ...);
    field = std::move(value);
  };
  option.set_text = [assign](std::string_view text) { assign(value_from_text<T>(text)); };
  option.set_json = [assign](const Json& json) { assign(value_from_json<T>(json)); };
  option.get_json = [&field] { return value_to_json(field); };
  return option;
}

// Visits an options struct, listing its options (nested structs flattened to dotted names).
class Binder {
 public:
  Binder(std::vector<Option>& table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  template <class T, class... Rules>
  void operator()(const char* name, T& field, const char* help, const Rules&... rules) {
    if constexpr (requires { field.visit(*this); }) {
      static_assert(sizeof...(Rules) == 0, "a nested options struct takes no Range or Choices");
      Option group;
      group.name = prefix_ + name;
      group.help = help;
      group.is_group = true;
      table_.push_back(std::move(group));
      Binder nested(table_, prefix_ + name + ".");
      field.visit(nested);
    } else {
      table_.push_back(bind_field(prefix_ + name, field, help, rules...));
    }
  }

 private:
  std::vector<Option>& table_;
  std::string prefix_;
};

bool wants_help(const std::vector<std::string>& args);
void apply_arguments(const std::vector<Option>& table, const std::vector<std::string>& args);
void apply_json(const std::vector<Option>& table, const Json& json, const std::string& source);
Json table_to_json(const std::vector<Option>& table);
std::string format_help(const std::vector<Option>& table, const std::string& program, const char* description);
std::string program_name(const char* argv0);  // the file name of argv[0]
int run_guarded(const std::function<int()>& body);

}  // namespace detail

template <class T>
concept OptionStruct = requires(T& options, detail::Binder& binder) {
  options.visit(binder);
};

// The options of `options` as a table bound to its fields (valid while `options` lives).
template <OptionStruct T>
std::vector<Option> option_table(T& options) {
  std::vector<Option> table;
  detail::Binder binder(table, "");
  options.visit(binder);
  return table;
}

template <OptionStruct T>
std::string help_text(const std::string& program) {
  T defaults{};
  if constexpr (requires { defaults.apply_preset(); }) defaults.apply_preset();
  const char* description = "";
  if constexpr (requires { T::description; }) description = T::description;
  return detail::format_help(option_table(defaults), program, description);
}

// The effective options as JSON (nested structs as sub-objects), e.g. for the config.json of a run.
template <OptionStruct T>
Json to_json(const T& options) {
  T copy = options;  // visit needs mutable fields; reading them changes nothing
  return detail::table_to_json(option_table(copy));
}

// Sets the options `json` names, leaving the others; unknown keys, wrong types and values out of range
// throw UsageError naming the key and `source`. On error `options` is unchanged.
template <OptionStruct T>
void from_json(const Json& json, T& options, const std::string& source = "JSON") {
  T updated = options;
  detail::apply_json(option_table(updated), json, source);
  options = std::move(updated);
}

// Defaults, then each --config FILE in order, then the other flags in order (so flags override
// files wherever they stand). An options struct with a `preset` field and apply_preset() gets its
// defaults from the preset the files and flags name. Prints help to `help_out` and returns nothing for --help or -h.
template <OptionStruct T>
std::optional<T> parse_command_line(int argc, const char* const* argv, std::ostream& help_out = std::cout) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  if (detail::wants_help(args)) {
    help_out << help_text<T>(detail::program_name(argc > 0 ? argv[0] : "app"));
    return std::nullopt;
  }
  T options{};
  detail::apply_arguments(option_table(options), args);
  if constexpr (requires { options.apply_preset(); }) {
    // A preset replaces the defaults, so files and flags are applied again over it.
    T preset{};
    preset.preset = options.preset;
    preset.apply_preset();
    detail::apply_arguments(option_table(preset), args);
    return preset;
  }
  return options;
}

// The whole life of an app's main: parses T from the command line, runs main_fn(options) and turns
// exceptions into "error: ..." on stderr. Returns the exit code: main_fn's (0 if it returns void),
// 0 after --help, 2 for a usage error, 1 for any other error.
template <OptionStruct T, class Main>
int run_app(int argc, char** argv, Main&& main_fn) {
  const optim::WorldSession world(&argc, &argv);  // MPI, when mpirun started this process
  if (!optim::is_root()) std::cout.setstate(std::ios::failbit);  // one rank's report is the job's
  return detail::run_guarded([&]() -> int {
    const std::optional<T> options = parse_command_line<T>(argc, argv);
    if (!options) return 0;
    if constexpr (std::is_void_v<std::invoke_result_t<Main&, const T&>>) {
      main_fn(*options);
      return 0;
    } else {
      return main_fn(*options);
    }
  });
}

}  // namespace sprig::cli

#include "apps/common/options.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace sprig::cli::detail {

namespace {

constexpr size_t kShownJsonChars = 60;  // a wrong value is quoted in the message, up to this long

std::string in_quotes(std::string_view text) {
  std::string quoted = "\"";
  return quoted.append(text).append("\"");
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) text.append(i ? separator : "").append(items[i]);
  return text;
}

std::string shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > kShownJsonChars) text = text.substr(0, kShownJsonChars) + "...";
  return text;
}

// Integral values print as integers (1000000, not 1e+06); others in the shortest form that reads back.
std::string number_text(double value) {
  if (std::abs(value) < 1e15 && value == std::floor(value)) return std::to_string(static_cast<int64_t>(value));
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

std::string_view trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// Whole text as a number of type T, or nothing.
template <class T>
std::optional<T> read_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An integer from a double that holds one exactly (1e6 in a config file or on the command line).
std::optional<int64_t> exact_integer(double value) {
  const double limit = 9223372036854775808.0;  // 2^63
  if (value != std::floor(value) || value < -limit || value >= limit) return std::nullopt;
  return static_cast<int64_t>(value);
}

}  // namespace

// ---- conversions ---------------------------------------------------------------------------------

bool parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw UsageError("expected true or false, got " + in_quotes(text));
}

int64_t parse_integer(std::string_view text) {
  if (const auto value = read_number<int64_t>(text)) return *value;
  if (const auto value = read_number<double>(text))
    if (const auto integer = exact_integer(*value)) return *integer;
  throw UsageError("expected an integer, got " + in_quotes(text));
}

double parse_number(std::string_view text) {
  const auto value = read_number<double>(text);
  if (!value || !std::isfinite(*value)) throw UsageError("expected a finite number, got " + in_quotes(text));
  return *value;
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  if (trim(text).empty()) return items;
  while (true) {
    const size_t comma = text.find(',');
    items.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

bool json_bool(const Json& value) {
  if (!value.is_boolean()) throw UsageError("expected true or false, got " + shown(value));
  return value.get<bool>();
}

int64_t json_integer(const Json& value) {
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    throw UsageError(shown(value) + " is too large for a 64-bit integer");
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float())
    if (const auto integer = exact_integer(value.get<double>())) return *integer;
  throw UsageError("expected an integer, got " + shown(value));
}

double json_number(const Json& value) {
  if (!value.is_number()) throw UsageError("expected a number, got " + shown(value));
  return value.get<double>();
}

std::string json_string(const Json& value) {
  if (!value.is_string()) throw UsageError("expected a string, got " + shown(value));
  return value.get<std::string>();
}

void json_require_array(const Json& value) {
  if (!value.is_array()) throw UsageError("expected a JSON array, got " + shown(value));
}

int to_int(int64_t value) {
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    throw UsageError(std::to_string(value) + " is out of range for a 32-bit integer");
  return static_cast<int>(value);
}

float to_float(double value) {
  if (std::abs(value) > std::numeric_limits<float>::max())
    throw UsageError(number_text(value) + " is out of range for a float");
  return static_cast<float>(value);
}

Json float_to_json(float value) {
  char buffer[32];
  const char* end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return *read_number<double>(std::string_view(buffer, end - buffer));
}

// ---- rules ---------------------------------------------------------------------------------------

void check_range(double value, const Range& range) {
  if (!(value >= range.min && value <= range.max))
    throw UsageError(number_text(value) + " is outside the allowed range [" + number_text(range.min) + ", " +
                     number_text(range.max) + "]");
}

void check_choice(const std::string& value, const Choices& choices) {
  for (const std::string& allowed : choices.allowed)
    if (value == allowed) return;
  throw UsageError(in_quotes(value) + " is not one of " + join(choices.allowed, ", "));
}

void describe(Option& option, const Range& range) {
  option.help += " [" + number_text(range.min) + ", " + number_text(range.max) + "]";
}

void describe(Option& option, const Choices& choices) { option.type = join(choices.allowed, "|"); }

// ---- the table at work ---------------------------------------------------------------------------

namespace {

const Option* find_option(const std::vector<Option>& table, std::string_view name) {
  for (const Option& option : table)
    if (option.name == name) return &option;
  return nullptr;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

// The names a user can set: the table's leaves and, on the command line, --no-FLAG, --config and --help.
std::vector<std::string> settable_names(const std::vector<Option>& table, bool command_line) {
  std::vector<std::string> names;
  if (command_line) names = {"config", "help"};
  for (const Option& option : table) {
    if (option.is_group) continue;
    names.push_back(option.name);
    if (command_line && option.is_flag) names.push_back("no-" + option.name);
  }
  return names;
}

// The name closest to a mistyped one, matching whole dotted names or their last part (so "lr" finds
// "optim.lr"); nothing when every name is far.
std::optional<std::string> closest_name(const std::vector<std::string>& names, std::string_view typed) {
  std::optional<std::string> best;
  size_t best_distance = 1 + typed.size() / 4;  // the largest distance still worth suggesting
  for (const std::string& name : names) {
    const std::string_view last = std::string_view(name).substr(name.rfind('.') + 1);
    const size_t distance = std::min(edit_distance(typed, name), edit_distance(typed, last));
    if (distance <= best_distance && (!best || distance < best_distance)) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string group_members(const std::vector<Option>& table, const std::string& group) {
  std::vector<std::string> members;
  for (const Option& option : table)
    if (!option.is_group && option.name.starts_with(group + ".")) members.push_back("--" + option.name);
  return join(members, ", ");
}

// Runs `set`, prefixing a UsageError with where the bad value came from.
template <class F>
void with_context(const std::string& where, F&& set) {
  try {
    set();
  } catch (const UsageError& e) {
    throw UsageError(where + ": " + e.what());
  }
}

Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read config file " + path + ": " + std::strerror(errno));
  try {
    return Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw UsageError(path + ": not valid JSON: " + e.what());
  }
}

void apply_json_object(const std::vector<Option>& table, const Json& json, const std::string& source,
                       const std::string& prefix) {
  if (!json.is_object()) {
    const std::string what = prefix.empty() ? "" : " for " + in_quotes(prefix.substr(0, prefix.size() - 1));
    throw UsageError(source + ": expected a JSON object" + what + ", got " + shown(json));
  }
  for (const auto& item : json.items()) {
    const std::string name = prefix + item.key();
    const Json& value = item.value();
    const Option* option = find_option(table, name);
    if (!option) {
      const auto suggestion = closest_name(settable_names(table, false), name);
      throw UsageError(source + ": unknown key " + in_quotes(name) +
                       (suggestion ? " (did you mean " + in_quotes(*suggestion) + "?)" : ""));
    }
    if (option->is_group)
      apply_json_object(table, value, source, name + ".");
    else
      with_context(source + ": key " + in_quotes(name), [&] { option->set_json(value); });
  }
}

}  // namespace

bool wants_help(const std::vector<std::string>& args) {
  for (const std::string& arg : args)
    if (arg == "--help" || arg == "-h") return true;
  return false;
}

void apply_arguments(const std::vector<Option>& table, const std::vector<std::string>& args) {
  struct Assignment {
    const Option* option;
    std::string flag;
    std::string value;
  };
  std::vector<std::string> config_files;
  std::vector<Assignment> assignments;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--") || arg.size() == 2)
      throw UsageError("unexpected argument " + in_quotes(arg) + ": options look like --name value");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    const std::string flag = "--" + name;
    // A value follows unless the next argument is another option.
    auto take_value = [&]() -> std::optional<std::string> {
      if (!value && i + 1 < args.size() && !args[i + 1].starts_with("--")) value = args[++i];
      return value;
    };

    if (name == "config") {
      if (!take_value()) throw UsageError("--config needs a file name");
      config_files.push_back(*value);
      continue;
    }
    const Option* option = find_option(table, name);
    if (!option && name.starts_with("no-")) {
      const Option* negated = find_option(table, std::string_view(name).substr(3));
      if (negated && negated->is_flag) {
        if (value) throw UsageError(flag + " takes no value");
        assignments.push_back({negated, flag, "false"});
        continue;
      }
    }
    if (!option) {
      const auto suggestion = closest_name(settable_names(table, true), name);
      throw UsageError("unknown option " + flag + (suggestion ? " (did you mean --" + *suggestion + "?)" : ""));
    }
    if (option->is_group)
      throw UsageError(flag + " is a group of options: set " + group_members(table, name) + " instead");
    if (!take_value() && !option->is_flag) throw UsageError(flag + " needs a value (" + option->type + ")");
    assignments.push_back({option, flag, value.value_or("true")});
  }

  for (const std::string& file : config_files) apply_json_object(table, read_json_file(file), file, "");
  for (const Assignment& assignment : assignments)
    with_context(assignment.flag, [&] { assignment.option->set_text(assignment.value); });
}

void apply_json(const std::vector<Option>& table, const Json& json, const std::string& source) {
  apply_json_object(table, json, source, "");
}

Json table_to_json(const std::vector<Option>& table) {
  Json json = Json::object();
  for (const Option& option : table) {
    std::string pointer = "/" + option.name;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    json[Json::json_pointer(pointer)] = option.is_group ? Json::object() : option.get_json();
  }
  return json;
}

namespace {

// A value as typed on the command line: strings bare, lists comma-separated, "" for empty.
std::string command_line_text(const Json& value) {
  auto scalar_text = [](const Json& scalar) { return scalar.is_string() ? scalar.get<std::string>() : scalar.dump(); };
  std::vector<std::string> items;
  for (const Json& item : value.is_array() ? value : Json::array({value})) items.push_back(scalar_text(item));
  const std::string text = join(items, ",");
  return text.empty() ? "\"\"" : text;
}

}  // namespace

std::string format_help(const std::vector<Option>& table, const std::string& program, const char* description) {
  constexpr size_t kMaxColumn = 36;                       // longer option names push only their own help text
  std::vector<std::pair<std::string, std::string>> rows;  // left column, right column
  for (const Option& option : table) {
    if (option.is_group)
      rows.emplace_back("--" + option.name + ".*", option.help);
    else if (option.is_flag)
      rows.emplace_back("--[no-]" + option.name,
                        option.help + " (default: " + command_line_text(option.get_json()) + ")");
    else
      rows.emplace_back("--" + option.name + " " + option.type,
                        option.help + " (default: " + command_line_text(option.get_json()) + ")");
  }
  rows.emplace_back("--config FILE", "read options from a JSON file with the same keys; flags override it");
  rows.emplace_back("--help", "show this help and exit");

  size_t column = 0;
  for (const auto& row : rows) column = std::max(column, std::min(row.first.size(), kMaxColumn));
  std::string text = "usage: " + program + " [--config FILE] [--name value]...\n";
  if (*description) text += "\n" + std::string(description) + "\n";
  text += "\noptions:\n";
  for (const auto& [left, right] : rows)
    text += "  " + left + std::string(column + 2 - std::min(left.size(), column), ' ') + right + "\n";
  return text;
}

std::string program_name(const char* argv0) { return std::filesystem::path(argv0).filename().string(); }

namespace {
// Under MPI a failing rank ends the whole job (the others would wait in a collective forever);
// mpirun then reports which rank failed and with what code.
int fail(const std::string& message, int code) {
  if (optim::world_size() > 1) optim::world_abort(message, code);
  std::cerr << message << "\n";
  return code;
}
}  // namespace

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    return fail(std::string("error: ") + e.what() + "\n(--help lists every option)", 2);
  } catch (const std::exception& e) {
    return fail(std::string("error: ") + e.what(), 1);
  } catch (...) {
    return fail("error: unknown exception", 1);
  }
}

}  // namespace sprig::cli::detail

namespace sprig::cli {

void unknown_preset(const std::string& preset, const std::string& known) {
  throw UsageError("--preset: unknown preset '" + preset + "'; expected one of " + known);
}

}  // namespace sprig::cli

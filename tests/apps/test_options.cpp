#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "apps/common/options.h"

using namespace sprig::cli;
namespace fs = std::filesystem;

namespace {

struct OptimOptions {
  std::string name = "adam";
  double lr = 1.2e-3;
  float momentum = 0.9f;

  template <class V>
  void visit(V& v) {
    v("name", name, "update rule", Choices{"adam", "sgd"});
    v("lr", lr, "learning rate", Range{0, 10});
    v("momentum", momentum, "momentum of sgd", Range{0, 1});
  }
};

struct TrainOptions {
  static constexpr const char* description = "Trains a test model.";
  std::string model = "lenet_300_100";
  int64_t epochs = 10;
  int seed = 1;
  bool augment = false;
  bool shuffle = true;
  std::vector<int64_t> milestones = {};
  std::vector<double> rates = {0.5, 0.25};
  std::vector<std::string> layers = {"fc1", "fc2"};
  OptimOptions optim;

  template <class V>
  void visit(V& v) {
    v("model", model, "model name from the zoo");
    v("epochs", epochs, "training epochs", Range{1, 1e6});
    v("seed", seed, "random seed");
    v("augment", augment, "random crops and flips");
    v("shuffle", shuffle, "shuffle every epoch");
    v("milestones", milestones, "epochs where the learning rate drops", Range{0, 1e6});
    v("rates", rates, "pruning rate of each round");
    v("layers", layers, "layers to prune", Choices{"fc1", "fc2", "fc3"});
    v("optim", optim, "optimiser settings");
  }
};

std::optional<TrainOptions> try_parse(std::vector<std::string> args, std::ostream& help_out = std::cout) {
  args.insert(args.begin(), "/usr/bin/train");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return parse_command_line<TrainOptions>(static_cast<int>(argv.size()), argv.data(), help_out);
}

TrainOptions parse(const std::vector<std::string>& args) {
  std::optional<TrainOptions> options = try_parse(args);
  REQUIRE(options.has_value());
  return *options;
}

// The message of the UsageError that parsing `args` throws.
std::string usage_error(const std::vector<std::string>& args) {
  try {
    try_parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("no UsageError for the arguments");
  return "";
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sprig_test_options_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("options: no arguments give the declared defaults") {
  const TrainOptions options = parse({});
  const TrainOptions defaults;
  CHECK(to_json(options) == to_json(defaults));
  CHECK(options.model == "lenet_300_100");
  CHECK(options.epochs == 10);
  CHECK(options.shuffle);
  CHECK(options.optim.lr == 1.2e-3);
}

TEST_CASE("options: every field type parses from the command line") {
  const TrainOptions o = parse({"--model=resnet20", "--epochs", "3", "--seed", "-5", "--augment", "--no-shuffle",
                                "--milestones", "10,20", "--rates", "0.1, 0.2", "--layers", "fc3", "--optim.name",
                                "sgd", "--optim.lr", "0.5", "--optim.momentum=0.8"});
  CHECK(o.model == "resnet20");
  CHECK(o.epochs == 3);
  CHECK(o.seed == -5);
  CHECK(o.augment);
  CHECK(!o.shuffle);
  CHECK(o.milestones == std::vector<int64_t>{10, 20});
  CHECK(o.rates == std::vector<double>{0.1, 0.2});
  CHECK(o.layers == std::vector<std::string>{"fc3"});
  CHECK(o.optim.name == "sgd");
  CHECK(o.optim.lr == 0.5);
  CHECK(o.optim.momentum == 0.8f);

  CHECK(!parse({"--augment", "false"}).augment);
  CHECK(parse({"--augment=true"}).augment);
  CHECK(parse({"--shuffle", "--epochs", "4"}).epochs == 4);  // a bare flag before another option
  CHECK(parse({"--milestones="}).milestones.empty());
  CHECK(parse({"--layers", ""}).layers.empty());
  CHECK(parse({"--epochs", "1e3"}).epochs == 1000);
  CHECK(parse({"--model", "a=b"}).model == "a=b");
  CHECK(parse({"--epochs", "2", "--epochs", "5"}).epochs == 5);  // the last one wins
}

TEST_CASE("options: bad command lines are usage errors with clear messages") {
  CHECK(usage_error({"--epoch", "3"}) == "unknown option --epoch (did you mean --epochs?)");
  CHECK(contains(usage_error({"--lr", "0.1"}), "did you mean --optim.lr?"));
  CHECK(contains(usage_error({"--no-augmnt"}), "did you mean --no-augment?"));
  CHECK(usage_error({"--xyz"}) == "unknown option --xyz");
  CHECK(usage_error({"--epochs"}) == "--epochs needs a value (INT)");
  CHECK(usage_error({"--epochs", "--seed", "3"}) == "--epochs needs a value (INT)");
  CHECK(usage_error({"--epochs", "ten"}) == "--epochs: expected an integer, got \"ten\"");
  CHECK(usage_error({"--epochs", "2.5"}) == "--epochs: expected an integer, got \"2.5\"");
  CHECK(usage_error({"--optim.lr", "fast"}) == "--optim.lr: expected a finite number, got \"fast\"");
  CHECK(contains(usage_error({"--optim.lr", "nan"}), "finite"));
  CHECK(usage_error({"--epochs", "0"}) == "--epochs: 0 is outside the allowed range [1, 1000000]");
  CHECK(contains(usage_error({"--milestones", "3,-1"}), "-1 is outside the allowed range [0, 1000000]"));
  CHECK(usage_error({"--optim.name", "rmsprop"}) == "--optim.name: \"rmsprop\" is not one of adam, sgd");
  CHECK(contains(usage_error({"--layers", "fc1,fc9"}), "\"fc9\" is not one of fc1, fc2, fc3"));
  CHECK(contains(usage_error({"--seed", "99999999999"}), "out of range for a 32-bit integer"));
  CHECK(contains(usage_error({"--optim.momentum", "1e39"}), "out of range for a float"));
  CHECK(contains(usage_error({"--augment", "maybe"}), "expected true or false, got \"maybe\""));
  CHECK(usage_error({"--no-augment=true"}) == "--no-augment takes no value");
  CHECK(contains(usage_error({"--no-epochs"}), "unknown option --no-epochs"));
  CHECK(usage_error({"--optim", "x"}) ==
        "--optim is a group of options: set --optim.name, --optim.lr, --optim.momentum instead");
  CHECK(contains(usage_error({"resnet"}), "unexpected argument \"resnet\""));
  CHECK(contains(usage_error({"--"}), "unexpected argument"));
  CHECK(usage_error({"--config"}) == "--config needs a file name");
}

TEST_CASE("options: config files set the same keys; command-line flags override them") {
  TempDir dir;
  const std::string base = dir.write("base.json", R"({"epochs": 20, "model": "conv4", "optim": {"lr": 0.1},
                                                      "milestones": [5, 7], "augment": true})");
  const std::string tweak = dir.write("tweak.json", R"({"model": "conv6", "optim.momentum": 0.5})");

  TrainOptions o = parse({"--epochs", "30", "--config", base});
  CHECK(o.epochs == 30);  // a flag wins over the file wherever it stands
  CHECK(o.model == "conv4");
  CHECK(o.optim.lr == 0.1);
  CHECK(o.optim.name == "adam");  // not in the file: the default
  CHECK(o.milestones == std::vector<int64_t>{5, 7});
  CHECK(o.augment);

  o = parse({"--config", base, "--config=" + tweak, "--no-augment"});
  CHECK(o.model == "conv6");  // later files override earlier ones
  CHECK(o.epochs == 20);
  CHECK(o.optim.momentum == 0.5f);
  CHECK(!o.augment);
}

TEST_CASE("options: bad config files name the file and the key") {
  TempDir dir;
  auto config_error = [&](const std::string& text) {
    const std::string path = dir.write("bad.json", text);
    const std::string message = usage_error({"--config", path});
    CHECK(contains(message, path));
    return message;
  };
  CHECK(contains(config_error(R"({"optim": {"lrr": 1}})"), R"(unknown key "optim.lrr" (did you mean "optim.lr"?))"));
  CHECK(contains(config_error(R"({"colour": "red"})"), R"(unknown key "colour")"));
  CHECK(contains(config_error(R"({"epochs": "ten"})"), R"(key "epochs": expected an integer, got "ten")"));
  CHECK(contains(config_error(R"({"epochs": 2.5})"), "expected an integer, got 2.5"));
  CHECK(contains(config_error(R"({"epochs": 0})"), "outside the allowed range"));
  CHECK(contains(config_error(R"({"augment": 1})"), "expected true or false, got 1"));
  CHECK(contains(config_error(R"({"milestones": 5})"), "expected a JSON array, got 5"));
  CHECK(contains(config_error(R"({"layers": ["fc1", 2]})"), "expected a string, got 2"));
  CHECK(contains(config_error(R"({"optim": 3})"), R"(expected a JSON object for "optim", got 3)"));
  CHECK(contains(config_error(R"({"optim": {"name": "rmsprop"}})"), "not one of adam, sgd"));
  CHECK(contains(config_error(R"([1, 2])"), "expected a JSON object"));
  CHECK(contains(config_error(R"({"epochs": )"), "not valid JSON"));
  CHECK(contains(usage_error({"--config", (dir.path / "missing.json").string()}), "cannot read config file"));
  CHECK(parse({"--config", dir.write("ok.json", R"({"epochs": 1e3})")}).epochs == 1000);
}

TEST_CASE("options: --help lists every option with its type, default and help, aligned") {
  const std::string help = help_text<TrainOptions>("train");
  CHECK(contains(help, "usage: train [--config FILE] [--name value]..."));
  CHECK(contains(help, "Trains a test model."));
  for (const char* line : {"--model STR",
                           "model name from the zoo (default: lenet_300_100)",
                           "--epochs INT",
                           "training epochs [1, 1000000] (default: 10)",
                           "--seed INT",
                           "(default: 1)",
                           "--[no-]augment",
                           "random crops and flips (default: false)",
                           "--[no-]shuffle",
                           "(default: true)",
                           "--milestones INT,...",
                           "(default: \"\")",
                           "--rates FLOAT,...",
                           "(default: 0.5,0.25)",
                           "--layers fc1|fc2|fc3,...",
                           "(default: fc1,fc2)",
                           "--optim.*",
                           "optimiser settings",
                           "--optim.name adam|sgd",
                           "(default: adam)",
                           "--optim.lr FLOAT",
                           "(default: 0.0012)",
                           "--optim.momentum FLOAT",
                           "(default: 0.9)",
                           "--config FILE",
                           "--help"})
    CHECK_MESSAGE(contains(help, line), line);

  // Every help text starts in the same column.
  std::istringstream lines(help.substr(help.find("options:\n") + 9));
  std::set<size_t> columns;
  for (std::string line; std::getline(lines, line);) columns.insert(line.find_first_not_of(' ', line.find("  ", 2)));
  CHECK(columns.size() == 1);

  std::ostringstream out;
  CHECK(!try_parse({"--epochs", "3", "--help"}, out).has_value());
  CHECK(out.str() == help);
  CHECK(!try_parse({"-h", "--bogus"}, out).has_value());  // help wins over errors
}

TEST_CASE("options: to_json and from_json round trip, nested structs as sub-objects") {
  const TrainOptions o = parse({"--model", "conv2", "--epochs", "7", "--milestones", "3,5", "--optim.lr", "0.25",
                                "--optim.momentum", "0.1", "--layers", "fc2"});
  const Json json = to_json(o);
  CHECK(json.dump() == R"({"model":"conv2","epochs":7,"seed":1,"augment":false,"shuffle":true,"milestones":[3,5],)"
                       R"("rates":[0.5,0.25],"layers":["fc2"],"optim":{"name":"adam","lr":0.25,"momentum":0.1}})");

  TrainOptions back;
  from_json(json, back);
  CHECK(to_json(back) == json);
  CHECK(back.optim.momentum == 0.1f);

  // The saved JSON works as a --config file.
  TempDir dir;
  CHECK(to_json(parse({"--config", dir.write("run.json", json.dump(2))})) == json);

  // Partial JSON changes only what it names; a bad one changes nothing.
  TrainOptions partial;
  from_json(Json::parse(R"({"seed": 9})"), partial);
  CHECK(partial.seed == 9);
  CHECK(partial.epochs == 10);
  CHECK_THROWS_WITH_AS(from_json(Json::parse(R"({"seed": 3, "epochs": -1})"), partial, "run.json"),
                       doctest::Contains("run.json: key \"epochs\""), UsageError);
  CHECK(partial.seed == 9);
}

TEST_CASE("options: run_app turns outcomes into exit codes") {
  std::ostringstream err, out;
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  auto run = [](std::vector<std::string> args, auto main_fn) {
    args.insert(args.begin(), "train");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    return run_app<TrainOptions>(static_cast<int>(argv.size()), argv.data(), main_fn);
  };
  int epochs_seen = 0;
  CHECK(run({"--epochs", "4"}, [&](const TrainOptions& o) { epochs_seen = static_cast<int>(o.epochs); }) == 0);
  CHECK(epochs_seen == 4);
  CHECK(run({}, [](const TrainOptions&) { return 3; }) == 3);
  CHECK(run({"--help"}, [](const TrainOptions&) { return 5; }) == 0);
  CHECK(contains(out.str(), "usage: train"));
  CHECK(run({"--epoch", "4"}, [](const TrainOptions&) { return 0; }) == 2);
  CHECK(contains(err.str(), "error: unknown option --epoch (did you mean --epochs?)"));
  CHECK(run({}, [](const TrainOptions&) -> int { throw sprig::Error("disk full"); }) == 1);
  CHECK(contains(err.str(), "error: disk full"));
  CHECK(run({}, [](const TrainOptions&) -> int { throw UsageError("--lr and --schedule disagree"); }) == 2);
  std::cerr.rdbuf(old_err);
  std::cout.rdbuf(old_out);
}

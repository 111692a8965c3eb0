// The slim experiment's stages. Each training stage is an epoch run (prune/epoch_run.h) with its own
// checkpoint in out/state, so the whole pipeline resumes; the pruned models are rebuilt from the
// sparsity-trained weights, which is deterministic.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/common/files.h"
#include "apps/common/progress.h"
#include "apps/slim/report.h"
#include "apps/slim/slim.h"
#include "data/augment.h"
#include "data/fetch.h"
#include "data/safetensors.h"
#include "nn/summary.h"
#include "optim/checkpoint.h"
#include "optim/train.h"
#include "optim/world.h"
#include "prune/slimming.h"
#include "tensor/runtime.h"

namespace sprig::slim {

namespace fs = std::filesystem;

void SlimOptions::apply_preset() {
  if (preset == "quick") return;  // the member defaults
  if (preset != "paper") cli::unknown_preset(preset, "quick, paper");
  model = "vgg19", width = 1.0, epochs = 160, finetune_epochs = 160, ratios = {0.7}, lambda = 1e-4;
  eb_patience = 5;  // You et al.: a FIFO of 5 distances
}

namespace {

// `count` examples spread evenly over the set (image folders come sorted by class); all for 0.
Dataset evenly_spaced(const Dataset& set, int64_t count) {
  if (count <= 0 || count >= set.size()) return set;
  std::vector<int64_t> spread;
  for (int64_t i = 0; i < count; ++i) spread.push_back(i * set.size() / count);
  return set.subset(spread);
}

// A model with its flat parameters, as every stage trains one.
struct Net {
  nn::ModelOptions options;
  nn::ModulePtr model;
  std::unique_ptr<nn::ParameterSet> parameters;

  Net(nn::ModelOptions o, nn::ModulePtr m) : options(std::move(o)), model(std::move(m)),
      parameters(std::make_unique<nn::ParameterSet>(*model)) {}
};

class Pipeline {
 public:
  Pipeline(const SlimOptions& o, const fs::path& out) : o_(o), state_(out / "state") { fs::create_directories(state_); }

  Json run();

 private:
  void load_data();
  Net fresh(const nn::ModelOptions& options, uint64_t seed) const;
  std::vector<prune::EpochRecord> train(const std::string& stage, Net& net, int64_t epochs, double lambda,
                                        const prune::EpochEnd& on_epoch_end = {});
  Json stage_json(const std::string& stage, Net& net, const std::vector<prune::EpochRecord>& records) const;
  prune::PrunedModel prune(Net& net, double ratio) const;
  Json prune_at(Net& sparse, double ratio, const Json& unpruned);
  Json early_bird(const std::vector<prune::EpochRecord>& sparsity);
  size_t job_count() const { return 1 + o_.ratios.size() + (o_.early_bird ? 1 : 0); }
  bool mine(size_t job) const;
  void require_shared_stages() const;
  nlohmann::json early_bird_epoch_end(Net& net, int64_t epoch, const std::vector<prune::EpochRecord>& before) const;

  const SlimOptions& o_;
  fs::path state_;
  Dataset train_set_, test_set_;
  std::unique_ptr<DataLoader> train_loader_, test_loader_;
  nn::ModelOptions model_options_;
};

// Jobs: 0 trains the baseline and the sparsity run, which every other job starts from; 1..R prune
// at ratio R and train the results; R+1 trains the Early-Bird ticket. Under mpirun rank 0 runs job 0
// and the rest go round the ranks; with --job this process runs that one. Stages a job finished
// only reload afterwards, so the full pipeline, run last, merges everything into results.json.
bool Pipeline::mine(size_t job) const {
  if (o_.job >= 0) return job == size_t(o_.job);
  return job == 0 ? optim::is_root() : int((job - 1) % size_t(optim::world_size())) == optim::world_rank();
}

// A later job alone must not train the shared stages itself: jobs running at once would each do it.
void Pipeline::require_shared_stages() const {
  const fs::path sparsity = state_ / "sparsity.safetensors";
  bool finished = false;
  if (fs::exists(sparsity)) {
    const auto metadata = load_safetensors(sparsity.string()).metadata;
    const auto epoch = metadata.find("sprig.epoch");
    finished = epoch != metadata.end() && epoch->second == std::to_string(o_.epochs);
  }
  if (!finished)
    throw Error("slim --job " + std::to_string(o_.job) + ": job 0 (baseline and sparsity training) has not finished in " +
                state_.string() + "; run it first");
}

Json Pipeline::run() {
  load_data();
  const bool sweep = o_.job >= 0 || optim::world_size() > 1;
  if (o_.job > 0) require_shared_stages();
  if (sweep && !mine(0) && o_.job < 0) optim::barrier();  // ranks wait for rank 0's shared stages
  Json results;
  Net baseline = fresh(model_options_, uint64_t(o_.seed));
  results["groups"] = Json::array();
  for (const prune::ChannelGroup& g : prune::channel_groups(*baseline.model))
    results["groups"].push_back({{"conv", g.conv}, {"norm", g.norm}, {"channels", g.channels}});
  results["baseline"] = stage_json("baseline", baseline, train("baseline", baseline, o_.epochs, 0.0));

  Net sparse = fresh(model_options_, uint64_t(o_.seed));  // the baseline's initialisation
  prune::EpochEnd draw;
  if (o_.early_bird)
    draw = [&](int64_t epoch, const std::vector<prune::EpochRecord>& before) {
      return early_bird_epoch_end(sparse, epoch, before);
    };
  const auto sparsity = train("sparsity", sparse, o_.epochs, o_.lambda, draw);
  results["sparsity"] = stage_json("sparsity", sparse, sparsity);
  results["gamma"] = gamma_report(*baseline.model, *sparse.model);
  if (sweep && mine(0) && o_.job < 0) optim::barrier();

  auto run_job = [&](size_t job) {
    if (job <= o_.ratios.size()) return prune_at(sparse, o_.ratios[job - 1], results["sparsity"]);
    return early_bird(sparsity);
  };
  if (sweep) {
    for (size_t job = 1; job < job_count(); ++job)
      if (mine(job)) run_job(job);
    if (o_.job >= 0 || optim::world_size() == 1) return Json();  // a job alone: the merge comes later
    optim::barrier();
    if (!optim::is_root()) return Json();
  }
  results["pruned"] = Json::array();
  for (size_t r = 1; r <= o_.ratios.size(); ++r) results["pruned"].push_back(run_job(r));
  if (o_.early_bird) {
    results["early_bird"] = run_job(o_.ratios.size() + 1);
    if (!results["early_bird"]["drawn_after_epoch"].is_null())
      results["early_bird"]["full_pipeline_seconds"] =
          total_seconds(sparsity) + results["pruned"][0]["finetune"]["seconds"].get<double>();
  }
  return results;
}

void Pipeline::load_data() {
  train_set_ = load_dataset(o_.dataset, "train", o_.data);
  test_set_ = load_dataset(o_.dataset, "test", o_.data);
  train_set_ = evenly_spaced(train_set_, o_.train_images);
  test_set_ = evenly_spaced(test_set_, o_.test_images);
  const ChannelStats stats = channel_stats(train_set_);
  const bool augment = o_.dataset == "cifar10";  // crop and flip, as every CIFAR pruning paper trains
  train_loader_ = std::make_unique<DataLoader>(
      train_set_, LoaderOptions{.batch_size = o_.batch, .shuffle = true, .seed = uint64_t(o_.seed), .normalize = stats,
                                .augment = augment ? random_crop_flip(4) : Augment{}, .prefetch = true});
  test_loader_ = std::make_unique<DataLoader>(test_set_, LoaderOptions{.batch_size = 500, .shuffle = false, .normalize = stats});
  model_options_.name = o_.model;
  model_options_.init = "kaiming_normal";  // as the slimming and rethinking code initialise VGG and ResNet
  model_options_.width = o_.width;
  model_options_.classes = train_set_.num_classes();
  model_options_.input = {train_set_.channels(), train_set_.height(), train_set_.width()};
}

Net Pipeline::fresh(const nn::ModelOptions& options, uint64_t seed) const {
  Generator gen(seed);
  nn::ModulePtr model = nn::make_model(options, gen);
  return Net(options, model);
}

std::vector<prune::EpochRecord> Pipeline::train(const std::string& stage, Net& net, int64_t epochs, double lambda,
                                                const prune::EpochEnd& on_epoch_end) {
  prune::EpochRunContext run{*net.model, *net.parameters, *train_loader_, *test_loader_, {}};
  if (lambda > 0.0) run.gradient_terms.push_back(prune::scale_l1_penalty(*net.parameters, prune::channel_groups(*net.model), lambda));
  prune::EpochRunOptions options;
  options.epochs = epochs;
  options.optimizer = {"sgd", o_.lr, o_.momentum, false, o_.weight_decay};
  options.milestones = o_.milestones;
  options.gamma = o_.gamma;
  std::unique_ptr<cli::ProgressBar> bar;
  const int64_t steps = train_loader_->batches_per_epoch();
  const auto progress = [&](int64_t epoch, int64_t step, double loss) {
    if (!optim::is_root()) return;  // the ranks' bars would overwrite each other's line
    if (step == 1) bar = std::make_unique<cli::ProgressBar>(steps, stage + " epoch " + std::to_string(epoch + 1) + "/" +
                                                                   std::to_string(epochs));
    bar->update(step, "loss " + std::to_string(loss).substr(0, 6));
  };
  const auto records = prune::train_epochs(run, options, (state_ / (stage + ".safetensors")).string(), stage, on_epoch_end, progress);
  bar.reset();
  const prune::EpochRecord& last = records.back();
  std::printf("%-22s %4lld epochs: test acc %.2f%%, %.0f s\n", stage.c_str(), static_cast<long long>(epochs),
              100 * last.test_accuracy, total_seconds(records));
  std::fflush(stdout);
  return records;
}

Json Pipeline::stage_json(const std::string& stage, Net& net, const std::vector<prune::EpochRecord>& records) const {
  const nn::ModelSummary summary = nn::summarize(*net.model, train_set_.example_shape());
  Json j = {{"stage", stage},
            {"channels", net.options.channels.empty() ? Json::array() : Json(net.options.channels)},
            {"parameters", summary.parameters},
            {"flops", summary.flops},
            {"epochs", int64_t(records.size())},
            {"test_accuracy", records.back().test_accuracy},
            {"seconds", total_seconds(records)},
            {"curve", Json::array()}};
  for (const auto& r : records) j["curve"].push_back(Json::parse(prune::to_json(r).dump()));
  return j;
}

prune::PrunedModel Pipeline::prune(Net& net, double ratio) const {
  const auto groups = prune::channel_groups(*net.model);
  const prune::ChannelSelectionOptions select{ratio, o_.scope, o_.min_channels};
  const auto selection = prune::select_channels(prune::channel_scores(*net.model, groups), select);
  return prune::prune_channels(*net.model, net.options, groups, selection);
}

// Prunes the sparsity-trained network at `ratio`, fine-tunes it, and trains the same architecture from
// scratch for the same epochs (Scratch-E) and for the same FLOPs (Scratch-B).
Json Pipeline::prune_at(Net& sparse, double ratio, const Json& unpruned) {
  const std::string tag = "r" + std::to_string(int(std::lround(ratio * 100)));
  prune::PrunedModel pruned = prune(sparse, ratio);
  Net tuned(pruned.options, pruned.model);
  const double after_prune = optim::evaluate(*tuned.model, *test_loader_).accuracy;
  Json j = {{"ratio", ratio}, {"accuracy_after_prune", after_prune}};
  j["finetune"] = stage_json("finetune_" + tag, tuned, train("finetune_" + tag, tuned, o_.finetune_epochs, 0.0));

  Net scratch_e = fresh(pruned.options, uint64_t(o_.seed));
  j["scratch_e"] = stage_json("scratch_e_" + tag, scratch_e, train("scratch_e_" + tag, scratch_e, o_.epochs, 0.0));
  const double flops_ratio = unpruned["flops"].get<double>() / j["finetune"]["flops"].get<double>();
  const int64_t epochs_b = std::min<int64_t>(std::llround(std::ceil(o_.epochs * flops_ratio)),
                                             std::llround(o_.epochs * o_.scratch_b_cap));
  Net scratch_b = fresh(pruned.options, uint64_t(o_.seed));
  j["scratch_b"] = stage_json("scratch_b_" + tag, scratch_b, train("scratch_b_" + tag, scratch_b, epochs_b, 0.0));
  j["inference"] = inference_speed(*sparse.model, *tuned.model, *test_loader_);
  return j;
}

// The sparsity run's epoch end: the channel mask at the first ratio, and the weights the epoch the
// ticket is drawn. The detector is rebuilt from the masks of the earlier epochs' records.
nlohmann::json Pipeline::early_bird_epoch_end(Net& net, int64_t epoch, const std::vector<prune::EpochRecord>& before) const {
  const auto groups = prune::channel_groups(*net.model);
  const auto selection = prune::select_channels(prune::channel_scores(*net.model, groups),
                                                {o_.ratios.front(), o_.scope, o_.min_channels});
  const std::vector<uint8_t> mask = selection.flat_mask(groups);
  prune::EarlyBird bird(o_.eb_epsilon, o_.eb_patience);
  for (const auto& r : before) bird.add(mask_from_text(r.extra.at("channel_mask").get<std::string>()));
  const bool was_drawn = bird.drawn();
  if (bird.add(mask) && !was_drawn) {
    optim::save_checkpoint((state_ / "early_bird.safetensors").string(), *net.model, *net.parameters, nullptr,
                           {epoch, 0, {}, "", ""});
    std::printf("Early-Bird ticket drawn after epoch %lld\n", static_cast<long long>(epoch));
  }
  return {{"channel_mask", mask_to_text(mask)}};
}

// Prunes the weights saved when the ticket was drawn and trains them as the end-of-run ticket is trained.
Json Pipeline::early_bird(const std::vector<prune::EpochRecord>& sparsity) {
  prune::EarlyBird bird(o_.eb_epsilon, o_.eb_patience);
  for (const auto& r : sparsity) bird.add(mask_from_text(r.extra.at("channel_mask").get<std::string>()));
  Json j = {{"epsilon", o_.eb_epsilon}, {"patience", o_.eb_patience}, {"ratio", o_.ratios.front()},
            {"distances", bird.distances()}};
  if (!bird.drawn()) {
    j["drawn_after_epoch"] = nullptr;
    std::printf("no Early-Bird ticket: the masks never settled for %lld epochs\n", static_cast<long long>(o_.eb_patience));
    return j;
  }
  const int64_t drawn = bird.drawn_at() + 1;
  j["drawn_after_epoch"] = drawn;
  Net early = fresh(model_options_, uint64_t(o_.seed));
  optim::load_checkpoint((state_ / "early_bird.safetensors").string(), *early.model, *early.parameters, nullptr);
  prune::PrunedModel pruned = prune(early, o_.ratios.front());
  Net tuned(pruned.options, pruned.model);
  j["accuracy_after_prune"] = optim::evaluate(*tuned.model, *test_loader_).accuracy;
  j["finetune"] = stage_json("early_bird_finetune", tuned, train("early_bird_finetune", tuned, o_.finetune_epochs, 0.0));
  double until_drawn = 0.0;
  for (int64_t e = 0; e < drawn; ++e) until_drawn += sparsity[size_t(e)].seconds;
  j["pipeline_seconds"] = until_drawn + j["finetune"]["seconds"].get<double>();
  return j;
}

// A resumed run must be the same experiment: its state was computed under the saved options.
void check_same_experiment(const fs::path& out, const Json& config) {
  if (!fs::exists(out / "state") || !fs::exists(out / "config.json")) return;
  std::ifstream in(out / "config.json");
  Json saved;
  try {
    saved = Json::parse(in);
  } catch (const std::exception& e) {
    throw Error((out / "config.json").string() + ": unreadable (" + e.what() + ")");
  }
  if (saved != config)
    throw cli::UsageError(out.string() + " holds a different slim experiment (its config.json differs); choose another --out "
                          "or remove that folder to start over");
}

// Refuses a model slim cannot prune, or without BatchNorm under a penalty, before any folder is
// touched. Built for a CIFAR-sized input: which layers a zoo model has does not depend on it.
void check_model(const SlimOptions& o) {
  nn::ModelOptions options;
  options.name = o.model;
  options.width = o.width;
  options.input = {3, 32, 32};
  Generator gen(0);
  const nn::ModulePtr model = nn::make_model(options, gen);
  const nn::ParameterSet parameters(*model);
  const std::vector<prune::ChannelGroup> groups = prune::channel_groups(*model);
  if (o.lambda > 0.0) prune::scale_l1_penalty(parameters, groups, o.lambda);
}

}  // namespace

Json experiment_config(Json config) {
  config.erase("job");
  config.erase("print_jobs");
  return config;
}

Json run_slim(const SlimOptions& o, const Json& options_json) {
  SPRIG_CHECK(!o.ratios.empty(), "slim: --ratios needs at least one ratio");
  for (double ratio : o.ratios) prune::check_options(prune::ChannelSelectionOptions{ratio, o.scope, o.min_channels});
  check_model(o);
  const int64_t jobs = 1 + int64_t(o.ratios.size()) + (o.early_bird ? 1 : 0);
  if (o.job >= jobs)
    throw cli::UsageError("--job " + std::to_string(o.job) + ": this experiment has jobs 0 to " + std::to_string(jobs - 1));
  const Json config = experiment_config(options_json);
  const fs::path out = o.out;
  if (optim::is_root()) {
    cli::prepare_output_dir(o.out);
    check_same_experiment(out, config);
    cli::write_text_atomic(out / "config.json", config.dump(2) + "\n");
  }
  if (o.print_jobs) {
    const std::string base = "slim --config " + (out / "config.json").string();
    std::cout << "# job 0 first (baseline and sparsity training), then jobs 1-" << jobs - 1
              << " in any order or at once (e.g. a Slurm array), then the last line merges them into results.json.\n";
    for (int64_t job = 0; job < jobs; ++job) std::cout << base << " --job " << job << "\n";
    std::cout << base << "\n";
    return Json();
  }
  optim::barrier();
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  Pipeline pipeline(o, out);
  Json results = pipeline.run();
  if (results.is_null()) return results;  // a job of a sweep: the merge writes the report
  write_report(out, o, results);
  return results;
}

}  // namespace sprig::slim

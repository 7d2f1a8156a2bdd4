#include "quality_bench_command.hpp"

#include "command_line.hpp"
#include "planted_topics.hpp"
#include "quality_bench.hpp"
#include "switchyard/config/registry_loader.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace switchyard::cli {

namespace {

/// Salt of the validation split inside the train records (the train/test
/// split uses 0, the replay order 1).
constexpr std::uint64_t validation_salt = 2;
/// Salt of the k-fold assignment inside the train records.
constexpr std::uint64_t kfold_salt = 3;

constexpr std::string_view usage
  = "switchyard bench quality (--registry R.yaml (--train A.jsonl --test "
    "B.jsonl | --data F.jsonl [--split 0.8])\n"
    "                          | --planted-topics)\n"
    "                         [--mode offline|online] [--validation V] "
    "[--points N]\n"
    "                         [--no-predictor] [--learning-rate X] "
    "[--hash-bits N] [--shape-features]\n"
    "                         [--json] [--plot out.svg]\n"
    "                         [--prompt-model] [--neighbours K] [--clusters "
    "C] [--blend X]\n"
    "                         [--shrinkage B] [--max-prompts N] [--kfold K]"
    "\n                         [--prompt-terms N] [--query-terms N] "
    "[--success-value USD]\n\n"
    "Replays prompts with recorded outcomes per model (one JSON object per "
    "line:\n{\"id\", \"prompt\", \"category\", \"outcomes\": {\"MODEL\": "
    "{\"score\", \"cost_usd\"}, ...}}); every MODEL\nmust be in the registry. "
    "offline: every train outcome is feedback, then the test\nprompts are "
    "routed with what was learned. online: only the routed model's "
    "outcome\nis feedback, as it goes. The router sees only the prompt. "
    "Reports, on the test\nprompts: router accuracy and cost, the best single "
    "model, the cheapest, the oracle\n(cheapest correct model), a random mix "
    "at equal cost, per category, the\ncost-quality curve swept over the "
    "quality requirement, APGR and the cost at 95%\nof the best model's "
    "accuracy. --data splits one file by a hash of each id.\n--validation V "
    "holds out a share V of the train records as the test set (for\ntuning "
    "without touching the test split). --kfold K cross-validates on the "
    "train\nrecords alone: K runs, each testing one K-th (by a hash of the id) "
    "after\ntraining on the rest; it prints each fold and the mean. "
    "--prompt-model adds\nthe prompt model (TF-IDF clusters and nearest "
    "neighbours; the registry's\nprompt_model settings, which the other flags "
    "override). --planted-topics replaces the registry and the data with a "
    "generated\nset: 8 models, 6 topics, and on each topic a different cheap "
    "model as good as\nthe strongest (bench/planted_topics.hpp).";

struct grouped {
  std::size_t records = 0;
  double router_score = 0;
  double router_cost = 0;
  double oracle_score = 0;
  double oracle_cost = 0;
  std::map<std::string, std::pair<double, double>> models;
};

void print_text(const bench::quality_bench_result& r) {
  std::printf("quality benchmark (%s%s): %zu train / %zu test prompts, %zu "
              "models\n",
              std::string{bench::to_string(r.mode)}.c_str(),
              r.use_predictor ? "" : ", no predictor", r.train_records,
              r.test_records, r.models.size());
  std::printf("  %-26s accuracy %.4f  cost $%9.4f  (%.1f%% to %s%s)\n",
              "router (registry policy)", r.router.accuracy, r.router.cost_usd,
              100.0 * r.router_share_of_best, r.best_single.model.c_str(),
              r.unrouted > 0 ? ", some unrouted" : "");
  for (const auto& m : r.models)
    std::printf("  %-26s accuracy %.4f  cost $%9.4f%s%s\n", m.model.c_str(),
                m.accuracy, m.cost_usd,
                m.model == r.best_single.model ? "  best single" : "",
                m.model == r.cheapest.model ? "  cheapest" : "");
  std::printf("  %-26s accuracy %.4f  cost $%9.4f\n", "oracle",
              r.oracle.accuracy, r.oracle.cost_usd);
  std::printf("  %-26s accuracy %.4f  cost $%9.4f\n",
              "random mix at router cost", r.random_mix.accuracy,
              r.random_mix.cost_usd);
  if (r.apgr)
    std::printf("  APGR %.4f (a random mix scores 0.5)\n", *r.apgr);
  else
    std::printf("  APGR: undefined (the best and the weakest model are "
                "equally accurate)\n");
  if (r.at_95pct_of_best)
    std::printf(
      "  at 95%% of the best model's accuracy: requirement %.2f, "
      "accuracy %.4f, cost $%.4f (%.1f%% less than %s)\n",
      r.at_95pct_of_best->quality_requirement, r.at_95pct_of_best->accuracy,
      r.at_95pct_of_best->cost_usd,
      r.best_single.cost_usd > 0
        ? 100.0 * (1.0 - r.at_95pct_of_best->cost_usd / r.best_single.cost_usd)
        : 0.0,
      r.best_single.model.c_str());
  else
    std::printf("  no point of the curve reaches 95%% of the best model's "
                "accuracy\n");
  std::printf("  curve: %zu points, %zu below the random-mix line (smallest "
              "margin %+.4f)\n",
              r.curve.size(), r.points_below_random_mix,
              r.min_margin_over_random_mix);
  std::printf("    %-11s %-9s %-11s %-14s %s\n", "requirement", "accuracy",
              "cost", "share of best", "random mix");
  for (const auto& p : r.curve)
    std::printf("    %-11.2f %-9.4f $%-10.4f %-14.3f %.4f\n",
                p.quality_requirement, p.accuracy, p.cost_usd, p.share_of_best,
                p.random_mix_accuracy);
  // Many categories (MMLU has 57 subjects) are grouped by the part before
  // the first '/'; --json has every one.
  bool group = r.per_category.size() > 12;
  std::map<std::string, grouped> groups;
  for (const auto& c : r.per_category) {
    auto key = group ? c.category.substr(0, c.category.find('/')) : c.category;
    auto& g = groups[key];
    auto n = static_cast<double>(c.records);
    g.records += c.records;
    g.router_score += c.router.accuracy * n;
    g.router_cost += c.router.cost_usd;
    g.oracle_score += c.oracle.accuracy * n;
    g.oracle_cost += c.oracle.cost_usd;
    for (const auto& m : c.models) {
      auto& [score, cost] = g.models[m.model];
      score += m.accuracy * n;
      cost += m.cost_usd;
    }
  }
  std::printf("  per category%s (accuracy / cost):\n",
              group ? " (grouped by prefix; --json has each)" : "");
  for (const auto& [name, g] : groups) {
    auto n = static_cast<double>(g.records);
    std::printf("    %-24s %5zu prompts  router %.3f / $%.4f  oracle %.3f / "
                "$%.4f",
                name.c_str(), g.records, g.router_score / n, g.router_cost,
                g.oracle_score / n, g.oracle_cost);
    for (const auto& [model, sc] : g.models)
      std::printf("  %s %.3f / $%.4f", model.c_str(), sc.first / n, sc.second);
    std::printf("\n");
  }
}

/// Cross-validation over the train records: fold f tests the records whose
/// id hashes into the f-th K-th, after training on the others.
int run_kfold(const engine::registry& reg,
              std::vector<bench::quality_record> records, std::size_t k,
              const bench::quality_bench_options& opts, bool json) {
  std::vector<std::vector<bench::quality_record>> folds(k);
  for (auto& rec : records) {
    auto f = static_cast<std::size_t>(bench::id_fraction(rec.id, kfold_salt)
                                      * static_cast<double>(k));
    folds[std::min(f, k - 1)].push_back(std::move(rec));
  }
  double apgr_sum = 0.0;
  double cost_share_sum = 0.0;
  std::size_t apgr_n = 0;
  std::size_t reached = 0;
  // The router at the registry's requirements against the oracle.
  double accuracy_ratio_sum = 0.0;
  double cost_ratio_sum = 0.0;
  if (json)
    std::cout << "{\"folds\":[";
  for (std::size_t f = 0; f < k; ++f) {
    std::vector<bench::quality_record> train;
    for (std::size_t g = 0; g < k; ++g)
      if (g != f)
        train.insert(train.end(), folds[g].begin(), folds[g].end());
    auto r = bench::run_quality_bench(reg, train, folds[f], opts);
    if (!r.error.empty()) {
      std::cerr << "switchyard bench quality: fold " << f + 1 << ": "
                << r.error << "\n";
      return 1;
    }
    std::optional<double> share;
    if (r.at_95pct_of_best && r.best_single.cost_usd > 0.0)
      share = r.at_95pct_of_best->cost_usd / r.best_single.cost_usd;
    if (r.apgr) {
      apgr_sum += *r.apgr;
      ++apgr_n;
    }
    if (share) {
      cost_share_sum += *share;
      ++reached;
    }
    auto accuracy_ratio = r.oracle.accuracy > 0.0
                            ? r.router.accuracy / r.oracle.accuracy
                            : 0.0;
    auto cost_ratio = r.oracle.cost_usd > 0.0
                        ? r.router.cost_usd / r.oracle.cost_usd
                        : 0.0;
    accuracy_ratio_sum += accuracy_ratio;
    cost_ratio_sum += cost_ratio;
    if (json) {
      std::cout << (f ? "," : "") << bench::to_json(r);
      continue;
    }
    std::printf("fold %zu/%zu: %zu train / %zu test, APGR %.4f, router "
                "accuracy %.4f (%.3fx the oracle's) at %.3fx the oracle's "
                "cost, cost at 95%% of %s: %s\n",
                f + 1, k, r.train_records, r.test_records, r.apgr.value_or(0.0),
                r.router.accuracy, accuracy_ratio, cost_ratio,
                r.best_single.model.c_str(),
                share ? (std::to_string(100.0 * *share).substr(0, 5)
                         + "% of its cost")
                          .c_str()
                      : "not reached");
  }
  auto mean_apgr = apgr_n ? apgr_sum / static_cast<double>(apgr_n) : 0.0;
  auto mean_share = reached ? cost_share_sum / static_cast<double>(reached)
                            : 0.0;
  if (json) {
    std::cout << "],\"mean_apgr\":" << mean_apgr
              << ",\"mean_cost_share_at_95pct\":" << mean_share
              << ",\"folds_reaching_95pct\":" << reached
              << ",\"mean_router_accuracy_vs_oracle\":"
              << accuracy_ratio_sum / static_cast<double>(k)
              << ",\"mean_router_cost_vs_oracle\":"
              << cost_ratio_sum / static_cast<double>(k) << "}\n";
    return 0;
  }
  std::printf("mean over %zu folds: APGR %.4f, cost at 95%% of the best "
              "model's accuracy %.1f%% of its cost (%zu of %zu folds reach "
              "it); at the registry's requirements %.3fx the oracle's "
              "accuracy at %.3fx its cost\n",
              k, mean_apgr, 100.0 * mean_share, reached, k,
              accuracy_ratio_sum / static_cast<double>(k),
              cost_ratio_sum / static_cast<double>(k));
  return 0;
}

} // namespace

int run_quality_bench_command(const std::vector<std::string>& args) {
  command_line cl{
    "bench quality",
    usage,
    {
      {"registry", takes::text,
       "registry YAML holding every model of the data"},
      {"train", takes::text, "JSONL file of train records"},
      {"test", takes::text, "JSONL file of test records"},
      {"data", takes::text, "one JSONL file, split by a hash of each id"},
      {"split", takes::number,
       "with --data: share of records to train on (default 0.8)"},
      {"validation", takes::number,
       "hold out this share of the train records as the test set"},
      {"mode", takes::text, "offline (default) or online"},
      {"points", takes::integer,
       "quality requirements swept over 0-1 (default 51)"},
      {"no-predictor", takes::nothing,
       "route on per-task-type learning and priors only (ablation)"},
      {"learning-rate", takes::number, "the success predictor's AdaGrad step"},
      {"hash-bits", takes::integer,
       "log2 of the predictor's buckets per model (4-24)"},
      {"shape-features", takes::nothing,
       "add the prompt's form to the predictor's features (digits, "
       "symbols, length)"},
      {"prompt-model", takes::nothing,
       "add the prompt model (clusters and nearest neighbours)"},
      {"neighbours", takes::integer, "the prompt model's neighbours (k)"},
      {"clusters", takes::integer, "the prompt model's clusters at most"},
      {"blend", takes::number,
       "share of predicted success from the prompt model (0-1)"},
      {"shrinkage", takes::number,
       "similarity mass at which neighbours weigh as much as the cluster"},
      {"max-prompts", takes::integer, "prompts the prompt model remembers"},
      {"prompt-terms", takes::integer,
       "terms the prompt model keeps per prompt"},
      {"query-terms", takes::integer,
       "terms of a prompt the neighbour search reads"},
      {"kfold", takes::integer,
       "cross-validate on the train records in K folds"},
      {"success-value", takes::number,
       "override policy.success_value_usd (the price of quality)"},
      {"planted-topics", takes::nothing,
       "use the generated planted-topic set instead of --registry and data"},
      {"json", takes::nothing, "print JSON"},
      {"plot", takes::text, "write the cost-quality curve as SVG to this file"},
    }};
  auto fail = [](const std::string& message) {
    std::cerr << "switchyard bench quality: " << message << "\n";
    return 2;
  };
  if (auto done = cl.parse_or_exit(args, "switchyard bench quality"))
    return *done;
  if (!cl.positional().empty())
    return fail("unexpected argument '" + cl.positional().front()
                + "' (see --help)");
  auto split = cl.number("split");
  auto validation = cl.number("validation");
  auto points = cl.integer("points");
  auto learning_rate = cl.number("learning-rate");
  auto hash_bits = cl.integer("hash-bits");
  auto neighbours = cl.integer("neighbours");
  auto clusters = cl.integer("clusters");
  auto blend = cl.number("blend");
  auto shrinkage = cl.number("shrinkage");
  auto max_prompts = cl.integer("max-prompts");
  auto prompt_terms = cl.integer("prompt-terms");
  auto query_terms = cl.integer("query-terms");
  auto kfold = cl.integer("kfold");
  auto success_value = cl.number("success-value");
  auto registry_path = cl.value("registry");
  auto data = cl.value("data");
  auto train_path = cl.value("train");
  auto test_path = cl.value("test");
  bool planted = cl.has("planted-topics");
  if (planted && (registry_path || data || train_path || test_path || split))
    return fail("--planted-topics brings its own registry and data");
  if (!planted && !registry_path)
    return fail("--registry is required (e.g. config/routellm-registry.yaml)");
  if (planted) {
    // Checked below with the other ways of giving data.
  } else if (data.has_value() == (train_path.has_value() || test_path.has_value())
      || (!data && (!train_path || !test_path)))
    return fail("give either --train and --test, or --data (see --help)");
  if (split && !data)
    return fail("--split goes with --data");
  if ((split && !(*split > 0.0 && *split < 1.0))
      || (validation && !(*validation > 0.0 && *validation < 1.0)))
    return fail("--split and --validation must be between 0 and 1");
  bench::quality_bench_options opts;
  auto mode = cl.value("mode").value_or("offline");
  if (mode == "online")
    opts.mode = bench::quality_mode::online;
  else if (mode != "offline")
    return fail("--mode must be offline or online");
  if (points) {
    if (*points < 2 || *points > 1001)
      return fail("--points must be 2-1001");
    opts.curve_points = static_cast<std::size_t>(*points);
  }
  opts.use_predictor = !cl.has("no-predictor");
  if (learning_rate) {
    if (!(*learning_rate > 0.0))
      return fail("--learning-rate must be positive");
    opts.predictor.learning_rate = *learning_rate;
  }
  if (hash_bits) {
    if (*hash_bits < 4 || *hash_bits > 24)
      return fail("--hash-bits must be 4-24");
    opts.predictor.hash_bits = static_cast<std::uint32_t>(*hash_bits);
  }
  opts.predictor.shape_features = cl.has("shape-features");
  if (kfold && (*kfold < 2 || *kfold > 100))
    return fail("--kfold must be 2-100");
  if (kfold && validation)
    return fail("--kfold and --validation are two ways to tune; give one");

  bench::planted_topics_set generated;
  if (planted)
    generated = bench::make_planted_topics();
  auto loaded
    = planted ? config::parse_registry(generated.registry_yaml,
                                       "<planted topics>", config::process_env())
              : config::load_registry_file(*registry_path,
                                           config::process_env());
  std::string registry_name = planted ? "<planted topics>" : *registry_path;
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors)
      std::cerr << e.to_string() << "\n";
    return fail(std::to_string(loaded.errors.size()) + " error"
                + (loaded.errors.size() == 1 ? "" : "s") + " in "
                + registry_name);
  }
  if (success_value) {
    if (!(*success_value > 0.0))
      return fail("--success-value must be positive");
    loaded.registry->policy.success_value_usd = *success_value;
  }
  const auto& reg = *loaded.registry;
  // The registry's prompt_model settings, then the flags over them.
  opts.use_prompt_model = cl.has("prompt-model") || reg.prompt_model.enabled;
  opts.prompt_model = reg.prompt_model.params;
  auto& pm = opts.prompt_model;
  if (neighbours) {
    if (*neighbours < 1 || *neighbours > 4096)
      return fail("--neighbours must be 1-4096");
    pm.neighbours = static_cast<std::size_t>(*neighbours);
  }
  if (clusters) {
    if (*clusters < 1 || *clusters > 4096)
      return fail("--clusters must be 1-4096");
    pm.clusters = static_cast<std::size_t>(*clusters);
  }
  if (blend) {
    if (!(*blend >= 0.0 && *blend <= 1.0))
      return fail("--blend must be 0-1");
    pm.blend = *blend;
  }
  if (shrinkage) {
    if (!(*shrinkage >= 0.0))
      return fail("--shrinkage must be at least 0");
    pm.neighbour_shrinkage = *shrinkage;
  }
  if (prompt_terms) {
    if (*prompt_terms < 1 || *prompt_terms > 4096)
      return fail("--prompt-terms must be 1-4096");
    pm.max_terms_per_prompt = static_cast<std::size_t>(*prompt_terms);
  }
  if (query_terms) {
    if (*query_terms < 1 || *query_terms > 4096)
      return fail("--query-terms must be 1-4096");
    pm.max_query_terms = static_cast<std::size_t>(*query_terms);
  }
  if (max_prompts) {
    if (*max_prompts < 1)
      return fail("--max-prompts must be positive");
    pm.max_prompts = static_cast<std::size_t>(*max_prompts);
  }
  std::vector<bench::quality_record> train;
  std::vector<bench::quality_record> test;
  if (planted) {
    train = std::move(generated.train);
    test = std::move(generated.test);
  } else if (data) {
    auto all = bench::read_quality_jsonl(*data, reg, *registry_path);
    if (!all.error.empty())
      return fail(all.error);
    bench::split_by_id(std::move(all.records), split.value_or(0.8), train,
                       test);
  } else {
    auto a = bench::read_quality_jsonl(*train_path, reg, *registry_path);
    if (!a.error.empty())
      return fail(a.error);
    auto b = bench::read_quality_jsonl(*test_path, reg, *registry_path);
    if (!b.error.empty())
      return fail(b.error);
    train = std::move(a.records);
    test = std::move(b.records);
  }
  if (validation) {
    // Tune on a slice of the train records; the test records stay unseen.
    std::vector<bench::quality_record> fit;
    std::vector<bench::quality_record> held_out;
    bench::split_by_id(std::move(train), 1.0 - *validation, fit, held_out,
                       validation_salt);
    train = std::move(fit);
    test = std::move(held_out);
  }
  if (kfold)
    return run_kfold(reg, std::move(train), static_cast<std::size_t>(*kfold),
                     opts, cl.has("json"));
  if (test.empty())
    return fail("no test records (check --split / --validation)");

  auto r = bench::run_quality_bench(reg, train, test, opts);
  if (!r.error.empty()) {
    std::cerr << "switchyard bench quality: " << r.error << "\n";
    return 1;
  }
  if (auto plot = cl.value("plot")) {
    std::ofstream out{*plot, std::ios::binary};
    out << bench::to_svg(r);
    if (!out)
      return fail("cannot write " + *plot);
  }
  if (cl.has("json"))
    std::cout << bench::to_json(r) << "\n";
  else
    print_text(r);
  return 0;
}

} // namespace switchyard::cli

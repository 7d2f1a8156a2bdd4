#include "switchyard/engine/prompt_index.hpp"

#include "switchyard/engine/prompt_words.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

namespace switchyard::engine {

namespace {

using weighted_term = std::pair<std::uint32_t, float>;

/// A deterministic stream of doubles in [0, 1) (splitmix64).
class unit_stream {
 public:
  explicit unit_stream(std::uint64_t seed) noexcept : state_(seed) {}

  double next() noexcept {
    state_ += 0x9e3779b97f4a7c15ull;
    return static_cast<double>(mix64(state_) >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

/// Sublinear term frequency: a word said ten times is not ten times as
/// telling.
float tf_weight(std::uint16_t count) noexcept {
  return 1.0f + std::log(static_cast<float>(std::max<std::uint16_t>(count, 1)));
}

void normalize(std::vector<weighted_term>& v) {
  double norm = 0.0;
  for (const auto& [t, w] : v)
    norm += static_cast<double>(w) * w;
  if (norm <= 0.0)
    return;
  auto inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (auto& tw : v)
    tw.second *= inv;
}

/// Spherical k-means over unit-length sparse documents: centroids are the
/// normalized sums of their members, truncated to their heaviest terms.
class kmeans {
 public:
  kmeans(const std::vector<std::uint32_t>& begin,
         const std::vector<std::uint32_t>& term,
         const std::vector<float>& weight, std::size_t term_count,
         std::size_t centroid_terms)
      : begin_(begin), term_(term), weight_(weight), term_count_(term_count),
        centroid_terms_(centroid_terms) {}

  std::size_t docs() const noexcept {
    return begin_.size() - 1;
  }

  /// Seeds `k` centroids by k-means++ (distance 1 - cosine) from a fixed
  /// seed, then runs `iterations` rounds of assignment and update.
  void fit(std::size_t k, std::size_t iterations) {
    centroids_.clear();
    unit_stream draw{0x5eed5eedull ^ docs()};
    std::vector<double> nearest(docs(), 0.0); // best similarity so far
    std::vector<float> dense(term_count_, 0.0f);
    auto first = static_cast<std::size_t>(draw.next() * static_cast<double>(docs()));
    add_centroid_from_doc(std::min(first, docs() - 1));
    for (std::size_t c = 1; c < k; ++c) {
      // Similarity of every document to the newest centroid.
      const auto& cen = centroids_.back();
      for (const auto& [t, w] : cen)
        dense[t] = w;
      double total = 0.0;
      std::vector<double> dist(docs());
      for (std::size_t d = 0; d < docs(); ++d) {
        double s = 0.0;
        for (auto i = begin_[d]; i < begin_[d + 1]; ++i)
          s += static_cast<double>(weight_[i]) * dense[term_[i]];
        nearest[d] = std::max(nearest[d], s);
        auto dd = std::max(0.0, 1.0 - nearest[d]);
        dist[d] = dd * dd;
        total += dist[d];
      }
      for (const auto& [t, w] : cen)
        dense[t] = 0.0f;
      if (total <= 0.0)
        break; // every document already sits on a centroid
      // k-means++ draws proportionally to the squared distance; of three
      // draws the farthest is taken, so that two seeds rarely land in one
      // topic when the history is small.
      std::size_t pick = 0;
      for (int attempt = 0; attempt < 3; ++attempt) {
        auto target = draw.next() * total;
        std::size_t drawn = docs() - 1;
        for (std::size_t d = 0; d < docs(); ++d) {
          target -= dist[d];
          if (target < 0.0) {
            drawn = d;
            break;
          }
        }
        if (attempt == 0 || dist[drawn] > dist[pick])
          pick = drawn;
      }
      add_centroid_from_doc(pick);
    }
    assignment_.assign(docs(), 0);
    for (std::size_t it = 0; it < iterations; ++it) {
      bool moved = assign();
      update(dense);
      if (!moved && it > 0)
        break;
    }
    assign();
  }

  const std::vector<std::vector<weighted_term>>& centroids() const noexcept {
    return centroids_;
  }

  const std::vector<std::uint16_t>& assignment() const noexcept {
    return assignment_;
  }

 private:
  void add_centroid_from_doc(std::size_t d) {
    std::vector<weighted_term> c;
    for (auto i = begin_[d]; i < begin_[d + 1]; ++i)
      c.emplace_back(term_[i], weight_[i]);
    centroids_.push_back(std::move(c));
  }

  /// Assigns every document to its most similar centroid (ties: the lower
  /// index; no shared term: centroid 0). A centroid left with no document
  /// is moved onto the document that fits its own centroid worst, so a
  /// poor seeding does not leave two topics in one cluster. Returns
  /// whether any document moved.
  bool assign() {
    // term -> (centroid, weight), grouped by term.
    std::vector<std::uint32_t> start(term_count_ + 1, 0);
    for (const auto& c : centroids_)
      for (const auto& [t, w] : c)
        ++start[t + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::pair<std::uint16_t, float>> entries(start.back());
    auto fill = start;
    for (std::size_t c = 0; c < centroids_.size(); ++c)
      for (const auto& [t, w] : centroids_[c])
        entries[fill[t]++] = {static_cast<std::uint16_t>(c), w};
    std::vector<double> score(centroids_.size());
    std::vector<double> fit(docs());
    std::vector<std::uint32_t> members(centroids_.size(), 0);
    bool moved = false;
    for (std::size_t d = 0; d < docs(); ++d) {
      std::fill(score.begin(), score.end(), 0.0);
      for (auto i = begin_[d]; i < begin_[d + 1]; ++i) {
        auto t = term_[i];
        for (auto e = start[t]; e < start[t + 1]; ++e)
          score[entries[e].first]
            += static_cast<double>(weight_[i]) * entries[e].second;
      }
      auto best = static_cast<std::uint16_t>(
        std::max_element(score.begin(), score.end()) - score.begin());
      fit[d] = score[best];
      ++members[best];
      if (best != assignment_[d]) {
        assignment_[d] = best;
        moved = true;
      }
    }
    for (std::size_t c = 0; c < centroids_.size(); ++c) {
      if (members[c] != 0)
        continue;
      // The worst-fitting document of a cluster that keeps another member.
      std::size_t worst = docs();
      for (std::size_t d = 0; d < docs(); ++d)
        if (members[assignment_[d]] > 1 && (worst == docs() || fit[d] < fit[worst]))
          worst = d;
      if (worst == docs())
        break;
      --members[assignment_[worst]];
      assignment_[worst] = static_cast<std::uint16_t>(c);
      members[c] = 1;
      fit[worst] = 1.0;
      moved = true;
    }
    return moved;
  }

  /// Each centroid becomes its members' normalized sum, kept to its
  /// heaviest `centroid_terms_` terms; an empty cluster keeps its centroid.
  void update(std::vector<float>& dense) {
    std::vector<std::vector<std::uint32_t>> members(centroids_.size());
    for (std::size_t d = 0; d < docs(); ++d)
      members[assignment_[d]].push_back(static_cast<std::uint32_t>(d));
    std::vector<std::uint32_t> touched;
    for (std::size_t c = 0; c < centroids_.size(); ++c) {
      if (members[c].empty())
        continue;
      touched.clear();
      for (auto d : members[c])
        for (auto i = begin_[d]; i < begin_[d + 1]; ++i) {
          if (dense[term_[i]] == 0.0f)
            touched.push_back(term_[i]);
          dense[term_[i]] += weight_[i];
        }
      std::vector<weighted_term> next;
      next.reserve(touched.size());
      for (auto t : touched) {
        next.emplace_back(t, dense[t]);
        dense[t] = 0.0f;
      }
      if (next.size() > centroid_terms_) {
        std::nth_element(next.begin(),
                         next.begin() + static_cast<std::ptrdiff_t>(centroid_terms_),
                         next.end(), [](const auto& a, const auto& b) {
                           if (a.second != b.second)
                             return a.second > b.second;
                           return a.first < b.first;
                         });
        next.resize(centroid_terms_);
      }
      std::sort(next.begin(), next.end());
      normalize(next);
      centroids_[c] = std::move(next);
    }
  }

  const std::vector<std::uint32_t>& begin_;
  const std::vector<std::uint32_t>& term_;
  const std::vector<float>& weight_;
  std::size_t term_count_;
  std::size_t centroid_terms_;
  std::vector<std::vector<weighted_term>> centroids_;
  std::vector<std::uint16_t> assignment_;
};

} // namespace

const prompt_index::posting*
prompt_index::first_at_or_after(const posting* first, const posting* last,
                                std::uint32_t doc) noexcept {
  // Documents spread evenly over a posting list, so interpolating the
  // position lands within a few entries; a binary search over a long list
  // costs a cache miss per step instead.
  auto n = last - first;
  if (n == 0 || first->doc >= doc)
    return first;
  if ((last - 1)->doc < doc)
    return last;
  auto span = static_cast<double>((last - 1)->doc - first->doc);
  auto guess = static_cast<std::ptrdiff_t>(
    static_cast<double>(doc - first->doc) / span * static_cast<double>(n - 1));
  const auto* at = first + std::clamp<std::ptrdiff_t>(guess, 0, n - 1);
  if (at->doc < doc) {
    // Gallop forward, then search the last stride.
    std::ptrdiff_t step = 1;
    const auto* from = at;
    while (last - at > step && at[step].doc < doc) {
      from = at + step;
      at += step;
      step *= 2;
    }
    const auto* to = last - at > step ? at + step + 1 : last;
    return std::lower_bound(from, to, doc, [](const posting& e, std::uint32_t d) {
      return e.doc < d;
    });
  }
  // Gallop backward.
  std::ptrdiff_t step = 1;
  const auto* to = at + 1;
  while (at - first >= step && at[-step].doc >= doc) {
    to = at - step + 1;
    at -= step;
    step *= 2;
  }
  const auto* from = at - first >= step ? at - step : first;
  return std::lower_bound(from, to, doc, [](const posting& e, std::uint32_t d) {
    return e.doc < d;
  });
}

void prompt_index::add_to(tally& t, const prompt_outcome& o, double f) {
  t.weight += static_cast<double>(o.weight) * f;
  t.score += static_cast<double>(o.score_sum) * f;
  t.cost_weight += static_cast<double>(o.cost_weight) * f;
  t.cost += static_cast<double>(o.cost_sum_usd) * f;
}

prompt_index prompt_index::build(const prompt_history& history,
                                 std::span<const double> priors,
                                 double now_s) {
  prompt_index ix;
  ix.params_ = history.params();
  ix.priors_.assign(priors.begin(), priors.end());
  ix.history_version_ = history.version();
  const auto& entries = history.entries();
  auto models = priors.size();
  auto n = entries.size();
  ix.docs_ = n;
  ix.global_tally_.assign(models, {});
  if (n == 0)
    return ix;
  auto nd = static_cast<double>(n);

  // -- inverse document frequency, by bucket --
  const auto& df = history.frequency_table();
  ix.idf_.resize(df.size());
  for (std::size_t b = 0; b < df.size(); ++b)
    ix.idf_[b] = static_cast<float>(
      std::log((1.0 + nd) / (1.0 + static_cast<double>(df[b]))) + 1.0);

  // -- documents: unit-length TF-IDF vectors over buckets (for k-means) --
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> bucket;
  std::vector<float> weight;
  std::vector<weighted_term> v;
  for (const auto& e : entries) {
    v.clear();
    for (const auto& t : e.terms) {
      auto b = prompt_history::frequency_bucket(t.id);
      v.emplace_back(b, tf_weight(t.count) * ix.idf_[b]);
    }
    normalize(v);
    std::sort(v.begin(), v.end());
    for (const auto& [b, w] : v) {
      bucket.push_back(b);
      weight.push_back(w);
    }
    begin.push_back(static_cast<std::uint32_t>(bucket.size()));
  }

  // -- clusters --
  auto k = std::clamp<std::size_t>(
    n / std::max<std::size_t>(ix.params_.min_cluster_prompts, 1), 1,
    std::min<std::size_t>(ix.params_.clusters, prompt_evidence::no_cluster - 1));
  kmeans km{begin, bucket, weight, df.size(), ix.params_.centroid_terms};
  km.fit(k, ix.params_.kmeans_iterations);
  ix.cluster_count_ = km.centroids().size();
  ix.doc_cluster_ = km.assignment();
  for (std::size_t c = 0; c < km.centroids().size(); ++c)
    for (const auto& [b, w] : km.centroids()[c])
      ix.centroids_.push_back({b, static_cast<std::uint16_t>(c), w});
  std::sort(ix.centroids_.begin(), ix.centroids_.end(),
            [](const centroid_entry& a, const centroid_entry& b) {
              return a.bucket != b.bucket ? a.bucket < b.bucket
                                          : a.cluster < b.cluster;
            });
  ix.centroid_buckets_.assign(df.size() / 64 + 1, 0);
  for (std::size_t i = 0; i < ix.centroids_.size(); ++i) {
    auto b = ix.centroids_[i].bucket;
    if (i == 0 || ix.centroids_[i - 1].bucket != b)
      ix.centroid_begin_.push_back(static_cast<std::uint32_t>(i));
    ix.centroid_buckets_[b >> 6] |= std::uint64_t{1} << (b & 63);
  }
  ix.centroid_begin_.push_back(static_cast<std::uint32_t>(ix.centroids_.size()));
  ix.centroid_rank_.resize(ix.centroid_buckets_.size());
  std::uint32_t before = 0;
  for (std::size_t w = 0; w < ix.centroid_buckets_.size(); ++w) {
    ix.centroid_rank_[w] = before;
    before += static_cast<std::uint32_t>(std::popcount(ix.centroid_buckets_[w]));
  }

  // -- documents renumbered by cluster, so a cluster is a range --
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) {
                     return ix.doc_cluster_[a] < ix.doc_cluster_[b];
                   });
  ix.cluster_begin_.assign(ix.cluster_count_ + 1, 0);
  for (std::size_t d = 0; d < n; ++d)
    ++ix.cluster_begin_[ix.doc_cluster_[d] + 1];
  std::partial_sum(ix.cluster_begin_.begin(), ix.cluster_begin_.end(),
                   ix.cluster_begin_.begin());

  // -- outcomes, and each cluster's and model's decayed tallies --
  ix.cluster_tally_.assign(ix.cluster_count_ * models, {});
  ix.outcome_begin_.push_back(0);
  for (auto old : order) {
    for (const auto& o : entries[old].outcomes) {
      if (o.model >= models || o.weight <= 0.0f)
        continue;
      auto f = decay_factor(now_s - o.as_of_s, ix.params_.half_life_s);
      ix.outcomes_.push_back(
        {o.model, o.score_sum / o.weight,
         o.cost_weight > 0.0f ? o.cost_sum_usd / o.cost_weight
                              : std::numeric_limits<float>::quiet_NaN()});
      add_to(ix.global_tally_[o.model], o, f);
      add_to(ix.cluster_tally_[ix.doc_cluster_[old] * models + o.model], o, f);
    }
    ix.outcome_begin_.push_back(static_cast<std::uint32_t>(ix.outcomes_.size()));
  }

  // -- postings by bucket, each sorted by (new) document; the commonest
  //    terms left out --
  auto max_df = std::max<double>(2.0, ix.params_.max_term_share * nd);
  ix.posting_begin_.assign(df.size() + 1, 0);
  auto indexed = [&](std::uint32_t b) {
    return static_cast<double>(df[b]) <= max_df;
  };
  for (auto old : order)
    for (const auto& t : entries[old].terms)
      if (auto b = prompt_history::frequency_bucket(t.id); indexed(b))
        ++ix.posting_begin_[b + 1];
  std::partial_sum(ix.posting_begin_.begin(), ix.posting_begin_.end(),
                   ix.posting_begin_.begin());
  ix.postings_.resize(ix.posting_begin_.back());
  auto fill = ix.posting_begin_;
  double norm = 0.0;
  for (std::uint32_t d = 0; d < n; ++d) {
    const auto& terms = entries[order[d]].terms;
    norm = 0.0;
    for (const auto& t : terms) {
      auto w = static_cast<double>(tf_weight(t.count))
               * ix.idf_[prompt_history::frequency_bucket(t.id)];
      norm += w * w;
    }
    auto inv = norm > 0.0 ? 1.0 / std::sqrt(norm) : 0.0;
    for (const auto& t : terms) {
      auto b = prompt_history::frequency_bucket(t.id);
      if (!indexed(b))
        continue;
      auto w = static_cast<double>(tf_weight(t.count)) * ix.idf_[b] * inv;
      ix.postings_[fill[b]++] = {d, t.id, static_cast<float>(w)};
    }
  }
  return ix;
}

void prompt_index::weigh(std::span<const prompt_term> terms,
                         std::vector<query_term>& out) const {
  out.clear();
  double norm = 0.0;
  for (const auto& t : terms) {
    auto b = prompt_history::frequency_bucket(t.id);
    auto w = tf_weight(t.count) * idf_[b];
    norm += static_cast<double>(w) * w;
    out.push_back({t.id, b, w});
  }
  if (norm <= 0.0)
    return;
  auto inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (auto& q : out)
    q.weight *= inv;
}

prompt_evidence prompt_index::estimate(std::span<const prompt_term> terms,
                                       std::vector<prompt_estimate>& out) const {
  auto models = priors_.size();
  out.assign(models, prompt_estimate{});
  prompt_evidence ev;
  const auto& p = params_;
  // The model's overall rate and cost, toward the registry prior.
  thread_local std::vector<double> base_success;
  thread_local std::vector<double> base_cost;
  base_success.resize(models);
  base_cost.resize(models);
  for (std::size_t m = 0; m < models; ++m) {
    const auto& g = global_tally_[m];
    base_success[m] = (g.score + p.global_prior_strength * priors_[m])
                      / (g.weight + p.global_prior_strength);
    base_cost[m] = g.cost_weight > 0.0
                     ? g.cost / g.cost_weight
                     : std::numeric_limits<double>::quiet_NaN();
    out[m].success = base_success[m];
    out[m].cost_usd = base_cost[m];
  }
  if (docs_ == 0)
    return ev;
  thread_local std::vector<query_term> q;
  weigh(terms, q);
  if (q.empty())
    return ev;

  // -- the cluster: the centroid most similar to the prompt --
  thread_local std::vector<double> cluster_score;
  cluster_score.assign(cluster_count_, 0.0);
  bool any = false;
  for (const auto& t : q) {
    auto word = centroid_buckets_[t.bucket >> 6];
    auto bit = std::uint64_t{1} << (t.bucket & 63);
    if ((word & bit) == 0)
      continue;
    auto rank = centroid_rank_[t.bucket >> 6]
                + static_cast<std::uint32_t>(std::popcount(word & (bit - 1)));
    for (auto e = centroid_begin_[rank]; e < centroid_begin_[rank + 1]; ++e) {
      const auto& c = centroids_[e];
      cluster_score[c.cluster] += static_cast<double>(t.weight) * c.weight;
      any = true;
    }
  }
  if (!any)
    return ev;
  ev.cluster = static_cast<std::uint16_t>(
    std::max_element(cluster_score.begin(), cluster_score.end())
    - cluster_score.begin());
  for (std::size_t m = 0; m < models; ++m) {
    const auto& c = cluster_tally_[ev.cluster * models + m];
    auto b = p.cluster_prior_strength;
    base_success[m] = (c.score + b * base_success[m]) / (c.weight + b);
    if (!std::isnan(base_cost[m]))
      base_cost[m] = (c.cost + b * base_cost[m]) / (c.cost_weight + b);
    out[m].weight = c.weight / (c.weight + p.confidence_half_outcomes);
    out[m].success = base_success[m];
    out[m].cost_usd = base_cost[m];
  }

  // -- the nearest neighbours, within the cluster, by the prompt's most
  //    telling terms --
  if (q.size() > p.max_query_terms) {
    std::nth_element(q.begin(),
                     q.begin() + static_cast<std::ptrdiff_t>(p.max_query_terms),
                     q.end(), [](const query_term& a, const query_term& b) {
                       return a.weight != b.weight ? a.weight > b.weight
                                                   : a.id < b.id;
                     });
    q.resize(p.max_query_terms);
  }
  auto lo = cluster_begin_[ev.cluster];
  auto hi = cluster_begin_[ev.cluster + 1];
  thread_local std::vector<float> acc;
  thread_local std::vector<std::uint32_t> touched;
  if (acc.size() < docs_)
    acc.assign(docs_, 0.0f);
  touched.clear();
  for (const auto& t : q) {
    const auto* first = postings_.data() + posting_begin_[t.bucket];
    const auto* last = postings_.data() + posting_begin_[t.bucket + 1];
    const auto* at = first_at_or_after(first, last, lo);
    for (; at != last && at->doc < hi; ++at) {
      if (at->term != t.id)
        continue; // another term in the same bucket
      if (acc[at->doc] == 0.0f)
        touched.push_back(at->doc);
      acc[at->doc] += t.weight * at->weight;
    }
  }
  thread_local std::vector<std::pair<float, std::uint32_t>> near;
  near.clear();
  for (auto d : touched) {
    if (acc[d] > 0.0f)
      near.emplace_back(acc[d], d);
    acc[d] = 0.0f;
  }
  auto k = std::min(p.neighbours, near.size());
  if (k < near.size())
    std::nth_element(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(k),
                     near.end(), [](const auto& a, const auto& b) {
                       return a.first != b.first ? a.first > b.first
                                                 : a.second < b.second;
                     });
  near.resize(k);
  if (k == 0)
    return ev;
  ev.neighbours = static_cast<std::uint16_t>(std::min<std::size_t>(k, 0xffff));
  double sim_sum = 0.0;
  thread_local std::vector<tally> nb;
  nb.assign(models, {});
  for (const auto& [sim, d] : near) {
    sim_sum += sim;
    auto s = static_cast<double>(std::min(sim, 1.0f));
    auto w = p.similarity_power == 2.0 ? s * s : std::pow(s, p.similarity_power);
    for (auto o = outcome_begin_[d]; o < outcome_begin_[d + 1]; ++o) {
      const auto& x = outcomes_[o];
      auto& t = nb[x.model];
      t.weight += w;
      t.score += w * x.score;
      if (!std::isnan(x.cost)) {
        t.cost_weight += w;
        t.cost += w * x.cost;
      }
    }
  }
  ev.mean_similarity = static_cast<float>(sim_sum / static_cast<double>(k));
  auto beta = p.neighbour_shrinkage;
  for (std::size_t m = 0; m < models; ++m) {
    const auto& t = nb[m];
    if (t.weight <= 0.0)
      continue;
    out[m].success = (t.score + beta * base_success[m]) / (t.weight + beta);
    if (t.cost_weight > 0.0)
      out[m].cost_usd
        = std::isnan(base_cost[m])
            ? t.cost / t.cost_weight
            : (t.cost + beta * base_cost[m]) / (t.cost_weight + beta);
  }
  return ev;
}

bool needs_refit(const prompt_history& history,
                 const prompt_index& index) noexcept {
  if (history.version() == index.history_version())
    return false;
  const auto& p = history.params();
  auto due = std::max(static_cast<double>(p.refit_min_outcomes),
                      p.refit_share * static_cast<double>(history.size()));
  // A restored history (its version jumped) or a first index: at once.
  return index.prompts() == 0 || history.version() < index.history_version()
         || static_cast<double>(history.version() - index.history_version())
              >= due;
}

void combine_estimates(std::span<const success_estimate> predicted,
                       std::span<const prompt_estimate> prompt, double blend,
                       std::vector<success_estimate>& out) {
  auto n = std::max(predicted.size(), prompt.size());
  out.assign(n, success_estimate{});
  blend = std::clamp(blend, 0.0, 1.0);
  for (std::size_t m = 0; m < n; ++m) {
    const auto* a = m < predicted.size() ? &predicted[m] : nullptr;
    const auto* b = m < prompt.size() ? &prompt[m] : nullptr;
    auto& o = out[m];
    if (a != nullptr && b != nullptr && a->weight > 0.0) {
      o.probability = blend * b->success + (1.0 - blend) * a->probability;
      o.weight = std::max(a->weight, b->weight);
    } else if (b == nullptr) {
      o = *a;
    } else {
      o.probability = b->success;
      o.weight = b->weight;
    }
    if (b != nullptr)
      o.cost_usd = b->cost_usd;
  }
}

std::size_t prompt_index::memory_bytes() const noexcept {
  return idf_.capacity() * sizeof(float)
         + (cluster_begin_.capacity() + posting_begin_.capacity()
            + outcome_begin_.capacity())
             * sizeof(std::uint32_t)
         + postings_.capacity() * sizeof(posting)
         + outcomes_.capacity() * sizeof(doc_outcome)
         + doc_cluster_.capacity() * sizeof(std::uint16_t)
         + centroids_.capacity() * sizeof(centroid_entry)
         + centroid_buckets_.capacity() * sizeof(std::uint64_t)
         + (centroid_rank_.capacity() + centroid_begin_.capacity())
             * sizeof(std::uint32_t)
         + (cluster_tally_.capacity() + global_tally_.capacity())
             * sizeof(tally);
}

} // namespace switchyard::engine

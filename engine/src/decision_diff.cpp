#include "switchyard/engine/decision_diff.hpp"

#include <cstring>

#include <charconv>
#include <string_view>

namespace switchyard::engine {

namespace {

/// Walks two decisions field by field and stops at the first difference.
class differ {
public:
  explicit differ(const registry& reg) : reg_(reg) {
  }

  std::optional<decision_difference> found;

  [[nodiscard]] bool done() const noexcept {
    return found.has_value();
  }

  void number(const std::string& path, double a, double b) {
    // Bitwise equality would tell 0.0 from -0.0; exact == is the contract.
    if (!done() && !(a == b || (a != a && b != b)))
      found = decision_difference{path, text(a), text(b)};
  }

  template <class Int>
  void integer(const std::string& path, Int a, Int b) {
    if (!done() && a != b)
      found = decision_difference{path, std::to_string(a), std::to_string(b)};
  }

  void flag(const std::string& path, bool a, bool b) {
    if (!done() && a != b)
      found = decision_difference{path, a ? "true" : "false",
                                  b ? "true" : "false"};
  }

  void words(const std::string& path, std::string_view a, std::string_view b) {
    if (!done() && a != b)
      found = decision_difference{path, std::string{a}, std::string{b}};
  }

  void model(const std::string& path, std::uint16_t a, std::uint16_t b) {
    if (!done() && a != b)
      found = decision_difference{path, model_name(a), model_name(b)};
  }

  /// Compares sizes first, then elements with `each(path, a, b)`.
  template <class T, class F>
  void list(const std::string& path, const std::vector<T>& a,
            const std::vector<T>& b, F each) {
    integer(path + ".size", a.size(), b.size());
    for (std::size_t i = 0; i < a.size() && i < b.size() && !done(); ++i)
      each(path + "[" + std::to_string(i) + "]", a[i], b[i]);
  }

private:
  static std::string text(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, r.ptr);
  }

  std::string model_name(std::uint16_t m) const {
    return m < reg_.models.size() ? reg_.models[m].id
                                  : "#" + std::to_string(m);
  }

  const registry& reg_;
};

void compare_cost(differ& d, const std::string& path, const cost_range& a,
                  const cost_range& b) {
  d.integer(path + ".min", a.min, b.min);
  d.integer(path + ".expected", a.expected, b.expected);
  d.integer(path + ".max", a.max, b.max);
}

} // namespace

std::optional<decision_difference>
first_difference(const decision& logged, const decision& recomputed,
                 const registry& reg) {
  differ d{reg};
  const auto& a = logged;
  const auto& b = recomputed;
  d.words("complexity", to_string(a.cls.tier), to_string(b.cls.tier));
  d.integer("complexity_score", a.cls.score, b.cls.score);
  d.words("task_type", to_string(a.cls.type), to_string(b.cls.type));
  d.flag("classification.tier_given", a.cls.tier_given, b.cls.tier_given);
  d.flag("classification.type_given", a.cls.type_given, b.cls.type_given);
  d.integer("classification.matched_count", a.cls.matched_count,
            b.cls.matched_count);
  for (std::size_t i = 0; i < a.cls.matched_count && i < b.cls.matched_count;
       ++i)
    d.integer("classification.matched[" + std::to_string(i) + "]",
              a.cls.matched[i], b.cls.matched[i]);
  d.integer("classification.word_count", a.cls.word_count, b.cls.word_count);
  d.integer("tokens.input", a.tokens.input, b.tokens.input);
  d.integer("tokens.output", a.tokens.output, b.tokens.output);
  d.number("quality_required", a.quality_required, b.quality_required);
  d.integer("budget_cap_nanos", a.budget_cap, b.budget_cap);
  d.number("latency_bound_s", a.latency_bound_s, b.latency_bound_s);
  d.words("selection_rule", to_string(a.rule), to_string(b.rule));
  d.integer("notes", a.notes, b.notes);
  if (a.has_model() && b.has_model())
    d.model("model", a.model, b.model);
  d.list("fallbacks", a.fallbacks, b.fallbacks,
         [&](const std::string& p, std::uint16_t x, std::uint16_t y) {
           d.model(p, x, y);
         });
  d.flag("parallel", a.parallel, b.parallel);
  d.list("ensemble.members", a.ensemble.members, b.ensemble.members,
         [&](const std::string& p, std::uint16_t x, std::uint16_t y) {
           d.model(p, x, y);
         });
  d.flag("ensemble.has_judge", a.ensemble.has_judge, b.ensemble.has_judge);
  if (a.ensemble.has_judge && b.ensemble.has_judge)
    d.model("ensemble.judge", a.ensemble.judge, b.ensemble.judge);
  if (a.parallel && b.parallel) {
    d.words("ensemble.strategy", to_string(a.ensemble.strategy),
            to_string(b.ensemble.strategy));
    d.integer("ensemble.max_cost_nanos", a.ensemble.max_cost,
              b.ensemble.max_cost);
    // A deadline of 0 was recorded before hedging: nothing to compare.
    if (a.ensemble.deadline_ms != 0 && b.ensemble.deadline_ms != 0) {
      d.integer("ensemble.quorum", a.ensemble.quorum, b.ensemble.quorum);
      d.integer("ensemble.deadline_ms", a.ensemble.deadline_ms,
                b.ensemble.deadline_ms);
    }
  }
  d.list("candidates", a.candidates, b.candidates,
         [&](const std::string& p, const candidate& x, const candidate& y) {
           d.model(p + ".model", x.model, y.model);
           d.number(p + ".points.quality", x.points.quality, y.points.quality);
           d.number(p + ".points.cost", x.points.cost, y.points.cost);
           d.number(p + ".points.history", x.points.history, y.points.history);
           d.number(p + ".points.learned", x.points.learned, y.points.learned);
           d.number(p + ".points.preference", x.points.preference,
                    y.points.preference);
           d.number(p + ".points.diversity", x.points.diversity,
                    y.points.diversity);
           d.number(p + ".points.vendor", x.points.vendor, y.points.vendor);
           d.number(p + ".total", x.total, y.total);
           d.number(p + ".predicted_quality", x.predicted_quality,
                    y.predicted_quality);
           d.flag(p + ".capable", x.capable, y.capable);
           compare_cost(d, p + ".cost_nanos", x.cost, y.cost);
           d.number(p + ".latency_s", x.latency_s, y.latency_s);
         });
  d.list("filtered_out", a.filtered_out, b.filtered_out,
         [&](const std::string& p, const filtered_model& x,
             const filtered_model& y) {
           d.model(p + ".model", x.model, y.model);
           d.words(p + ".reason", to_string(x.reason), to_string(y.reason));
           d.number(p + ".value", x.value, y.value);
           d.number(p + ".limit", x.limit, y.limit);
           d.integer(p + ".missing", x.missing.bits(), y.missing.bits());
         });
  return std::move(d.found);
}

namespace {

/// FNV-1a over the bytes of plain values.
struct fnv {
  std::uint64_t h = 14695981039346656037ULL;

  template <class T>
  void add(T v) noexcept {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    for (auto b : bytes) {
      h ^= b;
      h *= 1099511628211ULL;
    }
  }
};

} // namespace

std::uint64_t evidence_hash(const decision& d) noexcept {
  fnv f;
  f.add(d.candidates.size());
  for (const auto& c : d.candidates) {
    f.add(c.model);
    const auto& p = c.points;
    for (double v : {p.quality, p.cost, p.history, p.learned, p.preference,
                     p.diversity, p.vendor, c.total, c.predicted_quality,
                     c.latency_s})
      f.add(v);
    f.add(c.capable);
    f.add(c.cost.min);
    f.add(c.cost.expected);
    f.add(c.cost.max);
  }
  f.add(d.filtered_out.size());
  for (const auto& x : d.filtered_out) {
    f.add(x.model);
    f.add(static_cast<std::uint8_t>(x.reason));
    f.add(x.value);
    f.add(x.limit);
    f.add(x.missing.bits());
  }
  return f.h == 0 ? 1 : f.h;
}

} // namespace switchyard::engine

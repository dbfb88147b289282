#include "tinymlops/compress/mixed_precision.h"

#include <algorithm>
#include <numeric>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"

namespace tinymlops {

namespace {

// Combinations tried one by one; beyond this the search is greedy.
constexpr double kExhaustiveLimit = 4096;

// Weight widths the kernels offer for an op, widest first; empty for ops
// without weights.
std::vector<int> weight_widths(OpKind kind) {
  if (op_has_weights(kind)) return {8, 4};
  return {};
}

// Mean squared difference between `model`'s outputs and `reference` on `rows`.
double output_error(const DeployModel& model, const Dataset& rows, const Matrix& reference) {
  const Matrix outputs = ReferenceEngine(model).predict(rows.features);
  return static_cast<double>((outputs - reference).squaredNorm()) / static_cast<double>(reference.size());
}

// A weighted op and, per offered width (index 0 is 8 bits), the constant bytes
// saved and the output error added against all-int8 when it alone takes it.
struct Candidate {
  size_t op = 0;
  std::vector<int> widths;
  std::vector<int64_t> saved;
  std::vector<double> added;
  double cost(size_t w) const { return std::max(added[w], 0.0); }  // noise can make lowering look free
};

// A width index per candidate, with its estimated cost and bytes saved.
struct Assignment {
  std::vector<size_t> width;
  double cost = 0;
  int64_t saved = 0;
};

// Whether `a` is preferred to `b`: less estimated error, then more bits kept.
bool better(const Assignment& a, const Assignment& b) {
  if (a.cost != b.cost) return a.cost < b.cost;
  return a.saved < b.saved;
}

// Every combination; the first best found wins ties (earlier ops lowered first).
// Returns an empty width vector when none saves `must_save` bytes.
Assignment best_exhaustive(const std::vector<Candidate>& candidates, int64_t must_save) {
  Assignment current, best;
  current.width.assign(candidates.size(), 0);
  while (true) {
    current.cost = 0, current.saved = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      current.cost += candidates[c].cost(current.width[c]);
      current.saved += candidates[c].saved[current.width[c]];
    }
    if (current.saved >= must_save && (best.width.empty() || better(current, best))) best = current;
    size_t c = 0;  // next combination, candidate 0 fastest
    while (c < candidates.size() && ++current.width[c] == candidates[c].widths.size()) current.width[c++] = 0;
    if (c == candidates.size()) return best;
  }
}

// Each candidate straight to its narrowest width, least cost per byte saved
// first (ties: earlier first), until `must_save` bytes are saved.
Assignment best_greedy(const std::vector<Candidate>& candidates, int64_t must_save) {
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto per_byte = [&](size_t c) {
    const size_t w = candidates[c].widths.size() - 1;
    return candidates[c].saved[w] > 0 ? candidates[c].cost(w) / static_cast<double>(candidates[c].saved[w]) : 1e300;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return per_byte(a) < per_byte(b); });
  Assignment result;
  result.width.assign(candidates.size(), 0);
  for (size_t c : order) {
    if (result.saved >= must_save) break;
    const size_t w = candidates[c].widths.size() - 1;
    result.width[c] = w, result.cost += candidates[c].cost(w), result.saved += candidates[c].saved[w];
  }
  if (result.saved < must_save) result.width.clear();
  return result;
}

// Measures every candidate op at every narrower width, one op at a time.
std::vector<Candidate> measure_candidates(const DeployModel& model, const Dataset& rows, const PtqOptions& all8,
                                          const Matrix& reference, int64_t bytes8, double error8) {
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const std::vector<int> widths = weight_widths(model.ops[i].kind);
    if (widths.empty()) continue;
    Candidate c{i, widths, {0}, {0.0}};
    for (size_t w = 1; w < widths.size(); ++w) {
      PtqOptions one = all8;
      one.op_weight_bits[i] = widths[w];
      const DeployModel q = quantize_int8(model, rows.features, one);
      c.saved.push_back(bytes8 - q.constant_bytes());
      c.added.push_back(output_error(q, rows, reference) - error8);
    }
    candidates.push_back(std::move(c));
  }
  return candidates;
}

void report_choices(const std::vector<Candidate>& candidates, const Assignment& chosen, const DeployModel& model,
                    std::vector<LayerPrecision>* choices) {
  choices->clear();
  for (size_t c = 0; c < candidates.size(); ++c) {
    const Candidate& candidate = candidates[c];
    const size_t i = candidate.op;
    choices->push_back({"ops[" + std::to_string(i) + "] (" + op_kind_name(model.ops[i].kind) + ")", candidate.widths,
                        candidate.added.back(), candidate.widths[chosen.width[c]]});
  }
}

}  // namespace

DeployModel mixed_precision(const DeployModel& model, const Dataset& rows, int64_t budget_bytes,
                            const PtqOptions& options, std::vector<LayerPrecision>* choices) {
  if (budget_bytes <= 0) throw Error(ErrorKind::kUsage, "--budget", "must be a positive number of bytes");
  PtqOptions config = options;
  config.weight_bits = 8;
  config.activation_bits = 8;
  config.op_weight_bits.assign(model.ops.size(), 8);
  const DeployModel all8 = quantize_int8(model, rows.features, config);
  const Matrix reference = ReferenceEngine(model).predict(rows.features);
  const double error8 = output_error(all8, rows, reference);
  const std::vector<Candidate> candidates =
      measure_candidates(model, rows, config, reference, all8.constant_bytes(), error8);

  double combinations = 1;
  for (const Candidate& c : candidates) combinations *= static_cast<double>(c.widths.size());
  const int64_t must_save = all8.constant_bytes() - budget_bytes;
  Assignment chosen = combinations <= kExhaustiveLimit ? best_exhaustive(candidates, must_save)
                                                       : best_greedy(candidates, must_save);
  if (chosen.width.empty()) {
    for (const Candidate& c : candidates) config.op_weight_bits[c.op] = c.widths.back();
    throw Error(ErrorKind::kInvalid, "--budget",
                "cannot fit " + std::to_string(budget_bytes) + " bytes: the smallest mix (every dense layer int4) needs " +
                    std::to_string(quantize_int8(model, rows.features, config).constant_bytes()));
  }
  for (size_t c = 0; c < candidates.size(); ++c) config.op_weight_bits[candidates[c].op] = candidates[c].widths[chosen.width[c]];
  DeployModel result = quantize_int8(model, rows.features, config);
  if (result.constant_bytes() > budget_bytes) {
    throw Error(ErrorKind::kInvalid, "--budget", "per-op sizes did not add up to the mixed model's size (a bug)");
  }
  if (options.activation_bits == 16) {
    PtqOptions int16 = options;
    int16.weight_bits = 8;
    int16.op_weight_bits.clear();
    DeployModel wide = quantize_int8(model, rows.features, int16);
    if (wide.constant_bytes() <= budget_bytes &&
        output_error(wide, rows, reference) < output_error(result, rows, reference)) {
      result = std::move(wide);
      for (size_t& w : chosen.width) w = 0;
    }
  }
  if (choices) report_choices(candidates, chosen, model, choices);
  result.metadata.provenance["quantization"]["budget_bytes"] = budget_bytes;
  return result;
}

}  // namespace tinymlops

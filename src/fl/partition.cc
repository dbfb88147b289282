#include "tinymlops/fl/partition.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"

namespace tinymlops::fl {
namespace {

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through the boost
// Gamma(shape + 1) * U^(1 / shape).
double gamma_draw(double shape, Rng& rng) {
  if (shape < 1) {
    double u = std::max(static_cast<double>(rng.uniform()), 1e-12);
    return gamma_draw(shape + 1, rng) * std::pow(u, 1 / shape);
  }
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = rng.normal(), v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    double u = std::max(static_cast<double>(rng.uniform()), 1e-12);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

std::vector<std::vector<size_t>> by_class(const Dataset& data) {
  std::vector<std::vector<size_t>> rows(data.class_names.size());
  for (size_t i = 0; i < data.size(); ++i) rows[static_cast<size_t>(data.classes[i])].push_back(i);
  return rows;
}

std::vector<std::vector<size_t>> iid(const Dataset& data, int clients, Rng& rng) {
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order);
  std::vector<std::vector<size_t>> parts(static_cast<size_t>(clients));
  for (size_t i = 0; i < order.size(); ++i) parts[i % parts.size()].push_back(order[i]);
  return parts;
}

std::vector<std::vector<size_t>> dirichlet(const Dataset& data, int clients, double alpha, Rng& rng) {
  std::vector<std::vector<size_t>> classes = by_class(data);
  for (auto& rows : classes) rng.shuffle(rows);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::vector<std::vector<size_t>> parts(static_cast<size_t>(clients));
    for (const std::vector<size_t>& rows : classes) {
      std::vector<double> p(parts.size());
      double sum = 0;
      for (double& v : p) sum += (v = gamma_draw(alpha, rng));
      // Cumulative cut points over this class's rows.
      double cumulative = 0;
      size_t begin = 0;
      for (size_t c = 0; c < parts.size(); ++c) {
        cumulative += p[c] / sum;
        size_t end = c + 1 == parts.size() ? rows.size()
                                            : std::min(rows.size(), static_cast<size_t>(std::llround(cumulative * static_cast<double>(rows.size()))));
        for (size_t i = begin; i < end; ++i) parts[c].push_back(rows[i]);
        begin = std::max(begin, end);
      }
    }
    if (std::all_of(parts.begin(), parts.end(), [](const auto& part) { return !part.empty(); })) return parts;
  }
  throw Error(ErrorKind::kUsage, "partition",
              "dirichlet:" + std::to_string(alpha) + " left a client without rows in 1000 draws; use fewer clients or a larger alpha");
}

std::vector<std::vector<size_t>> shards(const Dataset& data, int clients, int per_client, Rng& rng) {
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data.classes[a] < data.classes[b]; });
  const size_t count = static_cast<size_t>(clients) * static_cast<size_t>(per_client);
  if (count > order.size()) {
    throw Error(ErrorKind::kUsage, "partition",
                std::to_string(count) + " shards need at least as many rows; the data has " + std::to_string(order.size()));
  }
  std::vector<size_t> shard_ids(count);
  std::iota(shard_ids.begin(), shard_ids.end(), 0);
  rng.shuffle(shard_ids);
  std::vector<std::vector<size_t>> parts(static_cast<size_t>(clients));
  for (size_t s = 0; s < count; ++s) {
    size_t shard = shard_ids[s], begin = shard * order.size() / count, end = (shard + 1) * order.size() / count;
    for (size_t i = begin; i < end; ++i) parts[s / static_cast<size_t>(per_client)].push_back(order[i]);
  }
  return parts;
}

}  // namespace

PartitionSpec parse_partition(const std::string& text, const std::string& where) {
  PartitionSpec spec;
  size_t colon = text.find(':');
  std::string kind = text.substr(0, colon), arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  try {
    size_t used = 0;
    if (kind == "iid" && arg.empty()) {
      spec.kind = PartitionKind::kIid;
      return spec;
    }
    if (kind == "dirichlet") {
      spec.kind = PartitionKind::kDirichlet;
      if (!arg.empty()) spec.alpha = std::stod(arg, &used);
      if (used == arg.size() && spec.alpha > 0 && std::isfinite(spec.alpha)) return spec;
    } else if (kind == "shards") {
      spec.kind = PartitionKind::kShards;
      if (!arg.empty()) spec.shards_per_client = std::stoi(arg, &used);
      if (used == arg.size() && spec.shards_per_client > 0) return spec;
    }
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::kUsage, where,
              "'" + text + "' is not a partition; use iid, dirichlet:ALPHA (ALPHA > 0) or shards:N (N >= 1)");
}

std::string partition_name(const PartitionSpec& spec) {
  switch (spec.kind) {
    case PartitionKind::kIid: return "iid";
    case PartitionKind::kDirichlet: {
      char text[32];
      std::snprintf(text, sizeof text, "dirichlet:%g", spec.alpha);
      return text;
    }
    case PartitionKind::kShards: return "shards:" + std::to_string(spec.shards_per_client);
  }
  return "";
}

std::vector<std::vector<size_t>> partition_rows(const Dataset& data, int clients, const PartitionSpec& spec,
                                                uint64_t seed) {
  if (clients < 1 || data.size() < static_cast<size_t>(clients)) {
    throw Error(ErrorKind::kUsage, "partition",
                std::to_string(clients) + " clients need at least as many rows; " + data.source + " has " +
                    std::to_string(data.size()));
  }
  if (spec.kind != PartitionKind::kIid && data.classes.empty()) {
    throw Error(ErrorKind::kUsage, "partition", partition_name(spec) + " splits by class; the data has no classes (use iid)");
  }
  Rng rng(seed);
  std::vector<std::vector<size_t>> parts;
  switch (spec.kind) {
    case PartitionKind::kIid: parts = iid(data, clients, rng); break;
    case PartitionKind::kDirichlet: parts = dirichlet(data, clients, spec.alpha, rng); break;
    case PartitionKind::kShards: parts = shards(data, clients, spec.shards_per_client, rng); break;
  }
  for (auto& part : parts) std::sort(part.begin(), part.end());
  return parts;
}

}  // namespace tinymlops::fl

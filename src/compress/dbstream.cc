// dbstream_1d (compress/cluster.h): DBSTREAM, Hahsler & Bolanos, "Clustering
// Data Streams Based on Shared Density between Micro-Clusters", IEEE TKDE 2016.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "cluster_1d.h"

namespace tinymlops {

namespace {

struct MicroCluster {
  long id = 0;
  double centre = 0;
  double weight = 0;  // as of time `updated`; fades by 2^-decay per value since
  long updated = 0;
};

struct Link {
  double weight = 0;  // shared density, as of time `updated`
  long updated = 0;
};

// The stream state: micro-clusters and the shared density between pairs of
// them (keyed by (lower id, higher id)).
class Dbstream {
 public:
  Dbstream(double radius, const DbstreamTuning& tuning) : radius_(radius), tuning_(tuning) {}

  // Reads the next value of the stream (time advances by one).
  void insert(double x) {
    ++now_;
    if (tuning_.decay > 0 && now_ % tuning_.gap == 0) cleanup();
    std::vector<size_t> inside;
    std::vector<double> moved;
    for (size_t j = 0; j < clusters_.size(); ++j) {
      const double distance = std::abs(x - clusters_[j].centre);
      if (distance > radius_) continue;
      inside.push_back(j);
      // Gaussian neighbourhood with sigma = radius / 3.
      const double pull = radius_ > 0 ? std::exp(-0.5 * std::pow(3 * distance / radius_, 2)) : 1.0;
      moved.push_back(clusters_[j].centre + pull * (x - clusters_[j].centre));
    }
    if (inside.empty()) {
      clusters_.push_back({next_id_++, x, 1, now_});
      return;
    }
    for (size_t j : inside) {
      clusters_[j].weight = faded(clusters_[j].weight, clusters_[j].updated) + 1;
      clusters_[j].updated = now_;
    }
    if (apart(moved)) {
      for (size_t k = 0; k < inside.size(); ++k) clusters_[inside[k]].centre = moved[k];
    }
    for (size_t a = 0; a < inside.size(); ++a) {
      for (size_t b = a + 1; b < inside.size(); ++b) {
        Link& link = links_[key(clusters_[inside[a]].id, clusters_[inside[b]].id)];
        link.weight = faded(link.weight, link.updated) + 1;
        link.updated = now_;
      }
    }
  }

  // Macro-clusters: connected components of the strong micro-clusters under
  // links with shared density >= alpha * the pair's mean weight.
  std::vector<WeightedMean> macro_clusters() const {
    std::vector<double> weight;
    // (Floored so that a weight underflowing under extreme decay still divides.)
    for (const MicroCluster& c : clusters_) {
      weight.push_back(std::max(faded(c.weight, c.updated), std::numeric_limits<double>::min()));
    }
    std::vector<bool> strong(clusters_.size());
    bool any_strong = false;
    for (size_t j = 0; j < clusters_.size(); ++j) any_strong |= (strong[j] = weight[j] >= tuning_.min_weight);
    if (!any_strong) strong.assign(clusters_.size(), true);
    std::map<long, size_t> index;
    for (size_t j = 0; j < clusters_.size(); ++j) index[clusters_[j].id] = j;
    std::vector<size_t> parent(clusters_.size());
    std::iota(parent.begin(), parent.end(), size_t{0});
    auto root = [&](size_t j) {
      while (parent[j] != j) j = parent[j] = parent[parent[j]];
      return j;
    };
    for (const auto& [ids, link] : links_) {
      const size_t a = index.at(ids.first), b = index.at(ids.second);
      if (!strong[a] || !strong[b]) continue;
      if (faded(link.weight, link.updated) >= tuning_.alpha * (weight[a] + weight[b]) / 2) parent[root(a)] = root(b);
    }
    std::map<size_t, WeightedMean> sums;  // by component root, in id order
    for (size_t j = 0; j < clusters_.size(); ++j) {
      if (!strong[j]) continue;
      WeightedMean& s = sums[root(j)];
      s.weight += weight[j];
      s.mean += weight[j] * clusters_[j].centre;
    }
    std::vector<WeightedMean> macro;
    for (const auto& [r, s] : sums) macro.push_back({s.weight, s.mean / s.weight});
    return macro;
  }

 private:
  double faded(double weight, long since) const {
    return weight * std::exp2(-tuning_.decay * static_cast<double>(now_ - since));
  }

  static std::pair<long, long> key(long a, long b) { return a < b ? std::make_pair(a, b) : std::make_pair(b, a); }

  // Whether moved centres stay at least 0.9 radius apart (else no centre moves,
  // so micro-clusters cannot collapse into one another).
  bool apart(const std::vector<double>& centres) const {
    for (size_t a = 0; a < centres.size(); ++a) {
      for (size_t b = a + 1; b < centres.size(); ++b) {
        if (std::abs(centres[a] - centres[b]) < 0.9 * radius_) return false;
      }
    }
    return true;
  }

  // Removes micro-clusters that faded to the weight a lone value has after
  // `gap` steps, and links weaker than alpha times that or to removed clusters.
  void cleanup() {
    const double weak = std::exp2(-tuning_.decay * tuning_.gap);
    std::vector<MicroCluster> kept;
    std::map<long, bool> alive;
    for (const MicroCluster& c : clusters_) {
      const bool keep = faded(c.weight, c.updated) > weak;
      if (keep) kept.push_back(c);
      alive[c.id] = keep;
    }
    clusters_ = std::move(kept);
    for (auto it = links_.begin(); it != links_.end();) {
      const bool drop = !alive[it->first.first] || !alive[it->first.second] ||
                        faded(it->second.weight, it->second.updated) < tuning_.alpha * weak;
      it = drop ? links_.erase(it) : std::next(it);
    }
  }

  double radius_;
  DbstreamTuning tuning_;
  long now_ = 0;
  long next_id_ = 0;
  std::vector<MicroCluster> clusters_;
  std::map<std::pair<long, long>, Link> links_;
};

}  // namespace

Clustering dbstream_1d(const std::vector<float>& values, double radius, int max_clusters,
                       const DbstreamTuning& tuning) {
  Dbstream stream(radius > 0 ? radius : default_bandwidth(values), tuning);
  for (float v : values) stream.insert(v);
  return clustering_from_means(stream.macro_clusters(), max_clusters, values);
}

}  // namespace tinymlops

// Splitting one dataset among virtual clients, as the simulator does.
//
//   iid            rows shuffled and dealt out in equal shares
//   dirichlet:A    each class's rows divided among the clients in proportions drawn
//                  from Dirichlet(A, ..., A) (Hsu et al. 2019): small A, few classes
//                  per client
//   shards:S       rows sorted by label, cut into clients * S equal shards, S random
//                  shards per client (McMahan et al. 2017 gave each of 100 clients 2)
//
// Deterministic for a seed. Every client gets at least one row (Dirichlet
// proportions are redrawn until that holds).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinymlops/data/dataset.h"

namespace tinymlops::fl {

enum class PartitionKind { kIid, kDirichlet, kShards };

struct PartitionSpec {
  PartitionKind kind = PartitionKind::kIid;
  double alpha = 0.3;       // Dirichlet concentration; > 0
  int shards_per_client = 2;
};

// Parses "iid", "dirichlet:0.3", "shards:2". Throws Error(kUsage) naming `where`.
PartitionSpec parse_partition(const std::string& text, const std::string& where);
std::string partition_name(const PartitionSpec& spec);  // the text parse_partition reads

// Row indices of `data` for each of `clients` clients, each list sorted. Non-IID
// kinds need a classification dataset. Throws Error(kUsage) when there are fewer
// rows than clients or the kind does not fit the data.
std::vector<std::vector<size_t>> partition_rows(const Dataset& data, int clients, const PartitionSpec& spec,
                                                uint64_t seed);

}  // namespace tinymlops::fl

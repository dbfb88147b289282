#include "job_support.h"

#include "tinymlops/core/error.h"

namespace tinymlops::fl {

Dataset load_labelled(const std::string& data, const std::string& label) {
  if (data.empty()) throw Error(ErrorKind::kUsage, "--data", "no data: give --data CSV");
  if (label.empty()) throw Error(ErrorKind::kUsage, "--label", "no target column: give --label COLUMN");
  DatasetOptions options;
  options.label = label;
  return load_dataset(data, options);
}

nlohmann::ordered_json server_params(const ServerConfig& c) {
  return {{"rounds", c.rounds},
          {"fraction", c.fraction},
          {"min_clients", c.min_clients},
          {"min_updates", c.min_updates},
          {"strategy", strategy_name(c.strategy.kind)},
          {"local_epochs", c.local.epochs},
          {"batch_size", c.local.batch_size},
          {"learning_rate", c.local.learning_rate},
          {"proximal_mu", c.local.proximal_mu},
          {"encoding", encoding_name(c.encoding)},
          {"dp", c.dp},
          {"seed", c.seed}};
}

double elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace tinymlops::fl

#include "tinymlops/deploy/verify_job.h"

#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops {

VerifyReport run_verify(const VerifyConfig& config, Progress* progress) {
  VerifyOptions options;
  options.target = parse_verify_target(config.target);
  options.tolerance = config.tolerance;
  options.work_dir = config.work_dir;
  options.optimization = config.optimization;
  options.reference_kernels = config.reference_kernels;
  options.profile = config.profile;
  const DeployModel model = load_as_deploy_model(config.model);
  const Dataset rows = load_for_model(model.metadata, config.data, config.drop_bad_rows, false);
  const int count = config.rows > 0 ? config.rows : default_verify_rows(options.target);
  return verify_model(model, spread_rows(rows.features, count), options, progress);
}

}  // namespace tinymlops

// The job behind `tinymlops verify`: read a model file and rows of a CSV file,
// build and run the generated code on a target, compare it with the host
// (deploy/verify.h); the report for the CLI to print (to_json there).
#pragma once

#include <string>

#include "tinymlops/core/progress.h"
#include "tinymlops/deploy/verify.h"

namespace tinymlops {

struct VerifyConfig {
  std::string model;          // .tmlm or .tdm
  std::string data;           // CSV with the model's feature columns
  std::string target = "host";
  int rows = 0;               // 0: default_verify_rows(target)
  double tolerance = 1e-4;
  std::string work_dir;       // keep the build here (empty: temporary)
  std::string optimization;   // VerifyOptions::optimization
  bool reference_kernels = false;  // VerifyOptions::reference_kernels
  bool profile = false;            // VerifyOptions::profile
  bool drop_bad_rows = false;
};

// Verifies config.model on config.rows rows of config.data spread from first to
// last (spread_rows); `progress` may be null. Throws what load_for_model and
// verify_model throw.
VerifyReport run_verify(const VerifyConfig& config, Progress* progress);

}  // namespace tinymlops

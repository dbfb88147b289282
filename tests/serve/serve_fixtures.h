// Shared by the serve tests: two small digits classifiers trained once per test
// binary (an "edge" model with one hidden layer of 8 and a "big" one of 32), a
// labelled validation CSV, and an HTTP client for a local server.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "test_util.h"
#include "tinymlops/nn/model.h"
// After Eigen: <resolv.h> (via httplib.h) defines a macro _res that Eigen uses as a name.
#include <httplib.h>

namespace tinymlops::testing {

struct DigitsModels {
  std::filesystem::path edge, big;    // .tmlm files
  std::filesystem::path edge_deploy;  // the edge model lowered to a float32 .tdm
  std::filesystem::path validation;   // 300 labelled rows of digits.csv
  std::filesystem::path dir;
};

// Trained on first use (a second or two), kept for the whole test binary.
const DigitsModels& digits_models();

// A client for http://127.0.0.1:PORT with a 5 s timeout.
std::unique_ptr<httplib::Client> local_client(int port);

// Polls `condition` every millisecond for up to 5 s; true once it holds.
bool eventually(const std::function<bool()>& condition);

// `count` validation rows as raw features (the model's columns).
Matrix validation_rows(const ModelMetadata& meta, size_t count);

}  // namespace tinymlops::testing

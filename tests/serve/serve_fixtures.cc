#include "serve/serve_fixtures.h"

#include <chrono>
#include <fstream>
#include <thread>

#include "tinymlops/core/file_io.h"
#include "tinymlops/core/progress.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/train_job.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops::testing {
namespace {

std::filesystem::path train(const std::filesystem::path& dir, const std::string& name, std::vector<int> hidden, int epochs) {
  TrainConfig config;
  config.data = (source_dir() / "examples/data/digits.csv").string();
  config.label = "digit";
  config.hidden = std::move(hidden);
  config.options.epochs = epochs;
  config.options.seed = 7;
  config.test_split = 0;
  config.out = (dir / (name + ".tmlm")).string();
  Progress quiet(Progress::Style::kSilent, nullptr);
  run_training(config, quiet);
  return config.out;
}

}  // namespace

const DigitsModels& digits_models() {
  static TempDir* dir = new TempDir();  // outlives every test; removed by the OS temp cleaner
  static const DigitsModels models = [] {
    DigitsModels m;
    m.dir = dir->path();
    m.edge = train(m.dir, "edge", {8}, 4);
    m.big = train(m.dir, "big", {32}, 15);
    Model edge = parse_model(read_file(m.edge), m.edge.string());
    m.edge_deploy = m.dir / "edge.tdm";
    write_file_atomic(m.edge_deploy, serialize_deploy_model(lower_model(edge)));
    std::ifstream in(source_dir() / "examples/data/digits.csv");
    std::string csv, line;
    for (int i = 0; i <= 300 && std::getline(in, line); ++i) csv += line + "\n";
    m.validation = m.dir / "validation.csv";
    write_file_atomic(m.validation, csv);
    return m;
  }();
  return models;
}

std::unique_ptr<httplib::Client> local_client(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(5, 0);
  client->set_write_timeout(5, 0);
  return client;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 5000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

Matrix validation_rows(const ModelMetadata& meta, size_t count) {
  Dataset rows = load_for_model(meta, digits_models().validation, false, false);
  return rows.features.topRows(static_cast<Eigen::Index>(std::min(count, rows.size())));
}

}  // namespace tinymlops::testing

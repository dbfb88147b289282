// tinymlops side of the compression benchmark (see bench/README.md).
//
// usage: compression_bench DATA_DIR WORK_DIR
//
// For each dataset (digits, breast_cancer: MLP classifiers; diabetes: MLP
// regressor) trains a float model with a fixed seed, then runs every
// compression variant through the same jobs the CLI runs and prints one JSON
// line per (dataset, variant):
//   {"impl":"tinymlops","dataset":...,"variant":...,"weight_bytes":...,"metric":...,"metric_name":...}
// For the PyTorch side (bench/compression_table.py) it writes, per dataset,
// WORK_DIR/<dataset>/{train,test,calibration}.csv (normalized features, then the
// target) and weights.json (the float model's Dense layers), so PyTorch starts
// from the same float weights and rows.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tinymlops/tinymlops.h"

namespace {

using namespace tinymlops;

struct BenchDataset {
  const char* name;
  const char* label;
  const char* hidden;
  int epochs;
};

const BenchDataset kDatasets[] = {
    {"digits", "digit", "64,32", 60},
    {"breast_cancer", "diagnosis", "16,8", 60},
    {"diabetes", "progression", "16,8", 200},
};

void write_rows(const Dataset& rows, const Normalization& normalization, const std::filesystem::path& path) {
  Matrix x = rows.features;
  normalization.apply(x);
  std::string text;
  char buffer[32];
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      std::snprintf(buffer, sizeof buffer, "%.9g,", static_cast<double>(x(r, c)));
      text += buffer;
    }
    if (!rows.classes.empty()) {
      text += std::to_string(rows.classes[static_cast<size_t>(r)]);
    } else {
      std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(rows.values(r)));
      text += buffer;
    }
    text += "\n";
  }
  write_file_atomic(path, text);
}

nlohmann::json dense_weights(Model& model) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    if (model.layer(i).kind() != LayerKind::kDense) continue;
    std::vector<Param*> p = model.layer(i).params();
    layers.push_back({{"in", p[0]->shape[0]},
                      {"out", p[0]->shape[1]},
                      {"weights", std::vector<float>(p[0]->value.begin(), p[0]->value.end())},
                      {"bias", std::vector<float>(p[1]->value.begin(), p[1]->value.end())}});
  }
  return layers;
}

void emit(const std::string& dataset, const std::string& variant, int64_t weight_bytes, double metric,
          const std::string& metric_name) {
  nlohmann::ordered_json line = {{"impl", "tinymlops"},    {"dataset", dataset}, {"variant", variant},
                                 {"weight_bytes", weight_bytes}, {"metric", metric}, {"metric_name", metric_name}};
  std::cout << line.dump() << std::endl;
}

void run_dataset(const BenchDataset& spec, const std::filesystem::path& data_dir, const std::filesystem::path& work) {
  const std::filesystem::path dir = work / spec.name;
  std::filesystem::create_directories(dir);
  Progress silent(Progress::Style::kSilent, &std::cerr);
  TrainConfig train;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"data", (data_dir / (std::string(spec.name) + ".csv")).string()},
           {"label", spec.label},
           {"hidden", spec.hidden},
           {"epochs", std::to_string(spec.epochs)},
           {"patience", "10"},
           {"seed", "7"},
           {"out", (dir / "float.tmlm").string()}}) {
    set_train_setting(train, key, value, key);
  }
  TrainResult trained = run_training(train, silent);
  Model& model = trained.model;
  const bool classification = model.metadata.task == Task::kClassification;
  const std::string metric_name = classification ? "accuracy" : "rmse";

  // The same rows the jobs use: the model's training split.
  Dataset data = load_for_model(model.metadata, train.data, false, true);
  SplitIndices split = split_dataset(data, train.validation_split, train.test_split, train.options.seed);
  Dataset train_rows = data.subset(split.train), test_rows = data.subset(split.test);
  write_rows(train_rows, model.metadata.normalization, dir / "train.csv");
  write_rows(test_rows, model.metadata.normalization, dir / "test.csv");
  write_file_atomic(dir / "weights.json",
                    nlohmann::json{{"task", task_name(model.metadata.task)}, {"layers", dense_weights(model)}}.dump());
  const int64_t float_bytes = lower_model(model).constant_bytes();
  emit(spec.name, "float32", float_bytes, trained.test_metrics[metric_name].get<double>(), metric_name);

  auto quantize = [&](const std::string& variant, const std::string& source, QuantizeConfig config) {
    config.model = source;
    config.data = train.data;
    QuantizeResult q = run_quantize(config, silent);
    emit(spec.name, variant, q.report.weight_bytes_after, q.report.after[metric_name].get<double>(),
         metric_name);
  };
  for (Calibration c : {Calibration::kMinMax, Calibration::kPercentile, Calibration::kMse, Calibration::kKl}) {
    QuantizeConfig config;
    config.ptq.calibration = c;
    quantize(std::string("int8 ptq ") + calibration_name(c), train.out, config);
  }
  QuantizeConfig qat8;
  qat8.method = "qat";
  quantize("int8 qat", train.out, qat8);
  QuantizeConfig qat4 = qat8;
  qat4.bits = 4;
  quantize("int4 qat", train.out, qat4);
  PruneConfig prune;
  prune.model = train.out;
  prune.data = train.data;
  prune.out = (dir / "pruned.tmlm").string();
  run_prune(prune, silent);
  quantize("50% pruned + int8 ptq", prune.out, QuantizeConfig{});
  ClusterConfig cluster;
  cluster.model = train.out;
  cluster.data = train.data;
  cluster.out = (dir / "clustered.tmlm").string();
  run_cluster(cluster, silent);
  quantize("16-cluster + int8 codebook", cluster.out, QuantizeConfig{});
  // Mixed precision: a budget halfway between the all-int4 and all-int8 sizes.
  QuantizeConfig all8, all4;
  all8.model = all4.model = train.out;
  all8.data = all4.data = train.data;
  all4.bits = 4;
  const int64_t size8 = run_quantize(all8, silent).report.weight_bytes_after;
  const int64_t size4 = run_quantize(all4, silent).report.weight_bytes_after;
  QuantizeConfig mixed;
  mixed.budget_bytes = (size8 + size4) / 2;
  quantize("mixed int4/int8 (budget " + std::to_string(mixed.budget_bytes) + " B)", train.out, mixed);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: compression_bench DATA_DIR WORK_DIR\n";
    return 2;
  }
  try {
    for (const BenchDataset& spec : kDatasets) run_dataset(spec, argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "compression_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

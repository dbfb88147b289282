// tinymlops evaluate | predict | inspect
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/predict_job.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops::cli {

namespace {

struct ModelFlags {
  std::string model;
  std::string data;
  std::string out;
  bool json = false;
  bool drop_bad_rows = false;
  bool probabilities = false;
};

void print_metrics(const nlohmann::ordered_json& report) {
  for (const auto& [key, value] : report.items()) {
    if (value.is_number_float()) std::printf("%-16s %.4f\n", key.c_str(), value.get<double>());
    else if (value.is_number()) std::printf("%-16s %lld\n", key.c_str(), value.get<long long>());
  }
  if (!report.contains("confusion")) return;
  std::printf("confusion matrix (rows: true class, columns: predicted)\n");
  const auto& classes = report["classes"];
  for (size_t i = 0; i < classes.size(); ++i) {
    std::printf("  %-12.12s", classes[i].get<std::string>().c_str());
    for (const auto& count : report["confusion"][i]) std::printf(" %5lld", count.get<long long>());
    std::printf("\n");
  }
}

void print_inspection(const nlohmann::ordered_json& info) {
  std::printf("%-4s %-18s %-14s %10s %10s\n", "#", "layer", "output", "params", "MACs");
  for (const auto& layer : info["layers"]) {
    std::string shape;
    for (const auto& d : layer["output_shape"]) shape += (shape.empty() ? "" : "x") + std::to_string(d.get<int>());
    std::string kind = layer["kind"].get<std::string>();
    const auto& config = layer["config"];
    if (config.contains("function")) kind += " " + config["function"].get<std::string>();
    if (config.contains("activation")) kind += "+" + config["activation"].get<std::string>();
    std::printf("%-4d %-18s %-14s %10lld %10lld\n", layer["index"].get<int>(), kind.c_str(), shape.c_str(),
                layer["params"].get<long long>(), layer["macs"].get<long long>());
  }
  std::printf("task %s, %zu features, %zu classes, normalization %s\n", info["task"].get<std::string>().c_str(),
              info["features"].get<size_t>(), info["classes"].size(),
              info["normalization"].get<std::string>().c_str());
  const std::string variant = info.contains("variant") ? info["variant"].get<std::string>() : "float32";
  std::printf("params %lld, weight bytes %lld (%s), MACs per inference %lld\n", info["params"].get<long long>(),
              info["weight_bytes"].get<long long>(), variant.c_str(), info["macs"].get<long long>());
}

}  // namespace

void register_model_commands(CLI::App& app) {
  auto flags = std::make_shared<ModelFlags>();

  CLI::App* evaluate = app.add_subcommand("evaluate", "metrics of a model on a labelled CSV file");
  evaluate->add_option("model", flags->model, "model file (.tmlm, or .tdm from quantize)")->required();
  evaluate->add_option("--data", flags->data, "CSV with the model's feature and label columns")->required();
  evaluate->add_flag("--json", flags->json, "print metrics as JSON");
  evaluate->add_flag("--drop-bad-rows", flags->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  evaluate->callback([flags] {
    LoadedModel model = load_any_model(flags->model);
    nlohmann::ordered_json report = evaluate_predictor(model.metadata, model.predict, flags->data, flags->drop_bad_rows);
    if (flags->json) std::cout << report.dump() << "\n";
    else print_metrics(report);
  });

  CLI::App* predict = app.add_subcommand("predict", "predictions of a model for each row of a CSV file");
  predict->add_option("model", flags->model, "model file (.tmlm, or .tdm from quantize)")->required();
  predict->add_option("--data", flags->data, "CSV with the model's feature columns (label optional)")->required();
  predict->add_option("--out", flags->out, "CSV to write: line,class,confidence or line,value")->required();
  predict->add_flag("--probabilities", flags->probabilities, "add a p_<class> column per class");
  predict->add_flag("--drop-bad-rows", flags->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  predict->callback([flags] {
    LoadedModel model = load_any_model(flags->model);
    PredictSummary summary = predict_to_csv(model.metadata, model.predict, flags->data, flags->out,
                                            flags->drop_bad_rows, flags->probabilities);
    std::printf("wrote %zu predictions to %s", summary.rows, flags->out.c_str());
    if (flags->drop_bad_rows) {
      std::printf(" (dropped %lld rows with empty/NaN/Inf cells)", static_cast<long long>(summary.dropped_rows));
    }
    std::printf("\n");
  });

  CLI::App* inspect = app.add_subcommand("inspect", "layers, parameters, bytes and MACs of a model");
  inspect->add_option("model", flags->model, "model file (.tmlm, or .tdm from quantize)")->required();
  inspect->add_flag("--json", flags->json, "print as JSON");
  inspect->callback([flags] {
    nlohmann::ordered_json info = load_any_model(flags->model).description;
    if (flags->json) std::cout << info.dump(2) << "\n";
    else print_inspection(info);
  });
}

}  // namespace tinymlops::cli

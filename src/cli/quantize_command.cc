// tinymlops quantize
#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/compress/quantize_job.h"
#include "tinymlops/core/error.h"

namespace tinymlops::cli {

namespace {

struct QuantizeFlags {
  QuantizeConfig config;
  std::string label;
  std::string calibration = "minmax";
  std::string activations = "int8";
  bool per_tensor = false;
  bool per_channel = false;
  bool json = false;
  ProgressFlags progress;
};

void print_quantize_report(const QuantizeReport& r) {
  const bool weight_only = r.method == "fp16" || r.method == "dynamic";
  const bool int16 = r.activations == "int16";
  const char* channels = r.per_channel ? "per-channel" : "per-tensor";
  const long long calibration_rows = static_cast<long long>(r.calibration_rows);
  if (weight_only) {
    std::printf("compressed (%s) weights to %s; activations stay float32\n", r.method.c_str(),
                r.method == "fp16" ? "float16" : "int8 with one scale per output");
  } else if (int16) {
    std::printf("quantized (%s) to int16x8: int16 activations, int8 weights (%s, %s calibration on %lld rows)\n",
                r.method.c_str(), channels, r.calibration.c_str(), calibration_rows);
  } else {
    std::printf("quantized (%s) to %s weights (%s, %s calibration on %lld rows)\n", r.method.c_str(),
                r.variant.c_str(), channels, r.calibration.c_str(), calibration_rows);
  }
  const ConstantBytes& before = r.float32_bytes;
  const ConstantBytes& after = r.quantized_bytes;
  std::printf("weights        %lld -> %lld bytes (%.2fx smaller)\n", static_cast<long long>(before.weights),
              static_cast<long long>(after.weights), r.weight_ratio);
  std::printf("biases         %lld -> %lld bytes (%s)\n", static_cast<long long>(before.biases),
              static_cast<long long>(after.biases), weight_only ? "float32" : (int16 ? "int64" : "int32"));
  if (after.codebooks > 0) {
    std::printf("codebooks      %lld bytes (clustered layers: 4-bit indices above)\n",
                static_cast<long long>(after.codebooks));
  }
  if (after.tables > 0) {
    std::printf("tables         %lld bytes (%s activation lookups)\n", static_cast<long long>(after.tables),
                int16 ? "int16 interpolated" : "int8");
  }
  std::printf("all constants  %lld -> %lld bytes (%.2fx smaller)\n", static_cast<long long>(r.weight_bytes_before),
              static_cast<long long>(r.weight_bytes_after), r.ratio);
  if (r.eval_rows > 0) print_metric_changes(r.eval_rows, r.split, r.before, r.after);
  if (r.budget_bytes > 0) {
    std::printf("mixed precision for a budget of %lld bytes (sensitivity: output error added by int4)\n",
                static_cast<long long>(r.budget_bytes));
    for (const LayerPrecision& layer : r.precision) {
      if (layer.widths.size() == 1) {
        std::printf("  %-28s int%d   (the only width offered)\n", layer.op.c_str(), layer.bits);
        continue;
      }
      std::printf("  %-28s int%d   sensitivity %.3g\n", layer.op.c_str(), layer.bits, layer.sensitivity);
    }
  }
  std::printf("per-op SQNR (dB, higher is better)\n");
  for (const LayerError& layer : r.layers) {
    if (std::isfinite(layer.sqnr_db)) std::printf("  %-28s %6.1f\n", layer.op.c_str(), layer.sqnr_db);
    else std::printf("  %-28s    inf\n", layer.op.c_str());
  }
  if (!r.model.empty()) std::printf("wrote %s (%lld bytes)\n", r.model.c_str(), static_cast<long long>(r.file_bytes));
}

}  // namespace

void register_quantize(CLI::App& app) {
  auto flags = std::make_shared<QuantizeFlags>();
  CLI::App* command = app.add_subcommand("quantize", "quantize a trained model to int8/int4/int16x8 for deployment");
  command->footer(
      "Writes a deploy model (.tdm) that evaluate, predict and inspect accept. Example:\n"
      "  tinymlops quantize digits.tmlm --data examples/data/digits.csv --label digit --out digits-int8.tdm");
  command->add_option("model", flags->config.model, "trained model (.tmlm)")->required();
  command->add_option("--data", flags->config.data, "CSV with the model's columns: calibration and held-out metrics")
      ->required();
  command->add_option("--label", flags->label, "target column (default: the model's)");
  command->add_option("--method", flags->config.method,
                      "ptq (post-training, default), qat (quantization-aware fine-tuning first), fp16 (float16 "
                      "weights) or dynamic (int8 weights, float activations)");
  command->add_option("--bits", flags->config.bits, "weight bits: 8 (default), 4 (dense and convolution layers), or 16 for int16x8 (= --activations int16)");
  command->add_option("--activations", flags->activations,
                      "int8 (default) or int16: int16x8, int16 symmetric activations with int8 weights and int64 "
                      "biases (ptq, 8-bit weights)");
  command->add_option("--budget", flags->config.budget_bytes,
                      "mixed precision: int4 or int8 per dense layer (convolutions int8) by measured sensitivity, to "
                      "fit BYTES of constants; with --activations int16, int16x8 is a candidate too");
  command->add_option("--epochs", flags->config.epochs, "qat: fine-tuning epochs (default 10)");
  command->add_option("--lr", flags->config.learning_rate, "qat: fine-tuning learning rate (default 0.0001)");
  command->add_flag("--recalibrate", flags->config.qat_recalibrate,
                    "qat: calibrate activation ranges afresh instead of keeping the ranges QAT trained with");
  command->add_flag("--per-channel", flags->per_channel, "one weight scale per output channel (the default)");
  command->add_flag("--per-tensor", flags->per_tensor, "one weight scale per tensor");
  command->add_option("--calibration", flags->calibration, "activation ranges: minmax (default), percentile, mse or kl");
  command->add_option("--calibration-samples", flags->config.calibration_samples,
                      "training rows used for calibration (default 500)");
  command->add_flag("--drop-bad-rows", flags->config.drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  command->add_option("--out", flags->config.out, "deploy model to write (.tdm)")->required();
  command->add_flag("--json", flags->json, "print the report as JSON");
  flags->progress.add_to(*command);
  command->callback([flags] {
    if (flags->per_channel && flags->per_tensor) {
      throw Error(ErrorKind::kUsage, "--per-tensor", "cannot be combined with --per-channel");
    }
    QuantizeConfig config = flags->config;
    config.label = flags->label;
    config.ptq.per_channel = !flags->per_tensor;
    config.ptq.calibration = parse_calibration(flags->calibration);
    config.activation_bits = parse_activation_bits(flags->activations);
    auto progress = flags->progress.make();
    QuantizeResult result = run_quantize(config, *progress);
    if (flags->json) std::cout << to_json(result.report).dump(2) << "\n";
    else print_quantize_report(result.report);
  });
}

}  // namespace tinymlops::cli

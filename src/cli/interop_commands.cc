// tinymlops import | export
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/interop/export_job.h"
#include "tinymlops/interop/import_job.h"

namespace tinymlops::cli {

void register_interop_commands(CLI::App& app) {
  auto import_config = std::make_shared<ImportConfig>();
  auto import_json = std::make_shared<bool>(false);
  CLI::App* imp = app.add_subcommand(
      "import", "bring a PyTorch/ONNX or Keras model in as a trained model (.tmlm) to quantize, generate and verify");
  imp->add_option("file", import_config->input, "model.onnx, model.keras (Keras 3) or model.h5 (Keras 2)")->required();
  imp->add_option("-o,--out", import_config->out, "trained model to write (.tmlm)")->required();
  imp->add_option("--features", import_config->feature_names, "input column names, in the model's input order")
      ->delimiter(',');
  imp->add_option("--label", import_config->label, "label column name (default: label, or target for regression)");
  imp->add_option("--classes", import_config->class_names, "class names, one per output (sets classification)")
      ->delimiter(',');
  imp->add_flag("--regression", import_config->regression, "the outputs are values, not class scores");
  imp->add_flag("--json", *import_json, "print the report as JSON");
  imp->callback([import_config, import_json] {
    const ImportReport r = run_import(*import_config).report;
    if (*import_json) {
      std::cout << to_json(r).dump(2) << "\n";
      return;
    }
    std::printf("imported %s (%s): input %s, output %s, %lld layers, %lld parameters\n", r.source.c_str(),
                r.format.c_str(), r.input_shape.c_str(), r.output_shape.c_str(), static_cast<long long>(r.layers),
                static_cast<long long>(r.params));
    std::printf("task %s, label '%s', %lld feature columns, normalization %s\n", r.task.c_str(), r.label.c_str(),
                static_cast<long long>(r.features), r.normalization.c_str());
    std::printf("wrote %s (%lld bytes); next: tinymlops quantize %s --data DATA.csv --out MODEL.tdm\n", r.model.c_str(),
                static_cast<long long>(r.file_bytes), r.model.c_str());
  });

  auto export_config = std::make_shared<ExportConfig>();
  CLI::App* exp = app.add_subcommand("export", "write a model as ONNX (float .tmlm, or a quantized .tdm in QDQ form)");
  exp->add_option("model", export_config->model, "model file (.tmlm or .tdm)")->required();
  exp->add_option("--format", export_config->format, "onnx (the only format)")->default_val("onnx");
  exp->add_option("-o,--out", export_config->out, "file to write (.onnx)")->required();
  exp->callback([export_config] {
    const ExportReport r = run_export(*export_config);
    std::printf("exported %s (%s, %lld ops) to %s (%lld bytes, ONNX opset 13)\n", r.model.c_str(), r.variant.c_str(),
                static_cast<long long>(r.ops), r.out.c_str(), static_cast<long long>(r.file_bytes));
  });
}

}  // namespace tinymlops::cli

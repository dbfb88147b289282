// The command groups of the `tinymlops` tool. Each register_* adds its
// subcommands to the app; the callbacks parse, call the library and print.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "tinymlops/compress/fine_tune_report.h"
#include "tinymlops/core/progress.h"

namespace tinymlops::cli {

void register_train(CLI::App& app);
void register_model_commands(CLI::App& app);  // evaluate, predict, inspect
void register_quickstart(CLI::App& app);
void register_quantize(CLI::App& app);
void register_prune(CLI::App& app);
void register_compress(CLI::App& app);
void register_cluster(CLI::App& app);
// codegen, verify; argv is recorded in generated files.
void register_deploy_commands(CLI::App& app, int argc, const char* const* argv);
// init, add, status, checkout, gc, push, pull (the MLOps store).
void register_store_commands(CLI::App& app);
// exp show|diff, model register|list|versions|alias|promote|lineage.
void register_track_commands(CLI::App& app);
// Two recorded experiments side by side (`exp diff`, `metrics diff A B`).
void print_experiment_diff(const std::string& a, const std::string& b, bool json, bool metrics_only);
// repro, dag, stage status, metrics show/diff, plots
void register_pipeline_commands(CLI::App& app);
// fl init|server|client|simulate (federated learning)
void register_fl_commands(CLI::App& app);
// import (ONNX, Keras), export (ONNX)
void register_interop_commands(CLI::App& app);
// serve, cascade, cascade tune (inference server, edge-cloud cascade)
void register_serve_commands(CLI::App& app);
// ui (the web dashboard)
void register_ui(CLI::App& app);
// ocr make-data|crops|fix|read|benchmark: the license-plate OCR application
// (apps/plate-ocr/cli), compiled in when TINYMLOPS_PLATE_OCR is defined.
void register_ocr_commands(CLI::App& app);

// Report printing shared by the compression commands: "metrics on N held-out
// rows of SPLIT", then each numeric metric before -> after.
void print_metric_changes(size_t eval_rows, const std::string& split, const nlohmann::ordered_json& before,
                          const nlohmann::ordered_json& after);
// The end of the prune and cluster reports: the metric changes (when
// eval_rows > 0), then "wrote FILE (N bytes); next: tinymlops quantize FILE ..."
// (when a file was written).
void print_fine_tune_report(const FineTuneReport& report);

// Progress on stderr: --log-json forces JSON lines, --quiet silences; otherwise
// a bar on a terminal and JSON lines when stderr is not a terminal.
struct ProgressFlags {
  bool log_json = false;
  bool quiet = false;
  void add_to(CLI::App& command);
  std::unique_ptr<Progress> make() const;
};

}  // namespace tinymlops::cli

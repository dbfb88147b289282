// libtinymlops: from a CSV file to a small neural network for a microcontroller.
//
// This header includes the whole public API. The pieces, bottom up:
//
//   core/   Error (every failure is a thrown tinymlops::Error with a location such
//           as "data.csv:17:3"), Rng (seeded, portable), SHA-256, atomic file
//           writes, Progress (terminal bar or JSON lines).
//   data/   CSV -> Dataset (features, class ids or values, names), normalization
//           (fitted on training rows, stored in the model), stratified seeded
//           splits, sliding windows over time series.
//   nn/     Layers, losses, optimizers, schedules, the Trainer, metrics, the model
//           file (.tmlm), layer-spec strings, train configs, and the jobs
//           behind the CLI (run_training, evaluate_model, ...).
//   runtime/ DeployModel (the frozen graph every deployment step reads, .tdm
//           file), lower_model (Model -> float32 DeployModel), the kernel table
//           (which kernels/ function runs each op, for the engine and codegen
//           alike), ReferenceEngine (runs a DeployModel through those kernels).
//   compress/ int8/int4 post-training quantization (quantize_int8, calibration
//           methods, per-op SQNR), QAT, pruning, clustering, mixed precision,
//           weight-only float16/int8, recipes, and the jobs behind the CLI
//           (run_quantize, run_prune, run_cluster, run_recipe).
//   codegen/ memory planner, C99 emitter, packages (c, arduino, esp-idf, platformio).
//   deploy/ verify on host / Cortex-M4 (QEMU) / ATmega328P (simavr), the device
//           catalogue and fit, and the codegen/verify jobs.
//   interop/ ONNX export (float, or QDQ for int8), ONNX and Keras (.keras, .h5)
//           import into a Model, and the import/export jobs.
//   store/, pipeline/, track/ (namespaces store::, pipeline::, track::): MLOps that
//           knows nothing about neural nets -- the content-addressed project store
//           (Repository), pipelines (repro), experiments and the gated registry.
//   fl/     (namespace fl::) federated learning: server, client, strategies, DP and
//           its accountant, secure aggregation, the simulator, and the
//           init/server/simulate jobs.
//   serve/  (namespace serve::) the HTTP inference server, the edge-cloud cascade
//           and its tuning, the dashboard.
//
// Each module links only those above it in this list that it needs
// (docs/architecture.md has the graph; tests/api/layering_test.cc checks it).
// The license-plate OCR case study is an application on this library
// (apps/plate-ocr), not part of it.
//
// Worked example: train an iris classifier, check it, save it, load it back.
//
//   #include "tinymlops/tinymlops.h"
//   using namespace tinymlops;
//
//   Dataset data = load_dataset("examples/data/iris.csv", {.label = "species"});
//   SplitIndices split = split_dataset(data, /*validation=*/0.1, /*test=*/0.2, /*seed=*/1);
//   Dataset train = data.subset(split.train), test = data.subset(split.test);
//
//   Model model(Shape{{4}});
//   add_layers(model, parse_layer_specs("dense:16:relu,dense:3,softmax"));
//   model.build(Initializer::kGlorotUniform, /*seed=*/1);
//   model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, train.features);
//   model.metadata.class_names = data.class_names;   // plus feature/label names for the file
//
//   TrainOptions options;
//   options.epochs = 100;
//   options.learning_rate = 0.01f;
//   train_model(model, train, /*validation=*/nullptr, options, /*progress=*/nullptr);
//
//   Matrix probabilities = model.predict(test.features);     // raw features in
//   double accuracy = classification_metrics(test.classes, probabilities).accuracy;
//   save_model(model, "iris.tmlm");                          // atomic, checksummed
//
// The same steps, with data loading, provenance and a file written, are one call:
// run_training(config, progress) with a TrainConfig (nn/train_config.h).
#pragma once

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/progress.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/core/version.h"
#include "tinymlops/data/csv.h"
#include "tinymlops/data/dataset.h"
#include "tinymlops/data/normalize.h"
#include "tinymlops/data/split.h"
#include "tinymlops/data/window.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/nn/inspect_job.h"
#include "tinymlops/nn/layer.h"
#include "tinymlops/nn/layer_spec.h"
#include "tinymlops/nn/layers.h"
#include "tinymlops/nn/loss.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/model.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/optimizer.h"
#include "tinymlops/nn/predict_job.h"
#include "tinymlops/nn/schedule.h"
#include "tinymlops/nn/train_config.h"
#include "tinymlops/nn/train_job.h"
#include "tinymlops/nn/trainer.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/kernel_table.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/runtime/quant_math.h"
#include "tinymlops/compress/calibration.h"
#include "tinymlops/compress/cluster.h"
#include "tinymlops/compress/cluster_job.h"
#include "tinymlops/compress/fine_tune_report.h"
#include "tinymlops/compress/mixed_precision.h"
#include "tinymlops/compress/prune.h"
#include "tinymlops/compress/prune_job.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/compress/qat.h"
#include "tinymlops/compress/quantize_job.h"
#include "tinymlops/compress/recipe.h"
#include "tinymlops/compress/weight_only.h"
#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/codegen/memory_plan.h"
#include "tinymlops/codegen/package.h"
#include "tinymlops/deploy/codegen_job.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/deploy/kernel_costs.h"
#include "tinymlops/deploy/verify.h"
#include "tinymlops/deploy/verify_job.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/store/workspace.h"
#include "tinymlops/pipeline/dag.h"
#include "tinymlops/pipeline/repro.h"
#include "tinymlops/track/exp_run.h"
#include "tinymlops/track/registry.h"
#include "tinymlops/track/report.h"
#include "tinymlops/fl/init_job.h"
#include "tinymlops/fl/privacy.h"
#include "tinymlops/fl/secure_aggregation.h"
#include "tinymlops/fl/server_job.h"
#include "tinymlops/fl/simulate_job.h"
#include "tinymlops/interop/export_job.h"
#include "tinymlops/interop/import_job.h"
#include "tinymlops/interop/keras_import.h"
#include "tinymlops/interop/onnx_export.h"
#include "tinymlops/interop/onnx_import.h"
#include "tinymlops/serve/cascade.h"
#include "tinymlops/serve/cascade_tune.h"
#include "tinymlops/serve/server.h"

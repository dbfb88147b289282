// tinymlops cluster
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/compress/cluster_job.h"

namespace tinymlops::cli {

void register_cluster(CLI::App& app) {
  auto config = std::make_shared<ClusterConfig>();
  auto json = std::make_shared<bool>(false);
  auto progress_flags = std::make_shared<ProgressFlags>();
  CLI::App* command = app.add_subcommand(
      "cluster", "share weights: cluster each layer (k-means, AutoCloud, mean-shift, DBSTREAM), then fine-tune");
  command->footer(
      "Writes a float model (.tmlm) whose layers hold at most --clusters distinct weights; quantize then\n"
      "stores dense layers as a 16-entry codebook and 4-bit indices. Example:\n"
      "  tinymlops cluster digits.tmlm --clusters 16 --data examples/data/digits.csv --label digit --out c.tmlm");
  command->add_option("model", config->model, "trained model (.tmlm)")->required();
  command->add_option("--data", config->data, "CSV with the model's columns: fine-tuning and held-out metrics")
      ->required();
  command->add_option("--label", config->label, "target column (default: the model's)");
  command->add_option("--clusters", config->clusters, "distinct weights per layer, 2 to 16 (default 16)");
  command->add_option("--method", config->method,
                      "kmeans (default); the data chooses how many (up to --clusters) with autocloud / evolving "
                      "(TEDA data clouds), meanshift or dbstream");
  command->add_option("--m", config->m, "autocloud: typicality threshold (default 1.414; larger: fewer clouds)");
  command->add_flag("--merge-overlapping", config->merge_overlapping,
                    "autocloud: merge clouds whose shared values outnumber the rest of either (AutoCloud's rule)");
  command->add_option("--bandwidth", config->bandwidth,
                      "meanshift: flat kernel bandwidth (default 0: Silverman's rule per layer; larger: fewer)");
  command->add_option("--radius", config->radius,
                      "dbstream: micro-cluster radius (default 0: Silverman's rule per layer; larger: fewer)");
  command->add_flag("--biases", config->cluster_biases, "also cluster each layer's biases (own codebook; float model)");
  command->add_option("--recluster-every", config->recluster_every,
                      "cluster-aware training: re-cluster every N fine-tuning steps (default 0: off)");
  command->add_option("--epochs", config->epochs, "centroid fine-tuning epochs (default 5; 0: none)");
  command->add_option("--lr", config->learning_rate, "fine-tuning learning rate (default 0.001)");
  command->add_flag("--drop-bad-rows", config->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  command->add_option("--out", config->out, "clustered model to write (.tmlm)")->required();
  command->add_flag("--json", *json, "print the report as JSON");
  progress_flags->add_to(*command);
  command->callback([config, json, progress_flags] {
    auto progress = progress_flags->make();
    const ClusterReport r = run_cluster(*config, *progress).report;
    if (*json) {
      std::cout << to_json(r).dump(2) << "\n";
      return;
    }
    std::printf("clustered every layer's weights into %s%d shared values (%s)\n",
                r.method == "kmeans" ? "" : "at most ", r.clusters, r.method.c_str());
    for (const ClusteredLayer& layer : r.layers) {
      std::printf("  %-24s %6lld weights, %2lld distinct", layer.layer.c_str(), static_cast<long long>(layer.weights),
                  static_cast<long long>(layer.distinct));
      if (layer.biases >= 0) {
        std::printf("; %4lld biases, %2lld distinct", static_cast<long long>(layer.biases),
                    static_cast<long long>(layer.distinct_biases));
      }
      std::printf("\n");
    }
    print_fine_tune_report(r.fine_tune);
  });
}

}  // namespace tinymlops::cli

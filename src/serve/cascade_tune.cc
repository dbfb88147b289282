#include "tinymlops/serve/cascade_tune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/pipeline/plots.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/predict_api.h"

namespace tinymlops::serve {
namespace {

// Accuracy when the rows in `offload` (by index) take the big model's answer.
double cascade_accuracy(const std::vector<bool>& edge_correct, const std::vector<bool>& big_correct,
                        const std::vector<bool>& offload) {
  size_t correct = 0;
  for (size_t i = 0; i < edge_correct.size(); ++i) correct += offload[i] ? big_correct[i] : edge_correct[i];
  return static_cast<double>(correct) / static_cast<double>(edge_correct.size());
}

double share(size_t count, size_t total) { return static_cast<double>(count) / static_cast<double>(total); }

}  // namespace

TuneReport tune_thresholds(const std::vector<double>& edge_confidence, const std::vector<bool>& edge_correct,
                           const std::vector<bool>& big_correct, double target_accuracy,
                           const std::vector<double>& table_thresholds) {
  const size_t n = edge_confidence.size();
  if (n == 0 || edge_correct.size() != n || big_correct.size() != n) {
    throw Error(ErrorKind::kInvalid, "cascade tune", "needs the same, non-zero number of rows for both models");
  }
  TuneReport report;
  report.rows = n;
  report.target_accuracy = target_accuracy;
  report.edge_accuracy = share(static_cast<size_t>(std::count(edge_correct.begin(), edge_correct.end(), true)), n);
  report.big_accuracy = share(static_cast<size_t>(std::count(big_correct.begin(), big_correct.end(), true)), n);

  for (double t : table_thresholds) {
    std::vector<bool> offload(n);
    size_t sent = 0;
    for (size_t i = 0; i < n; ++i) sent += (offload[i] = edge_confidence[i] < t);
    report.table.push_back({t, cascade_accuracy(edge_correct, big_correct, offload), share(sent, n)});
  }

  // Exact sweep: offload the k least confident rows, k growing; rows of equal
  // confidence are taken together, since no threshold separates them.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return edge_confidence[a] < edge_confidence[b]; });
  size_t correct = static_cast<size_t>(std::count(edge_correct.begin(), edge_correct.end(), true));
  for (size_t k = 0;; ++k) {
    const bool cut = k == 0 || k == n || edge_confidence[order[k - 1]] < edge_confidence[order[k]];
    // Counted in whole rows, so "meets the target" does not depend on rounding.
    if (cut && static_cast<double>(correct) >= target_accuracy * static_cast<double>(n) - 1e-9) {
      double threshold = 0;
      if (k == n) {
        const double top = edge_confidence[order[n - 1]];
        threshold = top < 1.0 ? 1.0 : std::nextafter(top, 2.0);
      } else if (k > 0) {
        threshold = (edge_confidence[order[k - 1]] + edge_confidence[order[k]]) / 2;
      }
      report.best = TunePoint{threshold, share(correct, n), share(k, n)};
      break;
    }
    if (k == n) break;
    const size_t row = order[k];
    correct = correct - edge_correct[row] + big_correct[row];
  }
  return report;
}

TuneReport run_cascade_tune(const TuneConfig& config) {
  if (config.step <= 0 || config.step > 1) throw Error(ErrorKind::kUsage, "--step", "must be in (0, 1]");
  LoadedModel edge = load_any_model(config.edge_model);
  LoadedModel big = load_any_model(config.big_model);
  if (edge.metadata.task != Task::kClassification || big.metadata.task != Task::kClassification) {
    throw Error(ErrorKind::kUnsupported, "cascade tune", "both models must be classifiers");
  }
  if (big.metadata.class_names != edge.metadata.class_names || big.metadata.label_name != edge.metadata.label_name) {
    throw Error(ErrorKind::kInvalid, config.big_model.string(),
                "predicts other classes (or another label column) than the edge model " + config.edge_model.string());
  }
  const Dataset edge_rows = load_for_model(edge.metadata, config.data, false, true);
  const Dataset big_rows = load_for_model(big.metadata, config.data, false, true);
  const std::vector<Prediction> edge_answers = to_predictions(edge.metadata, edge.predict(edge_rows.features));
  const std::vector<Prediction> big_answers = to_predictions(big.metadata, big.predict(big_rows.features));
  if (edge_answers.size() != big_answers.size()) {
    throw Error(ErrorKind::kInvalid, config.data.string(), "the two models see different numbers of samples (windows?)");
  }
  std::vector<double> confidence;
  std::vector<bool> edge_correct, big_correct;
  for (size_t i = 0; i < edge_answers.size(); ++i) {
    confidence.push_back(edge_answers[i].confidence);
    edge_correct.push_back(edge_answers[i].index == edge_rows.classes[i]);
    big_correct.push_back(big_answers[i].index == big_rows.classes[i]);
  }
  std::vector<double> thresholds;
  const int steps = static_cast<int>(std::lround(1.0 / config.step));
  for (int i = 0; i <= steps; ++i) thresholds.push_back(std::min(1.0, i * config.step));
  if (thresholds.back() < 1.0) thresholds.push_back(1.0);
  const double big_accuracy = share(static_cast<size_t>(std::count(big_correct.begin(), big_correct.end(), true)),
                                    big_correct.size());
  const double target = config.target_accuracy > 0 ? config.target_accuracy : big_accuracy - config.within_pp / 100;
  return tune_thresholds(confidence, edge_correct, big_correct, target, thresholds);
}

std::string tune_table_csv(const TuneReport& report) {
  std::string csv = "threshold,accuracy,offload_rate\n";
  char line[96];
  for (const TunePoint& p : report.table) {
    std::snprintf(line, sizeof line, "%.6g,%.6f,%.6f\n", p.threshold, p.accuracy, p.offload_rate);
    csv += line;
  }
  return csv;
}

std::string tune_plot_svg(const TuneReport& report) {
  pipeline::PlotData plot;
  plot.title = "cascade: accuracy and offload rate by threshold";
  plot.x_name = "threshold";
  pipeline::PlotSeries accuracy{"accuracy", {}}, offload{"offload_rate", {}};
  for (const TunePoint& p : report.table) {
    plot.x.push_back(p.threshold);
    accuracy.y.push_back(p.accuracy);
    offload.y.push_back(p.offload_rate);
  }
  plot.series = {accuracy, offload};
  return pipeline::render_svg_chart(plot);
}


nlohmann::ordered_json to_json(const TuneReport& r) {
  const auto point = [](const TunePoint& p) {
    return nlohmann::ordered_json{{"threshold", p.threshold}, {"accuracy", p.accuracy}, {"offload_rate", p.offload_rate}};
  };
  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  for (const TunePoint& p : r.table) table.push_back(point(p));
  return {{"rows", r.rows},
          {"edge_accuracy", r.edge_accuracy},
          {"big_accuracy", r.big_accuracy},
          {"target_accuracy", r.target_accuracy},
          {"table", table},
          {"best", r.best ? point(*r.best) : nlohmann::ordered_json(nullptr)}};
}

}  // namespace tinymlops::serve

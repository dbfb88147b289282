#include "tinymlops/serve/metrics.h"

#include <cstdio>

namespace tinymlops::serve {
namespace {

std::string number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string prometheus_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void ServerMetrics::count_request(const std::string& path, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{path, status}];
}

void ServerMetrics::observe_predict(double seconds, int64_t rows) {
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  ++bucket_counts_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
  predicted_rows_ += rows;
}

void ServerMetrics::count_reload(bool succeeded) { ++(succeeded ? reloads_ : reload_failures_); }

int64_t ServerMetrics::requests(const std::string& path, int status) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find({path, status});
  return it == requests_.end() ? 0 : it->second;
}

int64_t ServerMetrics::errors() const {
  std::lock_guard lock(mutex_);
  int64_t total = 0;
  for (const auto& [key, count] : requests_) {
    if (key.second >= 400) total += count;
  }
  return total;
}

std::string ServerMetrics::prometheus_text(const ModelInfoLabels& model) const {
  std::lock_guard lock(mutex_);
  std::string out;
  family(out, "tinymlops_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
  int64_t errors = 0;
  for (const auto& [key, count] : requests_) {
    out += "tinymlops_http_requests_total{path=\"" + prometheus_label_value(key.first) + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
    if (key.second >= 400) errors += count;
  }
  family(out, "tinymlops_http_request_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status.");
  out += "tinymlops_http_request_errors_total " + std::to_string(errors) + "\n";
  family(out, "tinymlops_predict_duration_seconds", "histogram",
         "Time to handle a successful POST /v1/predict: parse, predict, write the answer.");
  int64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    out += "tinymlops_predict_duration_seconds_bucket{le=\"" + number(kLatencyBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += bucket_counts_.back();
  out += "tinymlops_predict_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += "tinymlops_predict_duration_seconds_sum " + number(latency_sum_) + "\n";
  out += "tinymlops_predict_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  family(out, "tinymlops_predict_rows_total", "counter", "Rows predicted by successful requests.");
  out += "tinymlops_predict_rows_total " + std::to_string(predicted_rows_) + "\n";
  family(out, "tinymlops_predict_in_flight", "gauge", "Prediction requests being handled now.");
  out += "tinymlops_predict_in_flight " + std::to_string(in_flight_.load()) + "\n";
  family(out, "tinymlops_model_reloads_total", "counter", "Times a new model version was loaded and swapped in.");
  out += "tinymlops_model_reloads_total " + std::to_string(reloads_.load()) + "\n";
  family(out, "tinymlops_model_reload_failures_total", "counter",
         "Times a changed model could not be loaded (the previous one kept serving).");
  out += "tinymlops_model_reload_failures_total " + std::to_string(reload_failures_.load()) + "\n";
  family(out, "tinymlops_model_info", "gauge", "The model being served (value always 1).");
  out += "tinymlops_model_info{sha256=\"" + prometheus_label_value(model.sha256) + "\",version=\"" +
         prometheus_label_value(model.version) + "\",source=\"" + prometheus_label_value(model.source) + "\"} 1\n";
  return out;
}

}  // namespace tinymlops::serve

// The inference server's counters, rendered for GET /metrics in the Prometheus
// text exposition format 0.0.4 (docs/serving.md lists every metric).
//
// Example:
//
//   serve::ServerMetrics metrics;
//   metrics.count_request("/v1/predict", 200);
//   metrics.observe_predict(0.0004, 32);
//   std::string text = metrics.prometheus_text(model_info);  // "# HELP ..." lines
//
// Every member is safe to call from any number of threads at once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace tinymlops::serve {

// Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied.
inline constexpr std::array<double, 14> kLatencyBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                        0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};

// What the tinymlops_model_info gauge's labels say about the model being served.
struct ModelInfoLabels {
  std::string sha256;
  std::string version;  // registry version, or "" for a plain file
  std::string source;   // file path, or NAME:ALIAS
};

class ServerMetrics {
 public:
  // One answered request. `path` must be one of the server's routes or "other"
  // (so the number of label values stays bounded).
  void count_request(const std::string& path, int status);
  // One successful prediction request: its handling time and how many rows it held.
  void observe_predict(double seconds, int64_t rows);
  void count_reload(bool succeeded);
  // The in-flight gauge (the server's admission control keeps it).
  void set_in_flight(int64_t requests) { in_flight_ = requests; }

  int64_t requests(const std::string& path, int status) const;
  int64_t errors() const;  // requests answered with status >= 400
  int64_t reloads() const { return reloads_; }
  int64_t reload_failures() const { return reload_failures_; }

  std::string prometheus_text(const ModelInfoLabels& model) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, int64_t> requests_;  // guarded by mutex_
  std::array<int64_t, kLatencyBuckets.size() + 1> bucket_counts_{};  // per bucket, not cumulative; guarded
  double latency_sum_ = 0;  // guarded
  int64_t latency_count_ = 0;  // guarded
  int64_t predicted_rows_ = 0;  // guarded
  std::atomic<int64_t> reloads_{0}, reload_failures_{0}, in_flight_{0};
};

// A label value escaped as the format requires (backslash, double quote, newline).
std::string prometheus_label_value(const std::string& value);

}  // namespace tinymlops::serve

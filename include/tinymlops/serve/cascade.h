// The edge-cloud cascade (`tinymlops cascade`; docs/serving.md): a small model runs
// on the device; when it is not confident enough, and the device's battery and
// link allow, the row is sent to an inference server running a bigger model. A
// server that does not answer within the timeout (or answers with an error) does
// not fail the prediction: the edge answer is used, flagged offload_failed.
//
// The policy, for a row whose edge confidence (top class probability) is c:
//   battery < min_battery           -> keep the edge answer (kLowBattery)
//   link down                       -> keep the edge answer (kLinkDown)
//   link poor                       -> offload when c < threshold * poor_link_factor
//   link good                       -> offload when c < threshold
// otherwise kConfident. A poor link thus offloads only the least confident rows.
//
// Example:
//
//   serve::Cascade cascade(load_any_model("edge.tdm"), {.server_url = "http://10.0.0.2:8080", .timeout_ms = 150});
//   serve::CascadeAnswer a = cascade.predict(row, {.battery = 0.6, .link = serve::LinkQuality::kGood});
//   if (a.offload_failed) log(a.failure);   // a.prediction is then the edge's
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/predict_api.h"

namespace tinymlops::serve {

enum class LinkQuality { kDown, kPoor, kGood };

// "down", "poor", "good"; parse throws Error(kUsage) naming `where` otherwise.
const char* link_quality_name(LinkQuality link);
LinkQuality parse_link_quality(const std::string& text, const std::string& where);

struct DeviceState {
  double battery = 1.0;  // state of charge, 0..1
  LinkQuality link = LinkQuality::kGood;
};

struct OffloadPolicy {
  double threshold = 0.8;         // offload below this edge confidence (good link)
  double min_battery = 0.15;      // below this charge, never offload
  double poor_link_factor = 0.5;  // on a poor link the threshold is multiplied by this
};

enum class OffloadDecision { kConfident, kOffload, kLowBattery, kLinkDown };
const char* offload_decision_name(OffloadDecision decision);  // "confident", "offload", ...

// The policy above. Pure: no I/O.
OffloadDecision decide_offload(const OffloadPolicy& policy, double confidence, const DeviceState& device);

struct CascadeOptions {
  std::string server_url;  // e.g. "http://127.0.0.1:8080" (the server's POST /v1/predict is used)
  int timeout_ms = 200;    // bounds each of connect, send and receive
  OffloadPolicy policy;
};

struct CascadeAnswer {
  Prediction prediction;     // what to use: the server's when it answered, else the edge's
  Prediction edge;           // the edge model's own prediction
  OffloadDecision decision = OffloadDecision::kConfident;
  bool offloaded = false;       // the server answered and its prediction is used
  bool offload_failed = false;  // decision was kOffload but the server did not answer usably
  std::string failure;          // why, when offload_failed ("timeout", "HTTP 422: ...")
};

// A cascade over one edge model (classification only). Used by one thread at a
// time; keeps one keep-alive connection to the server.
class Cascade {
 public:
  // Throws Error(kUnsupported) for a regression model, Error(kUsage) naming
  // --server for a URL that is not http://HOST[:PORT].
  Cascade(LoadedModel edge, CascadeOptions options);
  ~Cascade();
  Cascade(const Cascade&) = delete;
  Cascade& operator=(const Cascade&) = delete;

  const ModelMetadata& edge_metadata() const;
  // One row of raw features (1 x width). Never throws for a server problem; throws
  // Error(kInvalid) for a row of the wrong width.
  CascadeAnswer predict(const Matrix& row, const DeviceState& device);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `tinymlops cascade EDGE --server URL --data CSV` over every row of a labelled CSV.
struct CascadeReport {
  size_t rows = 0;
  double accuracy = 0;        // of the answers used
  double edge_accuracy = 0;   // of the edge model alone
  double offload_rate = 0;    // rows the policy sent to the server / rows
  size_t offloaded = 0;       // server answered
  size_t offload_failed = 0;  // sent, not answered usably (edge answer used)
  size_t low_battery = 0, link_down = 0;  // rows kept local by the policy
  std::string first_failure;  // the first offload failure's reason, or ""
};
CascadeReport run_cascade(const std::filesystem::path& edge_model, const std::filesystem::path& data,
                          const CascadeOptions& options, const DeviceState& device);
// `cascade --json`: {"rows", "accuracy", "edge_accuracy", "offload_rate", "offloaded",
// "offload_failed", "low_battery", "link_down", "first_failure"}.
nlohmann::ordered_json to_json(const CascadeReport& report);

}  // namespace tinymlops::serve

#include "tinymlops/serve/cascade.h"

#include <algorithm>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/evaluate_job.h"
// After Eigen: <resolv.h> (via httplib.h) defines a macro _res that Eigen uses as a name.
#include <httplib.h>

namespace tinymlops::serve {

const char* link_quality_name(LinkQuality link) {
  switch (link) {
    case LinkQuality::kDown: return "down";
    case LinkQuality::kPoor: return "poor";
    case LinkQuality::kGood: return "good";
  }
  return "?";
}

LinkQuality parse_link_quality(const std::string& text, const std::string& where) {
  for (LinkQuality link : {LinkQuality::kDown, LinkQuality::kPoor, LinkQuality::kGood}) {
    if (text == link_quality_name(link)) return link;
  }
  throw Error(ErrorKind::kUsage, where, "'" + text + "' is not a link quality; use good, poor or down");
}

const char* offload_decision_name(OffloadDecision decision) {
  switch (decision) {
    case OffloadDecision::kConfident: return "confident";
    case OffloadDecision::kOffload: return "offload";
    case OffloadDecision::kLowBattery: return "low_battery";
    case OffloadDecision::kLinkDown: return "link_down";
  }
  return "?";
}

OffloadDecision decide_offload(const OffloadPolicy& policy, double confidence, const DeviceState& device) {
  if (device.battery < policy.min_battery) return OffloadDecision::kLowBattery;
  if (device.link == LinkQuality::kDown) return OffloadDecision::kLinkDown;
  const double threshold = device.link == LinkQuality::kPoor ? policy.threshold * policy.poor_link_factor : policy.threshold;
  return confidence < threshold ? OffloadDecision::kOffload : OffloadDecision::kConfident;
}

struct Cascade::Impl {
  LoadedModel edge;
  CascadeOptions options;
  std::unique_ptr<httplib::Client> client;
  size_t width = 0;

  // The server's prediction for `row`, or the reason there is none.
  std::optional<Prediction> ask_server(const Matrix& row, std::string& failure) {
    const std::string body(reinterpret_cast<const char*>(row.data()), static_cast<size_t>(row.size()) * sizeof(float));
    httplib::Result result = client->Post("/v1/predict", body, "application/octet-stream");
    if (!result) {
      const httplib::Error error = result.error();
      failure = error == httplib::Error::Read || error == httplib::Error::Write || error == httplib::Error::ConnectionTimeout
                    ? "timeout or connection lost (" + httplib::to_string(error) + ")"
                    : httplib::to_string(error);
      return std::nullopt;
    }
    if (result->status != 200) {
      std::string reason = result->body;
      try {
        reason = nlohmann::json::parse(result->body).value("error", result->body);
      } catch (const nlohmann::json::exception&) {
      }
      failure = "HTTP " + std::to_string(result->status) + ": " + reason;
      return std::nullopt;
    }
    try {
      std::vector<Prediction> answer = parse_predictions_json(result->body, options.server_url);
      if (answer.size() != 1 || answer[0].index < 0) {
        failure = "the server's answer is not one classification";
        return std::nullopt;
      }
      // The server's class, as an index into the edge model's labels.
      const std::vector<std::string>& labels = edge.metadata.class_names;
      auto it = std::find(labels.begin(), labels.end(), answer[0].label);
      if (it == labels.end()) {
        failure = "the server answered class '" + answer[0].label + "', unknown to the edge model";
        return std::nullopt;
      }
      answer[0].index = static_cast<int>(it - labels.begin());
      return answer[0];
    } catch (const Error& e) {
      failure = e.what();
      return std::nullopt;
    }
  }
};

Cascade::Cascade(LoadedModel edge, CascadeOptions options) : impl_(std::make_unique<Impl>()) {
  if (edge.metadata.task != Task::kClassification) {
    throw Error(ErrorKind::kUnsupported, "cascade", "the edge model is a regression model; a cascade needs a classifier");
  }
  const std::string& url = options.server_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw Error(ErrorKind::kUsage, "--server", "'" + url + "' is not a URL like http://HOST:PORT");
  }
  impl_->client = std::make_unique<httplib::Client>(url);
  if (!impl_->client->is_valid()) throw Error(ErrorKind::kUsage, "--server", "'" + url + "' is not a usable URL");
  const time_t seconds = options.timeout_ms / 1000;
  const time_t micros = static_cast<time_t>(options.timeout_ms % 1000) * 1000;
  impl_->client->set_connection_timeout(seconds, micros);
  impl_->client->set_read_timeout(seconds, micros);
  impl_->client->set_write_timeout(seconds, micros);
  impl_->client->set_keep_alive(true);
  impl_->client->set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle delay
  impl_->width = edge.metadata.feature_names.size() * static_cast<size_t>(std::max(1, edge.metadata.window.window));
  impl_->edge = std::move(edge);
  impl_->options = std::move(options);
}

Cascade::~Cascade() = default;

const ModelMetadata& Cascade::edge_metadata() const { return impl_->edge.metadata; }

CascadeAnswer Cascade::predict(const Matrix& row, const DeviceState& device) {
  if (row.rows() != 1 || static_cast<size_t>(row.cols()) != impl_->width) {
    throw Error(ErrorKind::kInvalid, "cascade",
                "a row of " + std::to_string(row.cols()) + " values; the edge model takes " + std::to_string(impl_->width));
  }
  CascadeAnswer answer;
  answer.edge = to_predictions(impl_->edge.metadata, impl_->edge.predict(row))[0];
  answer.prediction = answer.edge;
  answer.decision = decide_offload(impl_->options.policy, answer.edge.confidence, device);
  if (answer.decision != OffloadDecision::kOffload) return answer;
  if (std::optional<Prediction> server = impl_->ask_server(row, answer.failure)) {
    answer.prediction = std::move(*server);
    answer.offloaded = true;
  } else {
    answer.offload_failed = true;
  }
  return answer;
}

CascadeReport run_cascade(const std::filesystem::path& edge_model, const std::filesystem::path& data,
                          const CascadeOptions& options, const DeviceState& device) {
  LoadedModel edge = load_any_model(edge_model);
  const Dataset rows = load_for_model(edge.metadata, data, false, true);
  Cascade cascade(std::move(edge), options);
  CascadeReport report;
  report.rows = rows.size();
  if (report.rows == 0) throw Error(ErrorKind::kInvalid, data.string(), "no rows");
  size_t correct = 0, edge_correct = 0, sent = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const Matrix row = rows.features.row(static_cast<Eigen::Index>(r));
    const CascadeAnswer a = cascade.predict(row, device);
    correct += a.prediction.index == rows.classes[r];
    edge_correct += a.edge.index == rows.classes[r];
    sent += a.decision == OffloadDecision::kOffload;
    report.offloaded += a.offloaded;
    report.offload_failed += a.offload_failed;
    report.low_battery += a.decision == OffloadDecision::kLowBattery;
    report.link_down += a.decision == OffloadDecision::kLinkDown;
    if (a.offload_failed && report.first_failure.empty()) report.first_failure = a.failure;
  }
  const double n = static_cast<double>(report.rows);
  report.accuracy = static_cast<double>(correct) / n;
  report.edge_accuracy = static_cast<double>(edge_correct) / n;
  report.offload_rate = static_cast<double>(sent) / n;
  return report;
}


nlohmann::ordered_json to_json(const CascadeReport& r) {
  return {{"rows", r.rows},
          {"accuracy", r.accuracy},
          {"edge_accuracy", r.edge_accuracy},
          {"offload_rate", r.offload_rate},
          {"offloaded", r.offloaded},
          {"offload_failed", r.offload_failed},
          {"low_battery", r.low_battery},
          {"link_down", r.link_down},
          {"first_failure", r.first_failure}};
}

}  // namespace tinymlops::serve

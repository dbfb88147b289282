#include "tinymlops/serve/predict_api.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tinymlops/core/error.h"

namespace tinymlops::serve {
namespace {

void check_row_count(size_t rows, size_t max_rows, const std::string& source) {
  if (rows == 0) throw Error(ErrorKind::kInvalid, source, "no rows to predict");
  if (rows > max_rows) {
    throw Error(ErrorKind::kInvalid, source,
                std::to_string(rows) + " rows; at most " + std::to_string(max_rows) + " per request");
  }
}

}  // namespace

Matrix parse_rows_json(std::string_view body, size_t width, size_t max_rows, const std::string& source) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorKind::kParse, source, "not JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double
    throw Error(ErrorKind::kParse, source, std::string("unreadable JSON: ") + e.what());
  }
  if (!json.is_object() || !json.contains("rows") || !json["rows"].is_array()) {
    throw Error(ErrorKind::kParse, source, "expected {\"rows\": [[numbers...], ...]}");
  }
  const nlohmann::json& rows = json["rows"];
  check_row_count(rows.size(), max_rows, source);
  Matrix out(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(width));
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string place = "rows[" + std::to_string(r) + "]";
    if (!rows[r].is_array()) throw Error(ErrorKind::kParse, source, place + " is not a list of numbers");
    if (rows[r].size() != width) {
      throw Error(ErrorKind::kInvalid, source,
                  place + " has " + std::to_string(rows[r].size()) + " values; the model takes " + std::to_string(width));
    }
    for (size_t c = 0; c < width; ++c) {
      const nlohmann::json& cell = rows[r][c];
      if (!cell.is_number() || !std::isfinite(cell.get<double>())) {
        throw Error(ErrorKind::kParse, source, place + "[" + std::to_string(c) + "] is not a finite number: " + cell.dump());
      }
      out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = cell.get<float>();
    }
  }
  return out;
}

Matrix parse_rows_binary(std::string_view body, size_t width, size_t max_rows, const std::string& source) {
  const size_t row_bytes = 4 * width;
  if (body.size() % 4 != 0) {
    throw Error(ErrorKind::kParse, source, std::to_string(body.size()) + " bytes is not a whole number of float32 values");
  }
  if (body.size() % row_bytes != 0) {
    throw Error(ErrorKind::kInvalid, source,
                std::to_string(body.size()) + " bytes is not a whole number of rows of " + std::to_string(width) +
                    " float32 values");
  }
  const size_t rows = body.size() / row_bytes;
  check_row_count(rows, max_rows, source);
  Matrix out(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(width));
  std::memcpy(out.data(), body.data(), body.size());  // row-major float32, little-endian host
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out.data()[i])) {
      throw Error(ErrorKind::kParse, source,
                  "rows[" + std::to_string(i / static_cast<Eigen::Index>(width)) + "][" +
                      std::to_string(i % static_cast<Eigen::Index>(width)) + "] is not a finite number");
    }
  }
  return out;
}

std::vector<Prediction> to_predictions(const ModelMetadata& meta, const Matrix& outputs) {
  std::vector<Prediction> out(static_cast<size_t>(outputs.rows()));
  for (Eigen::Index r = 0; r < outputs.rows(); ++r) {
    Prediction& p = out[static_cast<size_t>(r)];
    if (meta.task == Task::kRegression) {
      p.value = outputs(r, 0);
      continue;
    }
    if (outputs.cols() == 1) {  // a sigmoid head: P(class 1)
      float p1 = outputs(r, 0);
      p.probabilities = {1 - p1, p1};
    } else {
      p.probabilities.assign(outputs.row(r).data(), outputs.row(r).data() + outputs.cols());
    }
    for (size_t c = 0; c < p.probabilities.size(); ++c) {
      if (p.index < 0 || p.probabilities[c] > p.probabilities[static_cast<size_t>(p.index)]) p.index = static_cast<int>(c);
    }
    p.confidence = p.probabilities[static_cast<size_t>(p.index)];
    p.label = static_cast<size_t>(p.index) < meta.class_names.size() ? meta.class_names[static_cast<size_t>(p.index)]
                                                                     : std::to_string(p.index);
  }
  return out;
}

std::string predictions_json(const std::vector<Prediction>& predictions) {
  nlohmann::json list = nlohmann::json::array();
  for (const Prediction& p : predictions) {
    if (p.index < 0) {
      list.push_back({{"value", p.value}});
    } else {
      list.push_back({{"class", p.label}, {"index", p.index}, {"confidence", p.confidence}, {"probabilities", p.probabilities}});
    }
  }
  return nlohmann::json{{"predictions", list}}.dump();
}

std::vector<Prediction> parse_predictions_json(std::string_view body, const std::string& source) {
  try {
    nlohmann::json json = nlohmann::json::parse(body);
    std::vector<Prediction> out;
    for (const nlohmann::json& item : json.at("predictions")) {
      Prediction p;
      if (item.contains("value")) {
        p.value = item.at("value").get<double>();
      } else {
        p.index = item.at("index").get<int>();
        p.label = item.at("class").get<std::string>();
        p.confidence = item.at("confidence").get<double>();
        p.probabilities = item.at("probabilities").get<std::vector<float>>();
      }
      out.push_back(std::move(p));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, source, std::string("bad predictions: ") + e.what());
  }
}

}  // namespace tinymlops::serve

#include "tinymlops/nn/predict_job.h"

#include <cstdio>
#include <string>
#include <vector>

#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/metrics.h"

namespace tinymlops {

namespace {

// A CSV cell: quoted (inner quotes doubled) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

// A prediction with 6 significant digits.
std::string format_float(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

PredictSummary predict_to_csv(Model& model, const std::filesystem::path& data, const std::filesystem::path& out,
                            bool drop_bad_rows, bool probabilities) {
  return predict_to_csv(model.metadata, [&](const Matrix& x) { return model.predict(x); }, data, out, drop_bad_rows,
                        probabilities);
}

PredictSummary predict_to_csv(const ModelMetadata& meta, const Predictor& predict, const std::filesystem::path& data,
                              const std::filesystem::path& out, bool drop_bad_rows, bool probabilities) {
  Dataset dataset = load_for_model(meta, data, drop_bad_rows, false);
  Matrix outputs = predict(dataset.features);
  std::string text = "line";
  const bool classification = meta.task == Task::kClassification;
  if (classification) {
    text += ",class,confidence";
    if (probabilities && outputs.cols() > 1) {
      for (const std::string& name : meta.class_names) text += "," + csv_field("p_" + name);
    }
  } else {
    text += ",value";
  }
  text += "\n";
  std::vector<int> classes;
  std::vector<float> confidences;
  if (classification) argmax_rows(outputs, &classes, &confidences);
  for (size_t i = 0; i < dataset.size(); ++i) {
    const Eigen::Index row = static_cast<Eigen::Index>(i);
    text += std::to_string(dataset.line_numbers[i]);
    if (classification) {
      text += "," + csv_field(meta.class_names[static_cast<size_t>(classes[i])]) + "," + format_float(confidences[i]);
      if (probabilities && outputs.cols() > 1) {
        for (Eigen::Index j = 0; j < outputs.cols(); ++j) text += "," + format_float(outputs(row, j));
      }
    } else {
      text += "," + format_float(outputs(row, 0));
    }
    text += "\n";
  }
  write_file_atomic(out, text);
  return {dataset.size(), dataset.dropped_rows};
}

}  // namespace tinymlops

// The body formats of POST /v1/predict (docs/serving.md), shared by the inference
// server and the cascade's offload client.
//
// Request, either
//   JSON   {"rows": [[f0, f1, ...], ...]}   (Content-Type: application/json), or
//   binary float32 little-endian values, row after row (application/octet-stream);
//          the body length must be a multiple of 4 * width.
// Response (JSON), one entry per row:
//   classification {"predictions": [{"class": "7", "index": 7, "confidence": 0.98,
//                                    "probabilities": [...]}, ...]}
//   regression     {"predictions": [{"value": 3.2}, ...]}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tinymlops/data/dataset.h"
#include "tinymlops/nn/model.h"

namespace tinymlops::serve {

// Raw feature rows from a JSON body. Throws Error(kParse) naming `source` and the
// place ("rows[3][5]") for malformed JSON, a missing "rows", a row that is not a
// list, or a cell that is not a finite number; Error(kInvalid) for a row of another
// width than `width`, and for more than `max_rows` rows or none. (The server
// answers kParse with 400 and kInvalid with 422.)
Matrix parse_rows_json(std::string_view body, size_t width, size_t max_rows, const std::string& source);

// Raw feature rows from a binary float32 body; the same errors: kParse for a length
// that is not a multiple of 4 or a value that is not finite, kInvalid for a length
// that is not a whole number of rows of `width` values or a bad row count.
Matrix parse_rows_binary(std::string_view body, size_t width, size_t max_rows, const std::string& source);

// One prediction as the response carries it.
struct Prediction {
  int index = -1;                   // classification: argmax; regression: -1
  std::string label;                // class name; "" for regression
  double confidence = 0;            // classification: the argmax probability
  double value = 0;                 // regression output
  std::vector<float> probabilities; // classification
};

// The predictions of `outputs` (one row per input row, from the model).
std::vector<Prediction> to_predictions(const ModelMetadata& meta, const Matrix& outputs);

std::string predictions_json(const std::vector<Prediction>& predictions);

// Parses a response body (the cascade's client side). Throws Error(kFormat) naming `source`.
std::vector<Prediction> parse_predictions_json(std::string_view body, const std::string& source);

}  // namespace tinymlops::serve

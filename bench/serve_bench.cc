// Companion of bench/serve (docs/serving.md): writes the request bodies wrk posts
// (one row and 32 rows as JSON, 32 rows as binary float32, taken from a CSV), and
// measures the anchors in-process on one thread: the library's predict rate and
// the server's per-request work without the network (parse the body, predict,
// write the answer).
//
// usage: serve_bench MODEL CSV OUT_DIR
#include <chrono>
#include <cstdio>
#include <string>

#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/evaluate_job.h"
#include "tinymlops/runtime/any_model.h"
#include "tinymlops/serve/predict_api.h"

using namespace tinymlops;

namespace {

std::string json_body(const Matrix& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (Eigen::Index r = 0; r < rows.rows(); ++r) list.push_back(std::vector<float>(rows.row(r).data(), rows.row(r).data() + rows.cols()));
  return nlohmann::json{{"rows", list}}.dump();
}

// Calls `work` repeatedly for about a second; returns calls per second.
template <typename Work>
double calls_per_second(Work work) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < 100; ++i) work();  // warm up
  long calls = 0;
  const Clock::time_point start = Clock::now();
  double elapsed = 0;
  while (elapsed < 1.0) {
    for (int i = 0; i < 100; ++i) work();
    calls += 100;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return static_cast<double>(calls) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: serve_bench MODEL CSV OUT_DIR\n");
    return 2;
  }
  LoadedModel model = load_any_model(argv[1]);
  const Dataset data = load_for_model(model.metadata, argv[2], false, false);
  const std::filesystem::path out = argv[3];
  const Matrix one = data.features.topRows(1), batch = data.features.topRows(32);
  write_file_atomic(out / "one.json", json_body(one));
  write_file_atomic(out / "batch32.json", json_body(batch));
  write_file_atomic(out / "batch32.bin",
                    std::string(reinterpret_cast<const char*>(batch.data()), static_cast<size_t>(batch.size()) * 4));

  const size_t width = static_cast<size_t>(one.cols());
  const std::string one_json = json_body(one), batch_json = json_body(batch);
  const double predict_one = calls_per_second([&] { model.predict(one); });
  const double predict_batch = calls_per_second([&] { model.predict(batch); });
  auto request = [&](const std::string& body) {
    const Matrix rows = serve::parse_rows_json(body, width, 1024, "body");
    return serve::predictions_json(serve::to_predictions(model.metadata, model.predict(rows)));
  };
  const double request_one = calls_per_second([&] { request(one_json); });
  const double request_batch = calls_per_second([&] { request(batch_json); });
  std::printf("in-process, 1 thread: predict 1 row %.0f/s, 32 rows %.0f/s (%.0f rows/s); "
              "JSON request work (parse+predict+answer) 1 row %.0f/s, 32 rows %.0f/s\n",
              predict_one, predict_batch, 32 * predict_batch, request_one, request_batch);
  std::printf("ANCHOR predict1=%.0f predict32=%.0f request1=%.0f request32=%.0f\n", predict_one, predict_batch,
              request_one, request_batch);
  return 0;
}

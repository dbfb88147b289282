#include "tinymlops/fl/init_job.h"

#include "job_support.h"
#include "tinymlops/fl/simulator.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl {

void write_initial_model(const ModelSource& source, const std::filesystem::path& out) {
  Dataset data = load_labelled(source.data, source.label);
  Model model = initial_model(data, hidden_dense_specs(source.hidden), source.normalization, source.seed);
  save_model(model, out);
}

}  // namespace tinymlops::fl

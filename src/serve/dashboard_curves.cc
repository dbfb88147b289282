// DashboardData::curves(): training curves from the cached plots files of each
// experiment and from per-round metrics.
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/pipeline/pipeline.h"
#include "tinymlops/pipeline/plots.h"
#include "tinymlops/serve/dashboard.h"
#include "tinymlops/store/repository.h"
#include "tinymlops/track/experiment_store.h"

namespace tinymlops::serve {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// A private directory under the system temp dir, removed with its content on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "tinymlops-ui-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error(ErrorKind::kIo, pattern, "cannot create a temporary directory");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The plots files pipeline.yaml declares (project-relative, stage order, no repeats).
std::vector<std::string> declared_plots(const fs::path& start, Json& warnings) {
  std::vector<std::string> files;
  fs::path root;
  try {
    root = pipeline::find_project_root(start);
  } catch (const Error&) {
    return files;  // no pipeline: no plots files
  }
  try {
    for (const pipeline::Stage& stage : pipeline::load_pipeline(root).stages) {
      for (const std::string& file : stage.plots) {
        if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
      }
    }
  } catch (const Error& e) {
    warnings.push_back(e.what());
  }
  return files;
}

Json curve_json(const track::Experiment& e, const std::string& source, const std::string& x_name,
                const std::vector<double>& x, const std::vector<pipeline::PlotSeries>& series) {
  Json out = {{"experiment", e.id}, {"name", e.name}, {"source", source}, {"x_name", x_name}, {"x", x},
              {"series", Json::array()}};
  for (const pipeline::PlotSeries& s : series) out["series"].push_back({{"name", s.name}, {"y", s.y}});
  return out;  // NaN (a row without a number) is written as null
}

// The experiment's plots file `file` as recorded, read back from the cache.
std::optional<Json> cached_plot(store::Repository& repo, const track::Experiment& e, const std::string& file,
                                const ScratchDir& scratch, Json& warnings) {
  if (!e.hashes.is_object() || !e.hashes.contains(file) || !e.hashes[file].is_string()) return std::nullopt;
  const store::ObjectId id{e.hashes[file].get<std::string>(), store::ObjectKind::kFile};
  const std::string where = e.id + ": " + file;
  if (!repo.cache().contains(id)) {
    warnings.push_back(where + ": object " + id.hash.substr(0, 12) + " is not in the cache");
    return std::nullopt;
  }
  try {
    // read_plot_file tells CSV from JSON by the extension: a copy keeps the name.
    const fs::path copy = scratch.path() / fs::path(file).filename();
    write_file_atomic(copy, repo.cache().read(id));
    const pipeline::PlotData plot = pipeline::read_plot_file(copy, file);
    return curve_json(e, file, plot.x_name, plot.x, plot.series);
  } catch (const Error& error) {
    warnings.push_back(where + ": " + error.what());
    return std::nullopt;
  }
}

// "round.N.NAME" metrics as one curve over N, a series per NAME.
std::optional<Json> round_curve(const track::Experiment& e) {
  static const std::regex pattern(R"(round\.([0-9]+)\.(.+))");
  std::map<std::string, std::map<long, double>> by_name;  // NAME -> round -> value
  std::vector<std::string> names;                         // first-seen order
  std::map<long, bool> rounds;
  if (!e.metrics.is_object()) return std::nullopt;
  for (const auto& [key, value] : e.metrics.items()) {
    std::smatch match;
    if (!value.is_number() || !std::regex_match(key, match, pattern)) continue;
    const long round = std::stol(match[1].str());
    const std::string name = match[2].str();
    if (!by_name.count(name)) names.push_back(name);
    by_name[name][round] = value.get<double>();
    rounds[round] = true;
  }
  if (rounds.empty()) return std::nullopt;
  std::vector<double> x;
  for (const auto& [round, unused] : rounds) x.push_back(static_cast<double>(round));
  std::vector<pipeline::PlotSeries> series;
  for (const std::string& name : names) {
    pipeline::PlotSeries s{name, {}};
    for (const auto& [round, unused] : rounds) {
      auto found = by_name[name].find(round);
      s.y.push_back(found == by_name[name].end() ? std::nan("") : found->second);
    }
    series.push_back(std::move(s));
  }
  return curve_json(e, "round metrics", "round", x, series);
}

}  // namespace

Json DashboardData::curves() const {
  store::Repository repo = store::Repository::open(root_);
  auto experiments = track::open_experiment_store(repo.root(), repo.config().tracking);
  Json curves = Json::array(), warnings = Json::array();
  const std::vector<std::string> plots = declared_plots(root_, warnings);
  const ScratchDir scratch;
  for (const track::Experiment& e : experiments->list()) {
    for (const std::string& file : plots) {
      if (auto curve = cached_plot(repo, e, file, scratch, warnings)) curves.push_back(std::move(*curve));
    }
    if (auto curve = round_curve(e)) curves.push_back(std::move(*curve));
  }
  return {{"curves", curves}, {"warnings", warnings}};
}

}  // namespace tinymlops::serve

#include "tinymlops/track/exp_run.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace tinymlops::track {

namespace {

// Single-quoted for /bin/sh: ' becomes '\''.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char ch : text) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return quoted + "'";
}

}  // namespace

std::string git_commit_of(const std::filesystem::path& dir) {
  const std::string command = "git -C " + shell_quoted(dir.string()) + " rev-parse --verify -q HEAD 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  std::array<char, 128> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) out += buffer.data();
  const int status = pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return status == 0 && out.size() == 40 ? out : "";
}

ExpRunResult run_experiment(store::Repository& repo, ExperimentStore& experiments,
                            const std::filesystem::path& pipeline_root, const ExpRunOptions& options) {
  pipeline::ReproOptions repro_options;
  repro_options.targets = options.targets;
  repro_options.jobs = options.jobs;
  repro_options.param_overrides = options.set_params;
  repro_options.log = options.log;

  ExpRunResult result;
  Experiment& e = result.experiment;
  e.name = options.name;
  e.started_at = utc_now_iso8601();
  e.git_commit = git_commit_of(pipeline_root);
  const auto start = std::chrono::steady_clock::now();
  pipeline::StoreOutputCache cache(repo);
  result.repro = pipeline::repro(pipeline_root, cache, repro_options);
  e.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  e.params = flatten_json(result.repro.params);
  e.metrics = flatten_json(result.repro.metrics);
  e.hashes = result.repro.hashes;
  e.status = result.repro.ok() ? "success" : "failed";
  e.id = experiments.record(e);
  if (e.name.empty()) e.name = e.id;
  return result;
}

}  // namespace tinymlops::track

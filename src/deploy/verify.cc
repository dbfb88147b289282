#include "tinymlops/deploy/verify.h"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <regex>
#include <sstream>

#include "deploy/harness.h"
#include "deploy/process.h"
#include "deploy/targets.h"
#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

namespace {

namespace fs = std::filesystem;

// What the host reference engine computed for each row.
struct Expected {
  std::vector<std::vector<float>> outputs;
  std::vector<std::vector<int32_t>> integer_outputs;
};

// What the device printed.
struct DeviceOutput {
  std::vector<std::vector<uint32_t>> float_bits;
  std::vector<std::vector<int32_t>> integer_values;
  int64_t stack_bytes = -1;
  uint64_t counter_total = 0;
  std::vector<uint64_t> step_totals;  // profiled builds: "P" records
  uint64_t mark_total = 0;             // ... and the "H" record
  int error_rows = 0;
  bool ended = false;
};

// A build folder that is removed at the end unless the user asked to keep it.
class WorkDir {
 public:
  explicit WorkDir(const fs::path& requested) {
    if (!requested.empty()) {
      path_ = requested;
      fs::create_directories(path_);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "tinymlops-verify-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error(ErrorKind::kIo, pattern, "cannot create a build folder");
    path_ = pattern;
    temporary_ = true;
  }
  ~WorkDir() {
    std::error_code ec;
    if (temporary_) fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool temporary_ = false;
};

int dequantize_input(const DeployModel& model) {
  for (const DeployOp& op : model.ops) {
    if (op.kind == OpKind::kDequantize) return op.inputs[0];
  }
  return -1;
}

// The values of an integer (int8 or int16) tensor's bytes.
std::vector<int32_t> integer_values(const std::string& bytes, int bits) {
  std::vector<int32_t> values;
  for (size_t i = 0; i < bytes.size(); i += static_cast<size_t>(bits / 8)) {
    if (bits == 8) {
      values.push_back(static_cast<int8_t>(bytes[i]));
    } else {
      int16_t v;
      std::memcpy(&v, bytes.data() + i, sizeof v);
      values.push_back(v);
    }
  }
  return values;
}

Expected host_outputs(const DeployModel& model, const Matrix& normalized, int integer_bits, HarnessRows& rows) {
  ReferenceEngine engine(model);
  Expected expected;
  const int int_out = dequantize_input(model);
  for (Eigen::Index r = 0; r < normalized.rows(); ++r) {
    engine.run(normalized.row(r).data());
    expected.outputs.push_back(engine.tensor_values(model.output));
    if (integer_bits == 0) continue;
    const std::vector<int32_t> q = integer_values(engine.tensor_bytes(model.ops[0].output), integer_bits);
    rows.quantized.insert(rows.quantized.end(), q.begin(), q.end());
    expected.integer_outputs.push_back(integer_values(engine.tensor_bytes(int_out), integer_bits));
  }
  return expected;
}

std::string first_lines(const std::string& text, int lines) {
  std::istringstream in(text);
  std::string line, result;
  for (int i = 0; i < lines && std::getline(in, line); ++i) result += (i ? " | " : "") + line;
  return result;
}

void run_checked(const std::vector<std::string>& argv, const fs::path& dir, const std::string& what) {
  const ProcessResult result = run_process(argv, dir, 300);
  if (result.timed_out || result.exit_code != 0) {
    // The linker's overflow, or an array beyond AVR's 32 KB of data addresses.
    if (result.output.find("overflowed by") != std::string::npos ||
        result.output.find("is not within region") != std::string::npos ||
        (result.output.find("size of array") != std::string::npos &&
         result.output.find("is too large") != std::string::npos)) {
      throw Error(ErrorKind::kIo, what,
                  "the model and its test rows do not fit the target's memory (" + first_lines(result.output, 2) +
                      "); try fewer --rows or a smaller variant (tinymlops fit tells what fits)");
    }
    throw Error(ErrorKind::kIo, what, "build failed: " + first_lines(result.output, 6));
  }
}

// Compiles `sources` to objects (strict warnings for the generated model and
// kernels) and returns the object names.
std::vector<std::string> compile(const TargetToolchain& tc, const fs::path& dir, const std::vector<std::string>& sources,
                                 bool strict, const std::string& what) {
  std::vector<std::string> objects;
  for (const std::string& source : sources) {
    std::vector<std::string> argv{tc.compiler};
    argv.insert(argv.end(), tc.flags.begin(), tc.flags.end());
    if (strict) argv.insert(argv.end(), tc.strict_flags.begin(), tc.strict_flags.end());
    const std::string object = source.substr(0, source.size() - 2) + ".o";
    argv.insert(argv.end(), {"-I.", "-c", source, "-o", object});
    run_checked(argv, dir, what);
    objects.push_back(object);
  }
  return objects;
}

void link(const TargetToolchain& tc, const fs::path& dir, const std::vector<std::string>& objects,
          const std::string& out, const std::string& what) {
  std::vector<std::string> argv{tc.compiler};
  argv.insert(argv.end(), tc.flags.begin(), tc.flags.end());
  argv.insert(argv.end(), objects.begin(), objects.end());
  argv.insert(argv.end(), tc.link_flags.begin(), tc.link_flags.end());
  argv.insert(argv.end(), {"-o", out});
  run_checked(argv, dir, what);
}

// Section sizes of a linked program (`size -A`).
struct ProgramSizes {
  int64_t text = 0, rodata = 0, ram = 0;  // ram: data + bss
};

ProgramSizes program_sizes(const TargetToolchain& tc, const fs::path& dir, const std::string& elf) {
  const ProcessResult result = run_process({tc.size_tool, "-A", elf}, dir, 60);
  if (result.exit_code != 0) throw Error(ErrorKind::kIo, elf, "cannot read sizes: " + first_lines(result.output, 2));
  std::istringstream in(result.output);
  std::string line;
  ProgramSizes sizes;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string section;
    int64_t size = 0;
    if (!(fields >> section >> size)) continue;
    if (section.starts_with(".text") || section == ".ARM.exidx") sizes.text += size;
    if (section.starts_with(".rodata")) sizes.rodata += size;
    if (section.starts_with(".data") || section.starts_with(".bss")) sizes.ram += size;
  }
  return sizes;
}

// The target's toolchain, at optimization level `level` ("2", "s", ...) when given.
TargetToolchain toolchain_at(VerifyTarget target, const std::string& level) {
  TargetToolchain tc = target_toolchain(target);
  if (level.empty()) return tc;
  static const std::vector<std::string> levels{"0", "1", "2", "3", "s", "z"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    throw Error(ErrorKind::kUsage, "--optimize", "unknown level '" + level + "' (0, 1, 2, 3, s, z)");
  }
  for (std::string& flag : tc.flags) {
    if (flag.starts_with("-O")) flag = "-O" + level;
  }
  return tc;
}

DeviceOutput parse_device_output(const std::string& text, int rows, int outputs, int integer_outputs) {
  DeviceOutput out;
  out.float_bits.assign(static_cast<size_t>(rows), std::vector<uint32_t>(static_cast<size_t>(outputs), 0));
  // A value no integer output can have, until the device prints one.
  out.integer_values.assign(static_cast<size_t>(rows), std::vector<int32_t>(static_cast<size_t>(integer_outputs), INT32_MIN));
  // simavr colours and re-terminates UART lines, so records are found by
  // pattern rather than by line.
  static const std::regex record(R"((END|[SFQXCPH])((?: -?[0-9a-fA-F]+)*) ;)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), record); it != std::sregex_iterator(); ++it) {
    const std::string kind = (*it)[1];
    std::istringstream fields((*it)[2]);
    if (kind == "END") {
      out.ended = true;
    } else if (kind == "S") {
      fields >> out.stack_bytes;
    } else if (kind == "C") {
      fields >> out.counter_total;
    } else if (kind == "H") {
      fields >> out.mark_total;
    } else if (kind == "P") {
      size_t step = 0;
      uint64_t total = 0;
      if (!(fields >> step >> total) || step > 4096) continue;
      if (out.step_totals.size() <= step) out.step_totals.resize(step + 1, 0);
      out.step_totals[step] = total;
    } else if (kind == "X") {
      ++out.error_rows;
    } else {
      long r = -1, j = -1;
      std::string value;
      fields >> r >> j >> value;
      if (r < 0 || r >= rows || j < 0) continue;
      if (kind == "F" && j < outputs) {
        out.float_bits[static_cast<size_t>(r)][static_cast<size_t>(j)] =
            static_cast<uint32_t>(std::stoul(value, nullptr, 16));
      }
      if (kind == "Q" && j < integer_outputs) {
        out.integer_values[static_cast<size_t>(r)][static_cast<size_t>(j)] = std::stoi(value);
      }
    }
  }
  return out;
}

// The object files of a harness build, for the size probes.
struct HarnessObjects {
  std::vector<std::string> model, support;
};

// Throws Error(kIo) when the PROGMEM constants of `elf` in `dir` (weights and
// test rows) end beyond the flash the AVR code reads them from: avr-libc's
// linker script places them before __ctors_start.
void check_constant_reach(const TargetToolchain& tc, const fs::path& dir, const std::string& elf,
                          const std::string& what) {
  if (tc.constant_reach_bytes == 0) return;
  const ProcessResult result = run_process({tc.nm_tool, elf}, dir, 60);
  static const std::regex symbol(R"(([0-9a-fA-F]+) T __ctors_start)");
  std::smatch match;
  if (result.exit_code != 0 || !std::regex_search(result.output, match, symbol)) {
    throw Error(ErrorKind::kIo, elf, "cannot find where its constants end: " + first_lines(result.output, 2));
  }
  const int64_t end = std::stoll(match[1].str(), nullptr, 16);
  if (end > tc.constant_reach_bytes) {  // an address: the vector table and libc's constants included
    throw Error(ErrorKind::kIo, what,
                "the model and its test rows do not fit the target's memory (their constants end at byte " +
                    std::to_string(end) + " of flash; the generated code reads constants from the first " +
                    std::to_string(tc.constant_reach_bytes) +
                    " only); try fewer --rows or a smaller variant (tinymlops fit tells what fits)");
  }
}

// Writes the generated code, the harness and the target's support files into
// `dir` and builds harness.elf there.
HarnessObjects build_harness(const TargetToolchain& tc, const fs::path& dir,
                             const GeneratedCode& code, const HarnessRows& rows, const std::string& what) {
  std::vector<std::string> model_sources, support_sources;
  for (const GeneratedFile& file : code.files) {
    write_file_atomic(dir / file.path, file.content);
    if (file.path.ends_with(".c")) model_sources.push_back(file.path);
  }
  write_file_atomic(dir / "harness_platform.h", tc.platform_header);
  write_file_atomic(dir / "harness.c", harness_source(code.name, rows, code.integer_bits));
  for (const SupportFile& file : tc.support_files) {
    write_file_atomic(dir / file.name, file.content);
    if (file.name.ends_with(".c")) support_sources.push_back(file.name);
  }
  HarnessObjects objects;
  objects.model = compile(tc, dir, model_sources, true, what);
  objects.support = compile(tc, dir, support_sources, false, what);
  std::vector<std::string> all = compile(tc, dir, {"harness.c"}, false, what);
  all.insert(all.end(), objects.model.begin(), objects.model.end());
  all.insert(all.end(), objects.support.begin(), objects.support.end());
  link(tc, dir, all, "harness.elf", what);
  check_constant_reach(tc, dir, "harness.elf", what);
  return objects;
}

// Runs harness.elf in `dir` and reads what it printed; throws when it did not
// finish or an entry point returned an error.
DeviceOutput run_harness(const TargetToolchain& tc, const fs::path& dir, const std::string& target, int rows,
                         int outputs, int integer_outputs) {
  const ProcessResult run = run_process(tc.run, dir, tc.run_timeout_seconds);
  if (run.timed_out) throw Error(ErrorKind::kInvalid, target, "the program did not finish in time");
  DeviceOutput device = parse_device_output(run.output, rows, outputs, integer_outputs);
  if (!device.ended || run.exit_code != 0) {
    throw Error(ErrorKind::kInvalid, target,
                "the program stopped early (exit " + std::to_string(run.exit_code) +
                    "): " + first_lines(run.output, 4));
  }
  if (device.error_rows > 0) throw Error(ErrorKind::kInvalid, target, "an entry point returned an error");
  return device;
}

void compare(const Expected& expected, const DeviceOutput& device, double tolerance, VerifyReport& report) {
  for (size_t r = 0; r < expected.outputs.size(); ++r) {
    bool identical = true, within = true;
    for (size_t j = 0; j < expected.outputs[r].size(); ++j) {
      const float host = expected.outputs[r][j];
      float got;
      std::memcpy(&got, &device.float_bits[r][j], sizeof got);
      uint32_t host_bits;
      std::memcpy(&host_bits, &host, sizeof host_bits);
      identical = identical && host_bits == device.float_bits[r][j];
      const double diff = std::fabs(static_cast<double>(got) - static_cast<double>(host));
      if (!(diff <= tolerance * std::max(1.0, std::fabs(static_cast<double>(host))))) within = false;
      if (std::isfinite(diff)) report.max_abs_difference = std::max(report.max_abs_difference, diff);
    }
    report.float_identical_rows += identical ? 1 : 0;
    report.float_mismatched_rows += within ? 0 : 1;
    if (report.integer_bits == 0) continue;
    if (device.integer_values[r] != expected.integer_outputs[r]) ++report.integer_mismatched_rows;
  }
}

// The same program built with the model's profiling marks (-D<NAME>_PROFILE)
// in `dir`: the counter units of each step of the float entry point per
// inference, less the cost of one mark, averaged over the rows.
std::vector<VerifyStep> profile_steps(const DeployModel& model, const GeneratedCode& code, uint32_t kernel_features,
                                      const HarnessRows& rows, TargetToolchain tc,
                                      const fs::path& dir, const VerifyReport& report, int integer_outputs) {
  fs::create_directories(dir);
  tc.flags.push_back("-D" + c_macro_prefix(code.name) + "_PROFILE");
  build_harness(tc, dir, code, rows, report.target + " profiling build");
  const DeviceOutput device = run_harness(tc, dir, report.target, report.rows, report.outputs, integer_outputs);
  if (device.step_totals.size() != model.ops.size() + 2) {
    throw Error(ErrorKind::kInvalid, report.target, "the profiling build printed no step counts");
  }
  std::vector<VerifyStep> steps;
  for (size_t s = 0; s < device.step_totals.size(); ++s) {
    VerifyStep step;
    const bool op = s > 0 && s <= model.ops.size();
    step.op = op ? op_kind_name(model.ops[s - 1].kind) : s == 0 ? "input" : "output";
    if (op) step.kernel = select_kernel(model, model.ops[s - 1], kernel_features).function;
    step.macs = op ? model.op_macs(s - 1) : 0;
    step.values = op ? model.tensors[static_cast<size_t>(model.ops[s - 1].output)].size()
                     : s == 0 ? model.input_size() : model.output_size();
    const int64_t units = static_cast<int64_t>(device.step_totals[s]) - static_cast<int64_t>(device.mark_total);
    step.counter_per_inference = std::max<int64_t>(0, units) * tc.counter_scale / (tc.counter_divisor * report.rows);
    steps.push_back(step);
  }
  return steps;
}

}  // namespace

namespace {

// Every target and its name, in the order `--help` lists them.
constexpr std::pair<VerifyTarget, const char*> kTargetNames[] = {
    {VerifyTarget::kHost, "host"},           {VerifyTarget::kCortexM0, "cortex-m0"},
    {VerifyTarget::kCortexM4, "cortex-m4"},  {VerifyTarget::kCortexM7, "cortex-m7"},
    {VerifyTarget::kCortexM33, "cortex-m33"}, {VerifyTarget::kRv32, "rv32"},
    {VerifyTarget::kAvr, "avr"},             {VerifyTarget::kAvrMega, "avr-mega"},
};
constexpr bool names_in_enum_order() {
  for (size_t i = 0; i < std::size(kTargetNames); ++i) {
    if (static_cast<size_t>(kTargetNames[i].first) != i) return false;
  }
  return std::size(kTargetNames) == static_cast<size_t>(VerifyTarget::kAvrMega) + 1;
}
static_assert(names_in_enum_order());

}  // namespace

const char* verify_target_name(VerifyTarget target) { return kTargetNames[static_cast<size_t>(target)].second; }

std::string verify_target_names() {
  std::string names;
  for (const auto& [target, name] : kTargetNames) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

VerifyTarget parse_verify_target(const std::string& name) {
  for (const auto& [target, target_name] : kTargetNames) {
    if (name == target_name) return target;
  }
  throw Error(ErrorKind::kUsage, "--target", "unknown target '" + name + "' (" + verify_target_names() + ")");
}

int default_verify_rows(VerifyTarget target) { return target_toolchain(target).default_rows; }

Matrix spread_rows(const Matrix& features, int count) {
  const Eigen::Index n = features.rows();
  if (count <= 0 || count >= n) return features;
  Matrix rows(count, features.cols());
  for (Eigen::Index i = 0; i < count; ++i) {
    const Eigen::Index source = count == 1 ? 0 : i * (n - 1) / (count - 1);
    rows.row(i) = features.row(source);
  }
  return rows;
}

VerifyReport verify_model(const DeployModel& model, const Matrix& raw_rows, const VerifyOptions& options,
                          Progress* progress) {
  model.validate("verify");
  if (raw_rows.rows() == 0) throw Error(ErrorKind::kUsage, "verify", "no rows to verify on");
  if (raw_rows.cols() != model.input_size()) {
    throw Error(ErrorKind::kUsage, "verify",
                "rows have " + std::to_string(raw_rows.cols()) + " values, the model takes " +
                    std::to_string(model.input_size()));
  }
  // A NaN or infinity cannot be written into the harness as a C literal.
  if (!raw_rows.allFinite()) throw Error(ErrorKind::kUsage, "verify", "rows hold a value that is not finite");
  const TargetToolchain tc = toolchain_at(options.target, options.optimization);
  const std::string target = verify_target_name(options.target);
  VerifyReport report;
  report.target = target;
  report.variant = model.variant;
  report.rows = static_cast<int>(raw_rows.rows());
  report.outputs = static_cast<int>(model.output_size());
  report.tolerance = options.tolerance;
  report.counter_unit = tc.counter_unit;

  EmitOptions emit;
  emit.name = "model";
  emit.command = "tinymlops verify --target " + target;
  const bool size_first = options.optimization == "s" || options.optimization == "z";
  emit.kernel_features = options.reference_kernels || size_first ? kPortable : tc.kernel_features;
  report.kernels = kernel_features_name(emit.kernel_features);
  const GeneratedCode code = emit_c(model, emit);
  report.model_sha256 = code.model_sha256;
  report.integer_bits = code.integer_bits;
  report.arena_bytes = code.plan.arena_bytes;
  report.arena_lower_bound = code.plan.lower_bound_bytes;
  report.macs = model.macs();
  report.weight_bytes = model.constant_bytes();

  HarnessRows rows;
  rows.count = report.rows;
  rows.raw.assign(raw_rows.data(), raw_rows.data() + raw_rows.size());
  Matrix normalized = raw_rows;
  model.metadata.normalization.apply(normalized);
  const Expected expected = host_outputs(model, normalized, code.integer_bits, rows);

  WorkDir work(options.work_dir);
  const fs::path& dir = work.path();
  if (progress) progress->message("verify: building for " + target + " with " + tc.compiler + " in " + dir.string());
  const std::string what = target + " build";
  const HarnessObjects harness = build_harness(tc, dir, code, rows, what);
  write_file_atomic(dir / "probe_with.c", probe_source(code.name, true, code.integer_bits));
  write_file_atomic(dir / "probe_without.c", probe_source(code.name, false, code.integer_bits));
  std::vector<std::string> with = compile(tc, dir, {"probe_with.c"}, false, what);
  std::vector<std::string> without = compile(tc, dir, {"probe_without.c"}, false, what);
  with.insert(with.end(), harness.model.begin(), harness.model.end());
  with.insert(with.end(), harness.support.begin(), harness.support.end());
  without.insert(without.end(), harness.support.begin(), harness.support.end());
  link(tc, dir, with, "probe_with.elf", what);
  link(tc, dir, without, "probe_without.elf", what);
  const ProgramSizes with_model = program_sizes(tc, dir, "probe_with.elf");
  const ProgramSizes without_model = program_sizes(tc, dir, "probe_without.elf");
  report.flash_bytes = with_model.text + with_model.rodata - without_model.text - without_model.rodata;
  report.ram_bytes = with_model.ram - without_model.ram;
  if (!tc.constants_in_text) report.code_bytes = with_model.text - without_model.text;

  if (progress) progress->message("verify: running " + std::to_string(report.rows) + " rows with " + tc.run[0]);
  const int integer_outputs = code.integer_bits > 0 ? static_cast<int>(expected.integer_outputs[0].size()) : 0;
  const DeviceOutput device = run_harness(tc, dir, target, report.rows, report.outputs, integer_outputs);
  report.stack_bytes = device.stack_bytes;
  if (tc.counter_scale > 0) {
    report.counter_per_inference = static_cast<int64_t>(
        device.counter_total * static_cast<uint64_t>(tc.counter_scale) /
        static_cast<uint64_t>(tc.counter_divisor * report.rows));
  }
  if (options.profile && tc.counter_scale > 0) {
    if (progress) progress->message("verify: profiling each op");
    report.steps = profile_steps(model, code, emit.kernel_features, rows, tc, dir / "profile", report,
                                 integer_outputs);
  }
  compare(expected, device, options.tolerance, report);
  report.passed = report.integer_mismatched_rows == 0 && report.float_mismatched_rows == 0;
  return report;
}

nlohmann::ordered_json to_json(const VerifyReport& r) {
  nlohmann::ordered_json json{{"target", r.target},
          {"variant", r.variant},
          {"model_sha256", r.model_sha256},
          {"kernels", r.kernels},
          {"rows", r.rows},
          {"outputs", r.outputs},
          {"integer_bits", r.integer_bits},
          {"integer_mismatched_rows", r.integer_mismatched_rows},
          {"float_identical_rows", r.float_identical_rows},
          {"float_mismatched_rows", r.float_mismatched_rows},
          {"max_abs_difference", r.max_abs_difference},
          {"tolerance", r.tolerance},
          {"flash_bytes", r.flash_bytes},
          {"weight_bytes", r.weight_bytes},
          {"code_bytes", r.code_bytes},
          {"ram_bytes", r.ram_bytes},
          {"arena_bytes", r.arena_bytes},
          {"arena_lower_bound", r.arena_lower_bound},
          {"macs", r.macs},
          {"stack_bytes", r.stack_bytes},
          {"counter_unit", r.counter_unit},
          {"counter_per_inference", r.counter_per_inference},
          {"passed", r.passed}};
  if (r.steps.empty()) return json;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const VerifyStep& step : r.steps) {
    steps.push_back({{"op", step.op},
                     {"kernel", step.kernel},
                     {"macs", step.macs},
                     {"values", step.values},
                     {"counter_per_inference", step.counter_per_inference}});
  }
  json["steps"] = steps;
  return json;
}

}  // namespace tinymlops

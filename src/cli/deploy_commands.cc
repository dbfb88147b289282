// tinymlops codegen | verify | devices | fit
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/format.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/deploy/codegen_job.h"
#include "tinymlops/deploy/verify_job.h"
#include "tinymlops/runtime/any_model.h"

namespace tinymlops::cli {

namespace {

std::string joined_arguments(int argc, const char* const* argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  return text;
}

// The table of `verify --profile`.
void print_verify_steps(const VerifyReport& r) {
  const char* unit = r.counter_unit.c_str();
  std::printf("  profile         %s per inference by step, with the profiling marks subtracted\n", unit);
  std::printf("    %4s  %-18s %8s %13s %8s  %s\n", "step", "op", "MACs", unit, "per MAC", "kernel");
  int64_t total = 0;
  for (size_t s = 0; s < r.steps.size(); ++s) {
    const VerifyStep& step = r.steps[s];
    total += step.counter_per_inference;
    std::string macs = "-", per_mac = "-";
    if (step.macs > 0) {
      macs = std::to_string(step.macs);
      char text[32];
      std::snprintf(text, sizeof text, "%.2f", static_cast<double>(step.counter_per_inference) / static_cast<double>(step.macs));
      per_mac = text;
    }
    std::printf("    %4zu  %-18s %8s %13lld %8s%s%s\n", s, step.op.c_str(), macs.c_str(),
                static_cast<long long>(step.counter_per_inference), per_mac.c_str(), step.kernel.empty() ? "" : "  ",
                step.kernel.c_str());
  }
  std::printf("    %4s  %-18s %8lld %13lld\n", "", "all steps", static_cast<long long>(r.macs),
              static_cast<long long>(total));
}

void print_verify_report(const VerifyReport& r) {
  std::printf("verify %s: %s model, %d rows, %s kernels\n", r.target.c_str(), r.variant.c_str(), r.rows,
              r.kernels.c_str());
  if (r.integer_bits > 0) {
    std::printf("  int%d outputs   %d of %d rows identical to the host, bit for bit\n", r.integer_bits,
                r.rows - r.integer_mismatched_rows, r.rows);
  }
  std::printf("  float outputs   %d of %d rows bit-identical; %d beyond tolerance %g (max |diff| %.3g)\n",
              r.float_identical_rows, r.rows, r.float_mismatched_rows, r.tolerance, r.max_abs_difference);
  std::printf("  flash           %lld bytes (text + rodata the model adds): %lld of weights",
              static_cast<long long>(r.flash_bytes), static_cast<long long>(r.weight_bytes));
  if (r.code_bytes >= 0) {
    std::printf(", %lld of code, %lld of tables\n", static_cast<long long>(r.code_bytes),
                static_cast<long long>(r.flash_bytes - r.weight_bytes - r.code_bytes));
  } else {
    std::printf(", %lld of code and tables\n", static_cast<long long>(r.flash_bytes - r.weight_bytes));
  }
  std::printf("  RAM             %lld bytes static (data + bss), of which arena %lld\n",
              static_cast<long long>(r.ram_bytes), static_cast<long long>(r.arena_bytes));
  if (r.stack_bytes >= 0) {
    std::printf("  stack           %lld bytes peak (painted)\n", static_cast<long long>(r.stack_bytes));
  }
  if (r.counter_per_inference >= 0) {
    std::printf("  speed           %lld %s per inference\n", static_cast<long long>(r.counter_per_inference),
                r.counter_unit.c_str());
  }
  if (!r.steps.empty()) print_verify_steps(r);
  std::printf("%s\n", r.passed ? "PASSED" : "FAILED");
}

void print_devices(bool json) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  if (!json) {
    std::printf("%-18s %-48s %-14s %10s %10s %6s %-4s %s\n", "id", "board", "arch", "flash*", "RAM*", "MHz", "FPU",
                "verify");
  }
  for (const Device& d : device_catalogue()) {
    list.push_back(to_json(d));
    if (json) continue;
    std::printf("%-18s %-48s %-14s %10s %10s %6d %-4s %s\n", d.id.c_str(), d.name.c_str(), d.arch.c_str(),
                format_bytes(static_cast<uint64_t>(d.usable_flash_bytes)).c_str(),
                format_bytes(static_cast<uint64_t>(d.usable_ram_bytes)).c_str(), d.clock_mhz, d.fpu ? "yes" : "no",
                d.verify_target.empty() ? "none: no emulator in Debian, latency estimated" : d.verify_target.c_str());
  }
  if (json) {
    std::cout << list.dump() << "\n";
  } else {
    std::printf("* usable by a program: bootloaders and reserved regions taken off (devices --json: reserved)\n");
  }
}

void print_fit(const FitReport& r, const Device& d) {
  const auto percent = [](int64_t part, int64_t whole) { return 100.0 * static_cast<double>(part) / static_cast<double>(whole); };
  std::printf("%s (%s)\n", d.id.c_str(), d.name.c_str());
  std::printf("  flash   %lld of %lld B usable (%.1f%%)%s\n", static_cast<long long>(r.flash_needed),
              static_cast<long long>(r.flash_available), percent(r.flash_needed, r.flash_available),
              r.flash_needed > r.flash_available ? "  DOES NOT FIT" : "");
  std::printf("  RAM     %lld of %lld B usable (%.1f%%)%s\n", static_cast<long long>(r.ram_needed),
              static_cast<long long>(r.ram_available), percent(r.ram_needed, r.ram_available),
              r.ram_needed > r.ram_available ? "  DOES NOT FIT" : "");
  if (r.constant_reach > 0) {
    std::printf("  constants %lld of the %lld B its code can read%s\n", static_cast<long long>(r.constant_bytes),
                static_cast<long long>(r.constant_reach), r.constant_bytes > r.constant_reach ? "  DOES NOT FIT" : "");
  }
  if (!r.reserved.empty()) std::printf("  reserved: %s\n", r.reserved.c_str());
  std::printf("  latency about %.3g ms per inference at %d MHz (estimate)\n", r.latency_ms, d.clock_mhz);
  std::printf("%s\n", r.fits ? "fits" : "does not fit; would fit:");
  for (const std::string& s : r.suggestions) std::printf("  - %s\n", s.c_str());
}

}  // namespace

void register_deploy_commands(CLI::App& app, int argc, const char* const* argv) {
  auto codegen = std::make_shared<CodegenConfig>();
  codegen->command = joined_arguments(argc, argv);
  CLI::App* gen = app.add_subcommand("codegen", "generate C99 source for a microcontroller from a model");
  gen->add_option("model", codegen->model, "model file (.tmlm for float32, or .tdm from quantize)")->required();
  gen->add_option("--out", codegen->out, "output folder (replaced if written by codegen before)")->required();
  gen->add_option("--target", codegen->target, "package: c, arduino, esp-idf or platformio")
      ->capture_default_str();
  gen->add_option("--variant", codegen->variant,
                  "require this variant (float32, int8, int4, ...); the model file decides it");
  gen->add_option("--device", codegen->device, "refuse a model that does not fit this board, and use its core's faster kernels (see tinymlops devices)");
  gen->add_option("--name", codegen->name, "C name prefix and file stem (default: the model file's stem)");
  gen->add_option("--offload-threshold", codegen->offload_threshold,
                  "also emit <name>_should_offload(confidence): 1 below this confidence (edge-cloud cascade)")
      ->check(CLI::Range(0.0, 1.0));
  gen->callback([codegen] {
    const CodegenResult result = run_codegen(*codegen);
    std::printf("generated %s (%s%s) in %s: %zu files\n", result.name.c_str(), result.variant.c_str(),
                result.integer_bits == 16  ? ", with an int16 entry point"
                : result.integer_bits == 8 ? ", with an int8 entry point"
                                           : "",
                codegen->out.c_str(),
                result.files.size());
    std::printf("  constants %lld bytes (flash); arena %lld bytes (RAM), lower bound %lld\n",
                static_cast<long long>(result.constant_bytes), static_cast<long long>(result.arena_bytes),
                static_cast<long long>(result.arena_lower_bound_bytes));
    std::printf("next: tinymlops verify %s --target cortex-m4 --data DATA\n", codegen->model.c_str());
  });

  auto verify = std::make_shared<VerifyConfig>();
  auto progress = std::make_shared<ProgressFlags>();
  auto json = std::make_shared<bool>(false);
  CLI::App* ver = app.add_subcommand(
      "verify", "build the generated code for a target, run it on held-out rows, compare with the host");
  ver->add_option("model", verify->model, "model file (.tmlm or .tdm)")->required();
  ver->add_option("--data", verify->data, "CSV with the model's feature columns")->required();
  ver->add_option("--target", verify->target,
                  "host; cortex-m0, cortex-m4, cortex-m7, cortex-m33 or rv32 (QEMU: micro:bit, MPS2 AN386, AN500, "
                  "AN505, virt RV32IMAC); avr or avr-mega (simavr ATmega328P, ATmega2560); `tinymlops devices` "
                  "says which target stands for a board")
      ->capture_default_str();
  ver->add_option("--rows", verify->rows, "rows to run (default: host 200, 32-bit cores 100, avr and avr-mega 16)")
      ->check(CLI::PositiveNumber);
  ver->add_option("--tolerance", verify->tolerance, "float outputs: allowed |diff| / max(1, |host|)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ver->add_option("--keep", verify->work_dir, "build in this folder and keep it");
  ver->add_option("--optimize", verify->optimization,
                  "compiler optimization level 0|1|2|3|s|z (default: 2; s on avr and avr-mega)");
  ver->add_flag("--reference-kernels", verify->reference_kernels,
                "call the reference kernels even where the target has faster ones (cortex-m4/m7/m33: DSP; avr: "
                "multiply; also with -Os/-Oz)");
  ver->add_flag("--profile", verify->profile,
                "also build and run with a mark after each op: instructions or cycles per op and per MAC");
  ver->add_flag("--drop-bad-rows", verify->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  ver->add_flag("--json", *json, "print the report as JSON");
  progress->add_to(*ver);
  ver->callback([verify, progress, json] {
    auto log = progress->make();
    const VerifyReport report = run_verify(*verify, log.get());
    if (*json) std::cout << to_json(report).dump() << "\n";
    else print_verify_report(report);
    if (!report.passed) {
      throw Error(ErrorKind::kInvalid, verify->model, "the generated code's outputs on " + report.target + " differ from the reference engine's");
    }
  });

  auto devices_json = std::make_shared<bool>(false);
  CLI::App* devices = app.add_subcommand("devices", "list the boards tinymlops knows: flash, RAM, clock, FPU");
  devices->add_flag("--json", *devices_json, "print the list as JSON");
  devices->callback([devices_json] { print_devices(*devices_json); });

  auto fit_model_path = std::make_shared<std::string>();
  auto fit_device = std::make_shared<std::string>();
  CLI::App* fit = app.add_subcommand("fit", "does a model fit a board? flash, RAM, estimated latency");
  fit->add_option("model", *fit_model_path, "model file (.tmlm or .tdm)")->required();
  fit->add_option("--device", *fit_device, "board id (see tinymlops devices)")->required();
  fit->callback([fit_model_path, fit_device] {
    const Device& device = find_device(*fit_device);
    const FitReport report = fit_model(load_as_deploy_model(*fit_model_path), device, *fit_model_path);
    print_fit(report, device);
    if (!report.fits) throw Error(ErrorKind::kInvalid, *fit_model_path, fit_failure_summary(report));
  });
}

}  // namespace tinymlops::cli

// tinymlops codegen | verify
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/workflow.h"

namespace tinymlops::cli {

namespace {

std::string joined_arguments(int argc, const char* const* argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  return text;
}

nlohmann::ordered_json report_json(const VerifyReport& r) {
  return {{"target", r.target},
          {"variant", r.variant},
          {"model_sha256", r.model_sha256},
          {"rows", r.rows},
          {"outputs", r.outputs},
          {"int8_checked", r.has_int8},
          {"int8_mismatched_rows", r.int8_mismatched_rows},
          {"float_identical_rows", r.float_identical_rows},
          {"float_mismatched_rows", r.float_mismatched_rows},
          {"max_abs_difference", r.max_abs_difference},
          {"tolerance", r.tolerance},
          {"flash_bytes", r.flash_bytes},
          {"ram_bytes", r.ram_bytes},
          {"arena_bytes", r.arena_bytes},
          {"stack_bytes", r.stack_bytes},
          {"counter_unit", r.counter_unit},
          {"counter_per_inference", r.counter_per_inference},
          {"passed", r.passed}};
}

void print_report(const VerifyReport& r) {
  std::printf("verify %s: %s model, %d rows\n", r.target.c_str(), r.variant.c_str(), r.rows);
  if (r.has_int8) {
    std::printf("  int8 outputs    %d of %d rows identical to the host, bit for bit\n",
                r.rows - r.int8_mismatched_rows, r.rows);
  }
  std::printf("  float outputs   %d of %d rows bit-identical; %d beyond tolerance %g (max |diff| %.3g)\n",
              r.float_identical_rows, r.rows, r.float_mismatched_rows, r.tolerance, r.max_abs_difference);
  std::printf("  flash           %lld bytes (text + rodata the model adds)\n", static_cast<long long>(r.flash_bytes));
  std::printf("  RAM             %lld bytes static (data + bss), of which arena %lld\n",
              static_cast<long long>(r.ram_bytes), static_cast<long long>(r.arena_bytes));
  if (r.stack_bytes >= 0) {
    std::printf("  stack           %lld bytes peak (painted)\n", static_cast<long long>(r.stack_bytes));
  }
  if (r.counter_per_inference >= 0) {
    std::printf("  speed           %lld %s per inference\n", static_cast<long long>(r.counter_per_inference),
                r.counter_unit.c_str());
  }
  std::printf("%s\n", r.passed ? "PASSED" : "FAILED");
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
  gen->add_option("--name", codegen->name, "C name prefix and file stem (default: the model file's stem)");
  gen->callback([codegen] {
    const CodegenResult result = run_codegen(*codegen);
    std::printf("generated %s (%s%s) in %s: %zu files\n", result.name.c_str(), result.variant.c_str(),
                result.has_int8_entry ? ", with an int8 entry point" : "", codegen->out.c_str(),
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
  ver->add_option("--target", verify->target, "host, cortex-m4 (QEMU mps2-an386) or avr (simavr ATmega328P)")
      ->capture_default_str();
  ver->add_option("--rows", verify->rows, "rows to run (default: host 200, cortex-m4 100, avr 16)")
      ->check(CLI::PositiveNumber);
  ver->add_option("--tolerance", verify->tolerance, "float outputs: allowed |diff| / max(1, |host|)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ver->add_option("--keep", verify->work_dir, "build in this folder and keep it");
  ver->add_flag("--drop-bad-rows", verify->drop_bad_rows, "skip rows with empty/NaN/Inf cells");
  ver->add_flag("--json", *json, "print the report as JSON");
  progress->add_to(*ver);
  ver->callback([verify, progress, json] {
    auto log = progress->make();
    const VerifyReport report = run_verify(*verify, log.get());
    if (*json) std::cout << report_json(report).dump() << "\n";
    else print_report(report);
    if (!report.passed) {
      throw Error(ErrorKind::kInvalid, verify->model, "the " + report.target + " outputs differ from the host's");
    }
  });
}

}  // namespace tinymlops::cli

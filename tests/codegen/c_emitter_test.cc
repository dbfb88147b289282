// c_emitter.h: names, the files emitted, determinism, the header's contents,
// and the generated code compiled with the host C and C++ compilers, run, and
// compared bit for bit with the reference engine.
#include "tinymlops/codegen/c_emitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "codegen/deploy_models.h"
#include "codegen/shell.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {
namespace {

using testing::Variant;

const std::vector<Variant> kAllVariants{Variant::kFloatMlp,    Variant::kFloatCnn,  Variant::kInt8Mlp,
                                        Variant::kInt8Cnn,     Variant::kInt4Mlp,   Variant::kCodebookMlp,
                                        Variant::kSparseMlp,   Variant::kFloat16Mlp, Variant::kDynamicMlp,
                                        Variant::kInt16Mlp};

std::string variant_name(const ::testing::TestParamInfo<Variant>& info) { return testing::variant_label(info.param); }

GeneratedCode emit(const DeployModel& model, const std::string& name = "model") {
  EmitOptions options;
  options.name = name;
  return emit_c(model, options);
}

const GeneratedFile& file_named(const GeneratedCode& code, const std::string& path) {
  for (const GeneratedFile& file : code.files) {
    if (file.path == path) return file;
  }
  throw std::runtime_error("no generated file " + path);
}

std::vector<std::string> paths(const GeneratedCode& code) {
  std::vector<std::string> result;
  for (const GeneratedFile& file : code.files) result.push_back(file.path);
  return result;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Whether the header declares the int8 entry point <name>_predict_int8.
bool has_int8_entry(const GeneratedCode& code) {
  return contains(code.files[0].content, "int " + code.name + "_predict_int8(const int8_t* input, int8_t* output);");
}

TEST(CIdentifier, SanitizesToALowerCaseCIdentifier) {
  EXPECT_EQ(c_identifier("model"), "model");
  EXPECT_EQ(c_identifier("Digits"), "digits");
  EXPECT_EQ(c_identifier("digits-int8.v2"), "digits_int8_v2");
  EXPECT_EQ(c_identifier("my model"), "my_model");
  EXPECT_EQ(c_identifier("2fast"), "m_2fast");
  EXPECT_EQ(c_identifier("_x"), "_x");
  EXPECT_EQ(c_identifier(""), "model");
  EXPECT_EQ(c_identifier("caf\xc3\xa9"), "caf__");  // each non-ASCII byte
  const std::regex identifier("[a-z_][a-z0-9_]*");
  for (const char* name : {"a", "9", "-", "A.B-C", "\t", "x\xff"}) {
    EXPECT_TRUE(std::regex_match(c_identifier(name), identifier)) << name << " -> " << c_identifier(name);
  }
}

TEST(EmitC, FilesAreTheModelThenOnlyTheKernelsItUses) {
  const auto files = [](Variant v) { return paths(emit(testing::test_deploy_model(v).model)); };
  EXPECT_EQ(files(Variant::kFloatMlp),
            (std::vector<std::string>{"model.h", "model.c", "tml_activation.h", "tml_activation_f32.c", "tml_common.h",
                                      "tml_fully_connected.c", "tml_fully_connected.h"}));
  // tanh becomes a lookup table (tml_activation.c); softmax stays float.
  EXPECT_EQ(files(Variant::kInt8Mlp),
            (std::vector<std::string>{"model.h", "model.c", "tml_activation.c", "tml_activation.h",
                                      "tml_activation_f32.c", "tml_common.h", "tml_fully_connected.c",
                                      "tml_fully_connected.h", "tml_quantize.c", "tml_quantize.h"}));
  EXPECT_EQ(files(Variant::kInt8Cnn),
            (std::vector<std::string>{"model.h", "model.c", "tml_activation.h", "tml_activation_f32.c", "tml_common.h",
                                      "tml_conv.c", "tml_conv.h", "tml_fully_connected.c", "tml_fully_connected.h",
                                      "tml_pool.c", "tml_pool.h", "tml_quantize.c", "tml_quantize.h"}));
}

// Every kernel file is the one in kernels/, unchanged, and every quoted
// #include of every emitted file names an emitted file.
TEST(EmitC, KernelsAreCopiedUnchangedAndIncludesAreSelfContained) {
  const std::regex include("#include \"([^\"]+)\"");
  for (Variant v : kAllVariants) {
    SCOPED_TRACE(testing::variant_label(v));
    const GeneratedCode code = emit(testing::test_deploy_model(v).model);
    std::set<std::string> names;
    for (const GeneratedFile& file : code.files) names.insert(file.path);
    EXPECT_EQ(names.size(), code.files.size());
    for (size_t i = 2; i < code.files.size(); ++i) {
      EXPECT_EQ(code.files[i].content, read_file(testing::source_dir() / "kernels" / code.files[i].path))
          << code.files[i].path;
    }
    for (const GeneratedFile& file : code.files) {
      for (auto it = std::sregex_iterator(file.content.begin(), file.content.end(), include);
           it != std::sregex_iterator(); ++it) {
        EXPECT_TRUE(names.count((*it)[1])) << file.path << " includes " << (*it)[1];
      }
    }
  }
  std::set<std::string> embedded;
  for (const auto& [name, content] : kernel_sources()) {
    embedded.insert(name);
    EXPECT_EQ(content, read_file(testing::source_dir() / "kernels" / name)) << name;
  }
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() / "kernels")) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".c") || name.ends_with(".h")) EXPECT_TRUE(embedded.count(name)) << name;
  }
}

TEST(EmitC, SameModelAndOptionsGiveTheSameBytes) {
  for (Variant v : kAllVariants) {
    SCOPED_TRACE(testing::variant_label(v));
    const DeployModel& model = testing::test_deploy_model(v).model;
    EmitOptions options;
    options.name = "Kws-Model";
    options.source = "kws.tdm";
    options.command = "tinymlops codegen kws.tdm --out out";
    const GeneratedCode a = emit_c(model, options);
    const GeneratedCode b = emit_c(DeployModel(model), options);
    ASSERT_EQ(a.files.size(), b.files.size());
    for (size_t i = 0; i < a.files.size(); ++i) {
      EXPECT_EQ(a.files[i].path, b.files[i].path);
      EXPECT_EQ(a.files[i].content, b.files[i].content) << a.files[i].path;
    }
    EXPECT_EQ(a.name, "kws_model");
    EXPECT_EQ(a.files[0].path, "kws_model.h");
    EXPECT_EQ(a.files[1].path, "kws_model.c");
  }
}

TEST(EmitC, HeaderHoldsSizesHashVariantAndLabels) {
  const DeployModel& model = testing::test_deploy_model(Variant::kFloatMlp).model;
  EmitOptions options;
  options.name = "kws";
  options.source = "kws.tmlm";
  options.command = "tinymlops codegen kws.tmlm --out out";
  const GeneratedCode code = emit_c(model, options);
  const std::string sha = to_hex(sha256(serialize_deploy_model(model)));
  EXPECT_EQ(code.model_sha256, sha);
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_FALSE(has_int8_entry(code));
  const std::string& h = file_named(code, "kws.h").content;
  const std::string& c = file_named(code, "kws.c").content;
  EXPECT_TRUE(contains(h, "#define KWS_INPUT_SIZE 6\n"));
  EXPECT_TRUE(contains(h, "#define KWS_OUTPUT_SIZE 4\n"));
  EXPECT_TRUE(contains(h, "#define KWS_ARENA_BYTES " + std::to_string(code.plan.arena_bytes) + "\n"));
  EXPECT_TRUE(contains(h, "#define KWS_MODEL_SHA256 \"" + sha + "\"\n"));
  EXPECT_TRUE(contains(h, "#define KWS_VARIANT \"float32\"\n"));
  EXPECT_TRUE(contains(h, "#define KWS_NUM_CLASSES 4\n"));
  EXPECT_TRUE(contains(h, "int kws_predict(const float* raw_input, float* output);"));
  EXPECT_FALSE(contains(h, "kws_predict_int8"));
  EXPECT_TRUE(contains(h, "Model:   kws.tmlm"));
  EXPECT_TRUE(contains(h, "Command: tinymlops codegen kws.tmlm --out out"));
  EXPECT_TRUE(contains(c, "kws_labels[KWS_NUM_CLASSES] = {\"c0\", \"c1\", \"c2\", \"c3\"};"));
  EXPECT_TRUE(contains(c, "uint8_t bytes[" + std::to_string(code.plan.arena_bytes) + "];"));

  const DeployModel& int8 = testing::test_deploy_model(Variant::kInt8Mlp).model;
  const GeneratedCode q = emit(int8);
  EXPECT_TRUE(has_int8_entry(q));
  const std::string& qh = file_named(q, "model.h").content;
  EXPECT_TRUE(contains(qh, "#define MODEL_HAS_INT8 1\n"));
  EXPECT_TRUE(contains(qh, "#define MODEL_VARIANT \"int8\"\n"));
  EXPECT_TRUE(contains(qh, "#define MODEL_INPUT_ZERO_POINT " +
                               std::to_string(int8.tensors[static_cast<size_t>(int8.ops[0].output)].zero_point) + "\n"));
  EXPECT_TRUE(contains(qh, "int model_predict_int8(const int8_t* input, int8_t* output);"));
  // Weight-only variants keep float activations: no int8 entry point.
  EXPECT_FALSE(has_int8_entry(emit(testing::test_deploy_model(Variant::kDynamicMlp).model)));
}

// An int8 model's normalization is binary16-exact (quantize rounds it) and is
// stored in 16 bits; a float model's stays float32. That the stored values decode
// to exactly the host's is what the bit-for-bit tests below and verify check.
TEST(EmitC, BinaryHalfNormalizationIsStoredIn16Bits) {
  const DeployModel& int8 = testing::test_deploy_model(Variant::kInt8Mlp).model;
  ASSERT_TRUE(normalization_is_half(int8.metadata.normalization));
  const std::string int8_c = file_named(emit(int8), "model.c").content;
  EXPECT_TRUE(contains(int8_c, "static const uint16_t model_offset[")) << int8_c.substr(0, 2000);
  EXPECT_TRUE(contains(int8_c, "static const uint16_t model_scale["));
  EXPECT_TRUE(contains(int8_c, "model_half(TML_LD_U16(&model_offset[i]))"));

  DeployModel float_model = testing::test_deploy_model(Variant::kFloatMlp).model;
  float_model.metadata.normalization.offset[0] = 0.1f;  // not a binary16 value
  ASSERT_FALSE(normalization_is_half(float_model.metadata.normalization));
  const std::string float_c = file_named(emit(float_model), "model.c").content;
  EXPECT_TRUE(contains(float_c, "static const float model_offset["));
  EXPECT_FALSE(contains(float_c, "model_half("));
}

TEST(EmitC, NonFiniteConstantIsAnError) {
  const DeployModel& model = testing::test_deploy_model(Variant::kFloatMlp).model;
  const auto expect_invalid = [](const DeployModel& broken) {
    try {
      emit(broken);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalid) << e.what();
    }
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (int input : {1, 2}) {  // weights, then bias, of the first op
    for (float bad : {nan, inf, -inf}) {
      DeployModel broken = model;
      DeployTensor& t = broken.tensors[static_cast<size_t>(broken.ops[0].inputs[static_cast<size_t>(input)])];
      std::memcpy(t.data.data() + 4, &bad, sizeof bad);
      expect_invalid(broken);
    }
  }
  DeployModel broken = model;
  broken.metadata.normalization.scale[2] = inf;
  expect_invalid(broken);
}

// Values as C initializers of uint32 bit patterns, so that the program sees
// exactly the floats the engine sees.
std::string float_bits_initializer(const float* values, Eigen::Index count) {
  std::string text;
  for (Eigen::Index i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    text += std::to_string(bits) + "u,";
  }
  return text;
}

// A C program running the float entry point on `rows` (and the int8 one on
// `quantized`, when given): "F <bits>" per float output, "Q <value>" per int8
// output, then checks of argmax and the null-pointer errors.
std::string driver_source(const Matrix& rows, const std::vector<int8_t>& quantized) {
  const bool int8 = !quantized.empty();
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = rows;
  std::ostringstream c;
  c << "#include <stdio.h>\n#include <string.h>\n#include \"model.h\"\n\n";
  c << "static const uint32_t rows[] = {" << float_bits_initializer(row_major.data(), row_major.size()) << "};\n";
  if (int8) {
    c << "static const int8_t quantized[] = {";
    for (int8_t q : quantized) c << static_cast<int>(q) << ",";
    c << "};\n";
  }
  c << "int main(void) {\n  int r, j;\n  float input[MODEL_INPUT_SIZE], output[MODEL_OUTPUT_SIZE];\n";
  c << "  for (r = 0; r < " << rows.rows() << "; ++r) {\n";
  c << "    float best_value = 0;\n    int best;\n";
  c << "    memcpy(input, &rows[r * MODEL_INPUT_SIZE], sizeof input);\n";
  c << "    if (model_predict(input, output) != MODEL_OK) return 2;\n";
  c << "    for (j = 0; j < MODEL_OUTPUT_SIZE; ++j) {\n      uint32_t bits;\n";
  c << "      memcpy(&bits, &output[j], sizeof bits);\n      printf(\"F %lu\\n\", (unsigned long)bits);\n    }\n";
  c << "    best = model_argmax(output, &best_value);\n";
  c << "    for (j = 0; j < MODEL_OUTPUT_SIZE; ++j) if (output[j] > output[best]) return 3;\n";
  c << "    if (best_value != output[best] || model_argmax(output, 0) != best) return 4;\n";
  if (int8) {
    c << "    {\n      int8_t q[MODEL_INT8_OUTPUT_SIZE];\n";
    c << "      if (model_predict_int8(&quantized[r * MODEL_INPUT_SIZE], q) != MODEL_OK) return 5;\n";
    c << "      for (j = 0; j < MODEL_INT8_OUTPUT_SIZE; ++j) printf(\"Q %d\\n\", (int)q[j]);\n    }\n";
  }
  c << "  }\n";
  c << "  if (model_predict(0, output) != MODEL_ERROR_ARGUMENT) return 6;\n";
  c << "  if (model_predict(input, 0) != MODEL_ERROR_ARGUMENT) return 7;\n";
  c << "  if (model_argmax(0, 0) != MODEL_ERROR_ARGUMENT) return 8;\n";
  if (int8) c << "  if (model_predict_int8(0, 0) != MODEL_ERROR_ARGUMENT) return 9;\n";
  c << "  return 0;\n}\n";
  return c.str();
}

const char* kStrictC = "cc -std=c99 -O2 -ffp-contract=off -Wall -Wextra -pedantic -Werror -I.";

// The cascade hook: absent by default; with a threshold, the device asks "offload?"
// from its own confidence, compiled and run on the host (and the macro can be
// overridden at compile time).
TEST(EmitC, OffloadHookComparesConfidenceWithTheThresholdMacro) {
  const DeployModel& model = testing::test_deploy_model(Variant::kInt8Mlp).model;
  EXPECT_FALSE(contains(file_named(emit(model), "model.h").content, "should_offload"));
  EmitOptions options;
  options.offload_threshold = 0.75;
  const GeneratedCode code = emit_c(model, options);
  const std::string& h = file_named(code, "model.h").content;
  EXPECT_TRUE(contains(h, "#define MODEL_OFFLOAD_THRESHOLD 0.75f\n"));
  EXPECT_TRUE(contains(h, "int model_should_offload(float confidence);"));
  options.offload_threshold = 0.7;  // the shortest literal that reads back as the same float
  EXPECT_TRUE(contains(file_named(emit_c(model, options), "model.h").content, "#define MODEL_OFFLOAD_THRESHOLD 0.7f\n"));
  options.offload_threshold = 0.75;

  testing::TempDir dir;
  testing::write_files(dir.path(), code.files);
  std::string main = "#include \"model.h\"\n#include <stdio.h>\n\nint main(void) {\n";
  main += "  float input[MODEL_INPUT_SIZE] = {0}, output[MODEL_OUTPUT_SIZE], confidence = 0;\n";
  main += "  if (model_predict(input, output) != MODEL_OK) return 9;\n";
  main += "  model_argmax(output, &confidence);\n";
  main += "  printf(\"%d %d %d %d\\n\", model_should_offload(0.5f), model_should_offload(0.75f),\n";
  main += "         model_should_offload(0.9f), model_should_offload(confidence) == (confidence < MODEL_OFFLOAD_THRESHOLD));\n";
  main += "  return 0;\n}\n";
  write_file_atomic(dir.path() / "main.c", main);
  const std::string build = std::string(kStrictC) + testing::c_sources(code.files) + " main.c -lm";
  const testing::ShellResult run = testing::run_shell(build + " -o program && ./program", dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "1 0 0 1\n");
  const testing::ShellResult strict =
      testing::run_shell(build + " -DMODEL_OFFLOAD_THRESHOLD=0.95f -o program2 && ./program2", dir.path());
  ASSERT_EQ(strict.exit_code, 0) << strict.output;
  EXPECT_EQ(strict.output, "1 1 1 1\n");
}

class EmittedCode : public ::testing::TestWithParam<Variant> {};

// The generated model, compiled as C99 with every warning an error, runs on
// the host and prints exactly what the reference engine computes: float
// outputs bit for bit, and int8 outputs of the int8 entry point.
TEST_P(EmittedCode, CompiledAsC99GivesTheReferenceEnginesOutputsBitForBit) {
  const testing::TestDeployModel& test = testing::test_deploy_model(GetParam());
  const DeployModel& model = test.model;
  const GeneratedCode code = emit(model);
  const Matrix rows = test.rows.topRows(25);

  ReferenceEngine engine(model);
  const Matrix expected = engine.predict(rows);
  std::vector<int8_t> quantized, expected_int8;
  if (has_int8_entry(code)) {
    int dequantize_input = -1;
    for (const DeployOp& op : model.ops) {
      if (op.kind == OpKind::kDequantize) dequantize_input = op.inputs[0];
    }
    ASSERT_GE(dequantize_input, 0);
    Matrix normalized = rows;
    model.metadata.normalization.apply(normalized);
    for (Eigen::Index r = 0; r < rows.rows(); ++r) {
      engine.run(normalized.row(r).data());
      const std::string& in = engine.tensor_bytes(model.ops[0].output);
      const std::string& out = engine.tensor_bytes(dequantize_input);
      quantized.insert(quantized.end(), in.begin(), in.end());
      expected_int8.insert(expected_int8.end(), out.begin(), out.end());
    }
  }

  testing::TempDir dir;
  testing::write_files(dir.path(), code.files);
  write_file_atomic(dir.path() / "main.c", driver_source(rows, quantized));
  const testing::ShellResult build =
      testing::run_shell(std::string(kStrictC) + testing::c_sources(code.files) + " main.c -o program -lm", dir.path());
  ASSERT_EQ(build.exit_code, 0) << build.output;
  const testing::ShellResult run = testing::run_shell("./program", dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.output;

  std::istringstream lines(run.output);
  std::vector<uint32_t> floats;
  std::vector<int> ints;
  std::string kind;
  while (lines >> kind) {
    if (kind == "F") floats.push_back(0), lines >> floats.back();
    else if (kind == "Q") ints.push_back(0), lines >> ints.back();
    else FAIL() << "unexpected output: " << run.output.substr(0, 200);
  }
  ASSERT_EQ(floats.size(), static_cast<size_t>(expected.size()));
  int differing = 0;
  for (Eigen::Index r = 0; r < expected.rows(); ++r) {
    for (Eigen::Index j = 0; j < expected.cols(); ++j) {
      const float host = expected(r, j);
      uint32_t host_bits;
      std::memcpy(&host_bits, &host, sizeof host_bits);
      if (floats[static_cast<size_t>(r * expected.cols() + j)] != host_bits) ++differing;
    }
  }
  EXPECT_EQ(differing, 0) << "float outputs differ from the reference engine";
  ASSERT_EQ(ints.size(), expected_int8.size());
  for (size_t i = 0; i < ints.size(); ++i) EXPECT_EQ(ints[i], expected_int8[i]) << "int8 output " << i;
  EXPECT_EQ(has_int8_entry(code), GetParam() != Variant::kFloatMlp && GetParam() != Variant::kFloatCnn &&
                                     GetParam() != Variant::kFloat16Mlp && GetParam() != Variant::kDynamicMlp &&
                                     GetParam() != Variant::kInt16Mlp);
}

// Every .c file also compiles as C++ without warnings, and a C++ program uses
// the header's wrapper class against the C-compiled model.
TEST_P(EmittedCode, CompilesAsCppAndTheWrapperClassLinksAgainstTheCObjects) {
  const GeneratedCode code = emit(testing::test_deploy_model(GetParam()).model, "kws");
  testing::TempDir dir;
  testing::write_files(dir.path(), code.files);
  for (const GeneratedFile& file : code.files) {
    if (!file.path.ends_with(".c")) continue;
    const testing::ShellResult cpp = testing::run_shell(
        "c++ -std=c++17 -Wall -Wextra -pedantic -Werror -I. -x c++ -c " + file.path + " -o cpp_check.obj", dir.path());
    EXPECT_EQ(cpp.exit_code, 0) << file.path << ":\n" << cpp.output;
  }
  std::string main = "#include \"kws.h\"\n#include <cstdio>\n\nint main() {\n";
  main += "  float input[kws_model::input_size] = {0};\n  float output[kws_model::output_size];\n";
  main += "  if (kws_model::predict(input, output) != KWS_OK) return 1;\n";
  main += "  float confidence = -1;\n  const int best = kws_model::argmax(output, &confidence);\n";
  main += "  if (best < 0 || best >= kws_model::output_size || confidence != output[best]) return 2;\n";
  if (has_int8_entry(code)) {
    main += "  int8_t q[KWS_INPUT_SIZE] = {0}, q_out[KWS_INT8_OUTPUT_SIZE];\n";
    main += "  if (kws_model::predict_int8(q, q_out) != KWS_OK) return 3;\n";
  }
  main += "  std::printf(\"ok %d\\n\", best);\n  return 0;\n}\n";
  write_file_atomic(dir.path() / "main.cpp", main);
  const testing::ShellResult build = testing::run_shell(
      std::string(kStrictC) + " -c" + testing::c_sources(code.files) +
          " && c++ -std=c++17 -Wall -Wextra -pedantic -Werror -I. main.cpp *.o -o program -lm && ./program",
      dir.path());
  EXPECT_EQ(build.exit_code, 0) << build.output;
  EXPECT_TRUE(contains(build.output, "ok ")) << build.output;
}

INSTANTIATE_TEST_SUITE_P(Variants, EmittedCode, ::testing::ValuesIn(kAllVariants), variant_name);

}  // namespace
}  // namespace tinymlops

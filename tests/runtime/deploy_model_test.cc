// deploy_model.h: validation of the invariants and the .tdm file.
#include "tinymlops/runtime/deploy_model.h"

#include <gtest/gtest.h>

#include "model_fixtures.h"
#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

DeployModel small_cnn() {
  Model model = testing::random_model(Shape{{6, 6, 1}}, "conv2d:3:3x3,relu,maxpool:2,flatten,dense:4,softmax", 3);
  return lower_model(model);
}

std::string error_of(const DeployModel& model) {
  try {
    model.validate("m.tdm");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DeployModel, FileRoundTripIsExactAndDeterministic) {
  DeployModel model = small_cnn();
  const std::string bytes = serialize_deploy_model(model);
  DeployModel loaded = parse_deploy_model(bytes, "m.tdm");
  EXPECT_EQ(serialize_deploy_model(loaded), bytes);
  Matrix x = testing::random_inputs(5, 36, 1);
  EXPECT_EQ(ReferenceEngine(model).predict(x), ReferenceEngine(loaded).predict(x));
  testing::TempDir dir;
  save_deploy_model(model, dir.path() / "m.tdm");
  EXPECT_EQ(serialize_deploy_model(load_deploy_model(dir.path() / "m.tdm")), bytes);
}

TEST(DeployModel, TruncatedCorruptedAndForeignFilesAreRefused) {
  const std::string bytes = serialize_deploy_model(small_cnn());
  for (size_t length : {size_t{0}, size_t{7}, size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_THROW(parse_deploy_model(bytes.substr(0, length), "m.tdm"), Error) << length;
  }
  for (size_t at : {size_t{9}, size_t{40}, bytes.size() - 40, bytes.size() - 1}) {
    std::string corrupted = bytes;
    corrupted[at] = static_cast<char>(corrupted[at] ^ 0x20);
    try {
      parse_deploy_model(corrupted, "m.tdm");
      ADD_FAILURE() << "accepted a flipped byte at " << at;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat);
      EXPECT_NE(std::string(e.what()).find("m.tdm"), std::string::npos) << e.what();
    }
  }
  std::string model_file = bytes;
  model_file.replace(0, 8, "TMLMODEL");
  EXPECT_THROW(parse_deploy_model(model_file, "m.tdm"), Error);
}

TEST(DeployModel, ValidateNamesTheBrokenOp) {
  DeployModel model = small_cnn();
  EXPECT_EQ(error_of(model), "");

  DeployModel broken = model;
  broken.ops[1].inputs[0] = broken.input;  // not a chain any more
  EXPECT_NE(error_of(broken).find("ops[1]"), std::string::npos) << error_of(broken);

  broken = model;
  broken.tensors[static_cast<size_t>(broken.ops[0].inputs[1])].data.pop_back();  // short weights
  EXPECT_NE(error_of(broken).find("bytes"), std::string::npos) << error_of(broken);

  broken = model;
  broken.ops[1].kernel_h = 5;  // max pool window outside a 4x4 input
  EXPECT_NE(error_of(broken).find("ops[1] (max_pool)"), std::string::npos) << error_of(broken);

  broken = model;
  broken.ops[2].activation = DeployActivation::kSigmoid;  // only relu/relu6 fuse
  EXPECT_NE(error_of(broken).find("fused activation"), std::string::npos) << error_of(broken);

  broken = model;
  broken.metadata.feature_names.pop_back();
  EXPECT_NE(error_of(broken).find("input size"), std::string::npos) << error_of(broken);
}

TEST(DeployModel, InvalidModelInAFileIsAFormatErrorNamingTheFile) {
  DeployModel model = small_cnn();
  model.ops.back().output = model.input;
  const std::string bytes = serialize_deploy_model(model);
  try {
    parse_deploy_model(bytes, "m.tdm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_EQ(e.location().rfind("m.tdm", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops

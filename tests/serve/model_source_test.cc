// parse_registry_reference (serve/model_source.h): the NAME[:ALIAS] that
// `serve --registry` takes, and registry_model_source over such a reference.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/serve/model_source.h"
#include "tinymlops/store/repository.h"

namespace tinymlops::serve {
namespace {

using tinymlops::testing::error_of;
using tinymlops::testing::TempDir;

TEST(RegistryReference, ANameAloneMeansItsProductionAlias) {
  const RegistryReference ref = parse_registry_reference("digits");
  EXPECT_EQ(ref.name, "digits");
  EXPECT_EQ(ref.alias, "production");
}

TEST(RegistryReference, TheAliasFollowsTheFirstColon) {
  const RegistryReference ref = parse_registry_reference("kws-v2:staging");
  EXPECT_EQ(ref.name, "kws-v2");
  EXPECT_EQ(ref.alias, "staging");
}

TEST(RegistryReference, NamesThatAreNotRegistryNamesAreUsageErrors) {
  const auto kind_of = [](const std::string& text) {
    try {
      parse_registry_reference(text);
    } catch (const Error& e) {
      return e.kind();
    }
    ADD_FAILURE() << text << " parsed";
    return ErrorKind::kInvalid;
  };
  for (const char* text : {"", ":staging", "my model", "digits@2", "digits:", "digits:a:b", "digits:bad alias"}) {
    EXPECT_EQ(kind_of(text), ErrorKind::kUsage) << text;
  }
  // The part that is wrong is the error's location; the name is checked first.
  EXPECT_EQ(error_of([] { parse_registry_reference("digits@2"); }),
            "digits@2: invalid model name: use letters, digits, '_', '.' and '-' (at most 100)");
  EXPECT_EQ(error_of([] { parse_registry_reference("digits:a:b"); }),
            "a:b: invalid alias: use letters, digits, '_', '.' and '-' (at most 100)");
  EXPECT_EQ(error_of([] { parse_registry_reference("bad name:bad alias"); }),
            "bad name: invalid model name: use letters, digits, '_', '.' and '-' (at most 100)");
}

TEST(RegistryReference, OutsideAProjectThatIsTheErrorWhateverTheReference) {
  TempDir dir;
  EXPECT_NE(error_of([&] { registry_model_source(dir.path(), "bad name"); }).find("not inside a tinymlops project"),
            std::string::npos);
  store::Repository::init(dir.path());
  EXPECT_NE(error_of([&] { registry_model_source(dir.path(), "bad name"); }).find("invalid model name"),
            std::string::npos);
  const auto source = registry_model_source(dir.path(), "digits");
  EXPECT_EQ(source->describe(), "digits:production");
  EXPECT_EQ(registry_model_source(dir.path(), "digits:staging")->describe(), "digits:staging");
}

}  // namespace
}  // namespace tinymlops::serve

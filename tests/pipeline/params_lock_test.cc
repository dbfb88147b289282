// params.yaml lookup, flattening and overrides; pipeline.lock round trips.
#include <gtest/gtest.h>

#include "data/error_expect.h"
#include "pipeline/project_fixture.h"
#include "tinymlops/pipeline/lock.h"
#include "tinymlops/pipeline/params.h"

namespace tinymlops {
namespace {

using nlohmann::ordered_json;
using testing::catch_error;
using testing::Project;

TEST(Params, YamlScalarsAreTypedAndDottedKeysFound) {
  Project p;
  p.write("params.yaml",
          "a: 1\nb: 0.5\nc: true\nd: adam\ne: '3'\nf: ~\ng: 1e-3\nnested:\n  list: [1, x]\n  deep: {k: -2}\n");
  const ordered_json doc = pipeline::read_yaml_as_json(p.root() / "params.yaml");
  EXPECT_TRUE(doc["a"].is_number_integer());
  EXPECT_EQ(doc["b"], 0.5);
  EXPECT_EQ(doc["c"], true);
  EXPECT_EQ(doc["d"], "adam");
  EXPECT_EQ(doc["e"], "3");
  EXPECT_TRUE(doc["f"].is_null());
  EXPECT_EQ(doc["g"], 0.001);
  ASSERT_NE(pipeline::find_dotted(doc, "nested.deep.k"), nullptr);
  EXPECT_EQ(*pipeline::find_dotted(doc, "nested.deep.k"), -2);
  EXPECT_EQ(pipeline::find_dotted(doc, "nested.nope"), nullptr);
  EXPECT_EQ(pipeline::flatten(doc["nested"]), (ordered_json{{"list.0", 1}, {"list.1", "x"}, {"deep.k", -2}}));
}

TEST(Params, OverridesKeepTheRestOfTheFileByteForByte) {
  Project p;
  const std::string original =
      "# training settings\ntrain:\n  epochs: 3    # passes\n  optimizer: \"adam\"\n  flow: {lr: 0.1, b: 2}\nseed: 1\n";
  p.write("params.yaml", original);
  p.write("other.yaml", "x: 1\n");
  pipeline::apply_param_overrides(p.root(), {"train.epochs=20", "train.optimizer=sgd", "train.flow.lr=0.05",
                                             "other.yaml:x=2"});
  EXPECT_EQ(p.read("params.yaml"),
            "# training settings\ntrain:\n  epochs: 20    # passes\n  optimizer: sgd\n  flow: {lr: 0.05, b: 2}\nseed: 1\n");
  EXPECT_EQ(p.read("other.yaml"), "x: 2\n");

  const std::string before = p.read("params.yaml");
  for (const auto& [override_text, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"train.missing=1", "no key 'train.missing' in params.yaml"},
           {"noequals", "expected key=value"},
           {"train=1", "does not hold a one-line value"},
           {"seed=[1, 2]", "single YAML scalar"},
           {"seed=a: b", "single YAML scalar"},
       }) {
    auto error = catch_error([&] { pipeline::apply_param_overrides(p.root(), {"seed=5", override_text}); });
    ASSERT_TRUE(error) << override_text;
    EXPECT_CONTAINS(error->message(), fragment);
  }
  EXPECT_EQ(p.read("params.yaml"), before);  // all or nothing
}

TEST(Lock, RoundTripsDeterministically) {
  pipeline::LockFile lock;
  pipeline::LockedStage train;
  train.cmd = "python3 train.py --lr 0.1: yes";
  train.deps = {{"data.csv", std::string(64, 'a')}};
  train.params["params.yaml"]["train.lr"] = 0.1;
  train.params["params.yaml"]["train.epochs"] = 10;
  train.params["params.yaml"]["name"] = "10";
  train.params["params.yaml"]["flag"] = true;
  train.params["other.yaml"]["layers"] = ordered_json::array({8, 4});
  train.outs = {{"model.bin", std::string(64, 'b')}, {"m.json", std::string(64, 'c')}};
  train.metrics["m.json"] = {{"acc", 0.975}, {"n", 3}, {"big", 1e20}};
  pipeline::LockedStage prep;
  prep.cmd = "true";
  lock.stages["train"] = train;
  lock.stages["prep"] = prep;
  lock.order = {"train", "prep"};
  const std::string yaml = pipeline::lock_to_yaml(lock);
  EXPECT_LT(yaml.find("train:"), yaml.find("prep:"));
  Project p;
  p.write("pipeline.lock", yaml);
  const auto back = pipeline::read_lock(p.root() / "pipeline.lock");
  ASSERT_NE(back.find("train"), nullptr);
  const auto& t = *back.find("train");
  EXPECT_EQ(t.cmd, train.cmd);
  EXPECT_EQ(t.deps, train.deps);
  EXPECT_EQ(t.outs, train.outs);
  EXPECT_EQ(t.params.at("params.yaml").at("train.lr"), 0.1);
  EXPECT_TRUE(t.params.at("params.yaml").at("train.epochs").is_number_integer());
  EXPECT_EQ(t.params.at("params.yaml").at("name"), "10");
  EXPECT_EQ(t.params.at("params.yaml").at("flag"), true);
  EXPECT_EQ(t.params.at("other.yaml").at("layers"), ordered_json::array({8, 4}));
  EXPECT_EQ(t.metrics.at("m.json"), train.metrics.at("m.json"));
  EXPECT_EQ(pipeline::lock_to_yaml(back), yaml);
}

TEST(Lock, MissingIsEmptyAndMalformedNamesThePlace) {
  Project p;
  EXPECT_TRUE(pipeline::read_lock(p.root() / "pipeline.lock").stages.empty());
  p.write("pipeline.lock", "schema: 1\nstages:\n  a:\n    deps: 3\n    cmd: x\n");
  auto error = catch_error([&] { pipeline::read_lock(p.root() / "pipeline.lock"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->location(), "pipeline.lock:4:11");
  p.write("pipeline.lock", "schema: 9\nstages: {}\n");
  error = catch_error([&] { pipeline::read_lock(p.root() / "pipeline.lock"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::kFormat);
}

}  // namespace
}  // namespace tinymlops

#include "tinymlops/core/progress.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace tinymlops {
namespace {

TEST(Progress, JsonLinesWritesOneObjectPerEventAndNothingPerUpdate) {
  std::ostringstream out;
  Progress progress(Progress::Style::kJsonLines, &out);
  progress.update(1, 10, "epoch 1", {{"loss", 1.0}});
  EXPECT_EQ(out.str(), "");
  progress.event("epoch", {{"epoch", 1}, {"loss", 0.5}});
  progress.message("warning: x");
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["event"], "epoch");
  EXPECT_EQ(first["loss"], 0.5);
  std::getline(lines, line);
  EXPECT_EQ(nlohmann::json::parse(line)["text"], "warning: x");
}

TEST(Progress, JsonLinesWritesWholeNumbersAsIntegersAndRoundsFloatNoise) {
  std::ostringstream out;
  Progress progress(Progress::Style::kJsonLines, &out);
  progress.event("epoch", {{"epoch", 3}, {"lr", static_cast<double>(0.001f)}, {"loss", 1.0 / 3}});
  EXPECT_EQ(out.str(), "{\"event\":\"epoch\",\"epoch\":3,\"lr\":0.001,\"loss\":0.3333333}\n");
}

TEST(Progress, BarRedrawsInPlaceAndEventsEndTheLine) {
  std::ostringstream out;
  Progress progress(Progress::Style::kBar, &out);
  progress.update(5, 10, "epoch 1", {{"loss", 0.25}});
  EXPECT_NE(out.str().find("epoch 1 [###############...............] 5/10  loss 0.2500"), std::string::npos)
      << out.str();
  progress.event("epoch", {{"epoch", 1}});
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(Progress, SilentWritesNothing) {
  std::ostringstream out;
  Progress progress(Progress::Style::kSilent, &out);
  progress.update(1, 2, "x", {});
  progress.event("epoch", {{"epoch", 1}});
  progress.message("hello");
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace tinymlops

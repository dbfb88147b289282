// to_json(RoundRecord) (fl/server.h): the line `fl server --json` and
// `fl simulate --json` print per round.
#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/fl/server.h"

namespace tinymlops::fl {
namespace {

TEST(RoundRecordJson, ACountedRoundHasEveryKeySortedByName) {
  RoundRecord r;
  r.round = 3;
  r.counted = true;
  r.sampled = 4;
  r.accepted = 3;
  r.rejected = 1;
  r.dropped = 0;
  r.bytes_received = 1234;
  r.accuracy = 0.5;
  r.train_loss = 0.25;
  r.epsilon = 2;
  r.validation_loss = 0.75;  // not part of the line
  r.seconds = 9;             // not part of the line
  EXPECT_EQ(to_json(r).dump(),
            R"({"accepted":3,"accuracy":0.5,"bytes":1234,"counted":true,"dropped":0,"epsilon":2.0,)"
            R"("rejected":1,"round":3,"sampled":4,"train_loss":0.25})");
}

TEST(RoundRecordJson, NumbersThatAreNotFiniteAreLeftOut) {
  RoundRecord r;  // accuracy, train_loss, epsilon: NaN
  r.round = 1;
  r.sampled = 2;
  r.dropped = 2;
  EXPECT_EQ(to_json(r).dump(),
            R"({"accepted":0,"bytes":0,"counted":false,"dropped":2,"rejected":0,"round":1,"sampled":2})");
  r.accuracy = INFINITY;
  r.train_loss = 0.5;
  const nlohmann::json j = to_json(r);
  EXPECT_FALSE(j.contains("accuracy"));
  EXPECT_FALSE(j.contains("epsilon"));
  EXPECT_DOUBLE_EQ(j.at("train_loss").get<double>(), 0.5);
}

}  // namespace
}  // namespace tinymlops::fl

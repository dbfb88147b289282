#include "tinymlops/fl/protocol.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"

namespace tinymlops::fl {
namespace {

UpdateMessage sample() {
  UpdateMessage m;
  m.round = 7;
  m.encoding = UpdateEncoding::kInt8;
  m.samples = 42;
  m.train_loss = 0.25;
  m.payload = "abcdef";
  return m;
}

TEST(Protocol, UpdateRoundTrips) {
  std::string bytes = serialize_update(sample());
  EXPECT_EQ(bytes.size(), kUpdateHeaderBytes + 6);
  UpdateMessage m = parse_update(bytes, "t");
  EXPECT_EQ(m.round, 7u);
  EXPECT_EQ(m.encoding, UpdateEncoding::kInt8);
  EXPECT_EQ(m.samples, 42);
  EXPECT_EQ(m.train_loss, 0.25);
  EXPECT_EQ(m.payload, "abcdef");
}

TEST(Protocol, MalformedEnvelopesAreFormatErrors) {
  const std::string good = serialize_update(sample());
  auto broken = [&](size_t offset, char value) {
    std::string b = good;
    b[offset] = value;
    return b;
  };
  UpdateMessage no_samples = sample();
  no_samples.samples = 0;
  UpdateMessage nan_loss = sample();
  nan_loss.train_loss = NAN;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"short", good.substr(0, 39)},          {"magic", broken(0, 'X')},
      {"version", broken(8, 2)},              {"encoding", broken(16, 7)},
      {"reserved", broken(17, 1)},            {"length", good + "x"},
      {"samples", serialize_update(no_samples)}, {"loss", serialize_update(nan_loss)},
  };
  for (const auto& [name, bytes] : cases) {
    try {
      parse_update(bytes, "update from c0001");
      ADD_FAILURE() << name << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat) << name;
      EXPECT_EQ(e.location(), "update from c0001") << name;
    }
  }
}

TEST(Protocol, TaskJsonRoundTripsAndMissingFieldsAreErrors) {
  RoundTask task;
  task.state = TaskState::kTrain;
  task.round = 3;
  task.model_sha256 = "ab";
  task.local.epochs = 4;
  task.encoding = UpdateEncoding::kInt8;
  task.dp = true;
  task.clients_per_round = 10;
  RoundTask back = task_from_json(task_to_json(task), "t");
  EXPECT_EQ(back.state, TaskState::kTrain);
  EXPECT_EQ(back.round, 3u);
  EXPECT_EQ(back.local.epochs, 4);
  EXPECT_EQ(back.encoding, UpdateEncoding::kInt8);
  EXPECT_TRUE(back.dp);
  nlohmann::json broken = task_to_json(task);
  broken.erase("round");
  EXPECT_THROW(task_from_json(broken, "t"), Error);
}

}  // namespace
}  // namespace tinymlops::fl

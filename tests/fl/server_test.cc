#include "tinymlops/fl/server.h"

#include <gtest/gtest.h>

#include "fl_test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/fl/client.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl {
namespace {

using tinymlops::testing::TempDir;
using tinymlops::testing::error_of;

// A server over digits with three clients, each holding a third of the rows,
// and a clock the test moves.
struct Federation {
  Dataset data = testing::digits();
  double now = 0;
  std::unique_ptr<FlServer> server;
  std::vector<Registration> regs;
  std::vector<ClientWorker> workers;

  explicit Federation(ServerConfig config, int clients = 3) {
    server = std::make_unique<FlServer>(testing::digits_model(data), config, std::nullopt, [this] { return now; });
    for (int i = 0; i < clients; ++i) {
      regs.push_back(server->register_client("client" + std::to_string(i), config.enrollment_secret));
      std::vector<size_t> rows;
      for (size_t r = static_cast<size_t>(i); r < data.size(); r += static_cast<size_t>(clients)) rows.push_back(r);
      workers.emplace_back(regs.back().client_id, data.subset(rows));
    }
  }
  // The update client `i` makes for the open round.
  std::string update(int i) {
    RoundTask task = server->task_for(regs[i].client_id);
    EXPECT_EQ(task.state, TaskState::kTrain);
    return workers[i].make_update(task, server->model_bytes());
  }
};

ServerConfig three_client_config() {
  ServerConfig config;
  config.rounds = 5;
  config.min_clients = 3;
  config.min_updates = 2;
  config.round_timeout = 10;
  config.local.batch_size = 16;
  return config;
}

TEST(FlServer, RegistrationChecksTheSecretAndTokensAuthenticate) {
  ServerConfig config = three_client_config();
  config.enrollment_secret = "s3cret";
  Federation f(config);
  EXPECT_EQ(f.server->authenticate(f.regs[1].token), f.regs[1].client_id);
  EXPECT_NE(error_of([&] { f.server->register_client("mallory", "guess"); }).find("wrong enrollment secret"), std::string::npos);
  EXPECT_THROW(f.server->authenticate("not-a-token"), Error);
}

TEST(FlServer, ARoundOpensWithEnoughClientsAndSamplesThem) {
  ServerConfig config = three_client_config();
  config.min_clients = 2;
  config.min_updates = 1;
  config.fraction = 0.5;  // ceil(0.5 * 3) = 2 sampled
  Federation f(config);
  EXPECT_EQ(f.server->task_for(f.regs[0].client_id).state, TaskState::kWait);  // no round yet
  f.server->advance();
  int training = 0;
  for (const Registration& r : f.regs) training += f.server->task_for(r.client_id).state == TaskState::kTrain;
  EXPECT_EQ(training, 2);
}

TEST(FlServer, EveryBadUpdateIsRejectedLoggedAndNeverAggregated) {
  Federation f(three_client_config());
  f.server->advance();
  const std::string good0 = f.update(0), good1 = f.update(1), honest2 = f.update(2);
  const std::string id2 = f.regs[2].client_id;
  UpdateMessage parsed = parse_update(honest2, "test");

  auto with = [&](const std::function<void(UpdateMessage&)>& change) {
    UpdateMessage m = parsed;
    change(m);
    return serialize_update(m);
  };
  std::string bad_version = honest2;
  bad_version[8] = 9;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", "not an update at all, just some bytes padding it out to forty+"},
      {"truncated", honest2.substr(0, 30)},
      {"version", bad_version},
      {"stale round", with([](UpdateMessage& m) { m.round += 1; })},
      {"wrong encoding", with([](UpdateMessage& m) { m.encoding = UpdateEncoding::kInt8; })},
      {"wrong shape", with([](UpdateMessage& m) { m.payload.resize(m.payload.size() - 4); })},
      {"not finite", with([](UpdateMessage& m) {
         float nan = std::numeric_limits<float>::quiet_NaN();
         std::memcpy(m.payload.data(), &nan, 4);
       })},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    EXPECT_THROW(f.server->submit(id2, bytes), Error);
  }
  // Each rejection is logged with its reason; after one, the client waits.
  std::vector<std::string> log = f.server->rejections();
  ASSERT_EQ(log.size(), cases.size());
  EXPECT_NE(log[0].find("magic"), std::string::npos) << log[0];
  EXPECT_NE(log[3].find("stale"), std::string::npos) << log[3];
  EXPECT_EQ(f.server->task_for(id2).state, TaskState::kWait);
  // Not sampled / a second update from one client.
  f.server->submit(f.regs[0].client_id, good0);
  EXPECT_NE(error_of([&] { f.server->submit(f.regs[0].client_id, good0); }).find("second update"), std::string::npos);
  f.server->submit(f.regs[1].client_id, good1);

  // The round closes at once (everyone answered) and aggregates only the two good updates.
  Model expected = testing::digits_model(f.data);
  Weights global = flatten_params(expected);
  std::vector<ClientUpdate> good;
  for (const std::string* bytes : {&good0, &good1}) {
    UpdateMessage m = parse_update(*bytes, "test");
    good.push_back({"", decode_delta(m.payload, layout_of(expected), m.encoding, "test"), m.samples, m.train_loss});
  }
  good[0].client = f.regs[0].client_id;
  good[1].client = f.regs[1].client_id;
  make_strategy({})->aggregate(good, global);
  std::optional<RoundRecord> record = f.server->advance();
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->counted);
  EXPECT_EQ(record->accepted, 2);
  EXPECT_EQ(record->rejected, 1);
  Model after = f.server->global_model();
  EXPECT_EQ(flatten_params(after), global);
}

TEST(FlServer, HugeNormUpdatesAreRejectedByTheBound) {
  ServerConfig config = three_client_config();
  config.reject_norm = 50;
  Federation f(config);
  f.server->advance();
  UpdateMessage m = parse_update(f.update(2), "test");
  Weights delta = decode_delta(m.payload, layout_of(*std::make_unique<Model>(testing::digits_model(f.data))), m.encoding, "t");
  for (float& v : delta) v = 1000;
  m.payload = encode_delta(delta, layout_of(*std::make_unique<Model>(testing::digits_model(f.data))), m.encoding);
  std::string why = error_of([&] { f.server->submit(f.regs[2].client_id, serialize_update(m)); });
  EXPECT_NE(why.find("exceeds the bound"), std::string::npos) << why;
}

TEST(FlServer, StragglersAreDroppedAtTheDeadline) {
  Federation f(three_client_config());
  f.server->advance();
  f.server->submit(f.regs[0].client_id, f.update(0));
  f.server->submit(f.regs[1].client_id, f.update(1));
  f.now = 9;
  EXPECT_FALSE(f.server->advance());  // still waiting for client 2
  f.now = 10.5;
  std::optional<RoundRecord> record = f.server->advance();
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->counted);
  EXPECT_EQ(record->dropped, 1);
  // Its late update is stale.
  f.server->advance();  // round 2 opens
  UpdateMessage late = parse_update(f.workers[2].make_update(
      [&] { RoundTask t = f.server->task_for(f.regs[2].client_id); t.round = 1; return t; }(), f.server->model_bytes()), "t");
  EXPECT_NE(error_of([&] { f.server->submit(f.regs[2].client_id, serialize_update(late)); }).find("stale"), std::string::npos);
}

TEST(FlServer, TooFewUpdatesLeaveTheModelUnchanged) {
  Federation f(three_client_config());
  const std::string before = f.server->model_sha256();
  f.server->advance();
  f.server->submit(f.regs[0].client_id, f.update(0));
  f.now = 11;
  std::optional<RoundRecord> record = f.server->advance();
  ASSERT_TRUE(record);
  EXPECT_FALSE(record->counted);
  EXPECT_EQ(f.server->model_sha256(), before);
  EXPECT_EQ(f.server->current_round(), 2u);
}

TEST(FlServer, ARestartedServerResumesFromItsCheckpoint) {
  TempDir dir;
  ServerConfig config = three_client_config();
  config.checkpoint_dir = dir.path() / "ck";
  Federation f(config);
  for (int round = 0; round < 2; ++round) {
    f.server->advance();
    for (int i = 0; i < 3; ++i) f.server->submit(f.regs[i].client_id, f.update(i));
    ASSERT_TRUE(f.server->advance());
  }
  const std::string sha = f.server->model_sha256();
  f.server.reset();  // the server "crashes" between rounds

  double now = 0;
  FlServer restarted(testing::digits_model(f.data), config, std::nullopt, [&] { return now; });
  EXPECT_EQ(restarted.model_sha256(), sha);
  EXPECT_EQ(restarted.current_round(), 3u);
  EXPECT_EQ(restarted.history().size(), 2u);
  EXPECT_EQ(restarted.authenticate(f.regs[1].token), f.regs[1].client_id);  // clients keep their tokens

  // A checkpoint of another architecture, and a corrupted one, are refused.
  EXPECT_THROW(FlServer(testing::digits_model(f.data, 8), config, std::nullopt, [] { return 0.0; }), Error);
  write_file_atomic(config.checkpoint_dir / "server.json", "{\"version\": 1, \"next_round\": ");
  std::string why = error_of([&] { FlServer(testing::digits_model(f.data), config, std::nullopt, [] { return 0.0; }); });
  EXPECT_NE(why.find("server.json"), std::string::npos) << why;
}

TEST(FlServer, ConfigErrorsNameTheSetting) {
  ServerConfig config;
  config.fraction = 0;
  EXPECT_NE(error_of([&] { check_server_config(config); }).find("--fraction"), std::string::npos);
  config = ServerConfig();
  config.min_updates = 5;
  config.min_clients = 2;
  EXPECT_NE(error_of([&] { check_server_config(config); }).find("--min-updates"), std::string::npos);
}

TEST(FlServer, RoundsCsvHasOneLinePerRound) {
  RoundRecord r;
  r.round = 1;
  r.counted = true;
  r.accuracy = 0.5;
  std::string csv = rounds_csv({r});
  EXPECT_EQ(csv.substr(0, 6), "round,");
  EXPECT_NE(csv.find("\n1,1,"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::fl

// The federated server's checkpoint (src/fl/checkpoint.h): the bytes of server.json
// as docs/formats/fl-checkpoint.md lays them out, a save/load round trip, and the
// error, naming the file, for each way a checkpoint can be damaged.
#include "fl/checkpoint.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fl_test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops::fl::checkpoint {
namespace {

using tinymlops::testing::TempDir;

// Two clients and two rounds: one counted, one that was not (its losses NaN).
Contents checkpoint_test_contents() {
  Contents contents;
  contents.next_round = 3;
  contents.clients = {{"c0001", "alpha", std::string(64, 'a')}, {"c0002", "beta", std::string(64, 'b')}};
  RoundRecord counted;
  counted.round = 1;
  counted.counted = true;
  counted.sampled = 2;
  counted.accepted = 2;
  counted.bytes_received = 4880;
  counted.train_loss = 0.5;
  counted.accuracy = 0.75;
  counted.validation_loss = 1.25;
  counted.seconds = 2;
  RoundRecord not_counted;
  not_counted.round = 2;
  not_counted.sampled = 2;
  not_counted.accepted = 1;
  not_counted.dropped = 1;
  not_counted.bytes_received = 2440;
  not_counted.seconds = 60.5;
  contents.rounds = {counted, not_counted};
  return contents;
}

// Equal, with NaN equal to NaN.
void expect_same_record(const RoundRecord& a, const RoundRecord& b) {
  auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
  EXPECT_EQ(a.round, b.round);
  EXPECT_EQ(a.counted, b.counted);
  EXPECT_EQ(a.sampled, b.sampled);
  EXPECT_EQ(a.accepted, b.accepted);
  EXPECT_EQ(a.rejected, b.rejected);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_TRUE(same(a.train_loss, b.train_loss));
  EXPECT_TRUE(same(a.accuracy, b.accuracy));
  EXPECT_TRUE(same(a.validation_loss, b.validation_loss));
  EXPECT_EQ(a.bytes_received, b.bytes_received);
  EXPECT_TRUE(same(a.epsilon, b.epsilon));
  EXPECT_EQ(a.seconds, b.seconds);
}

TEST(FlCheckpoint, ServerJsonHasTheDocumentedBytes) {
  TempDir dir;
  const std::string sha(64, 'f');
  save(dir.path(), checkpoint_test_contents(), "model bytes", sha, *make_strategy({}));
  const std::string expected = "{\n"
                               " \"clients\": [\n"
                               "  {\n"
                               "   \"id\": \"c0001\",\n"
                               "   \"name\": \"alpha\",\n"
                               "   \"token_sha256\": \"" + std::string(64, 'a') + "\"\n"
                               "  },\n"
                               "  {\n"
                               "   \"id\": \"c0002\",\n"
                               "   \"name\": \"beta\",\n"
                               "   \"token_sha256\": \"" + std::string(64, 'b') + "\"\n"
                               "  }\n"
                               " ],\n"
                               " \"done\": false,\n"
                               " \"model\": \"global-2.tmlm\",\n"
                               " \"model_sha256\": \"" + sha + "\",\n"
                               " \"next_round\": 3,\n"
                               " \"rounds\": [\n"
                               "  {\n"
                               "   \"accepted\": 2,\n"
                               "   \"accuracy\": 0.75,\n"
                               "   \"bytes_received\": 4880,\n"
                               "   \"counted\": true,\n"
                               "   \"dropped\": 0,\n"
                               "   \"epsilon\": null,\n"
                               "   \"rejected\": 0,\n"
                               "   \"round\": 1,\n"
                               "   \"sampled\": 2,\n"
                               "   \"seconds\": 2.0,\n"
                               "   \"train_loss\": 0.5,\n"
                               "   \"validation_loss\": 1.25\n"
                               "  },\n"
                               "  {\n"
                               "   \"accepted\": 1,\n"
                               "   \"accuracy\": null,\n"
                               "   \"bytes_received\": 2440,\n"
                               "   \"counted\": false,\n"
                               "   \"dropped\": 1,\n"
                               "   \"epsilon\": null,\n"
                               "   \"rejected\": 0,\n"
                               "   \"round\": 2,\n"
                               "   \"sampled\": 2,\n"
                               "   \"seconds\": 60.5,\n"
                               "   \"train_loss\": null,\n"
                               "   \"validation_loss\": null\n"
                               "  }\n"
                               " ],\n"
                               " \"strategy_state\": \"\",\n"
                               " \"version\": 1\n"
                               "}\n";
  EXPECT_EQ(read_file(server_json_path(dir.path())), expected);
  EXPECT_EQ(read_file(dir.path() / "global-2.tmlm"), "model bytes");

  // The next checkpoint writes global-3.tmlm, then removes the file the old server.json named.
  Contents next = checkpoint_test_contents();
  next.next_round = 4;
  save(dir.path(), next, "newer model bytes", sha, *make_strategy({}));
  EXPECT_EQ(read_file(dir.path() / "global-3.tmlm"), "newer model bytes");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "global-2.tmlm"));
}

TEST(FlCheckpoint, LoadGivesBackWhatSaveWrote) {
  TempDir dir;
  const Dataset data = fl::testing::digits();
  Model model = fl::testing::digits_model(data);
  Weights global = flatten_params(model);
  StrategyConfig adam;
  adam.kind = StrategyKind::kFedAdam;
  std::unique_ptr<Strategy> strategy = make_strategy(adam);
  strategy->aggregate({ClientUpdate{"c0001", Weights(global.size(), 0.01f), 10, 0.5}}, global);
  assign_params(model, global);
  const std::string model_bytes = serialize_model(model);
  save(dir.path(), checkpoint_test_contents(), model_bytes, std::string(64, 'f'), *strategy);

  Weights restored(global.size(), 0.0f);
  std::unique_ptr<Strategy> restored_strategy = make_strategy(adam);
  const Contents loaded = load(dir.path(), restored, *restored_strategy);
  EXPECT_EQ(restored, global);
  EXPECT_EQ(restored_strategy->save_state(), strategy->save_state());
  const Contents saved = checkpoint_test_contents();
  EXPECT_EQ(loaded.next_round, saved.next_round);
  EXPECT_EQ(loaded.done, saved.done);
  ASSERT_EQ(loaded.clients.size(), saved.clients.size());
  for (size_t i = 0; i < saved.clients.size(); ++i) {
    EXPECT_EQ(loaded.clients[i].id, saved.clients[i].id);
    EXPECT_EQ(loaded.clients[i].name, saved.clients[i].name);
    EXPECT_EQ(loaded.clients[i].token_sha256, saved.clients[i].token_sha256);
  }
  ASSERT_EQ(loaded.rounds.size(), saved.rounds.size());
  for (size_t i = 0; i < saved.rounds.size(); ++i) expect_same_record(loaded.rounds[i], saved.rounds[i]);
}

TEST(FlCheckpoint, ADamagedCheckpointIsRefusedNamingTheFile) {
  TempDir dir;
  const Dataset data = fl::testing::digits();
  Model model = fl::testing::digits_model(data);
  const Weights global = flatten_params(model);
  const std::string model_bytes = serialize_model(model);
  save(dir.path(), checkpoint_test_contents(), model_bytes, std::string(64, 'f'), *make_strategy({}));
  const std::string good = read_file(server_json_path(dir.path()));
  const std::filesystem::path model_file = dir.path() / "global-2.tmlm";
  auto replaced = [&good](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  std::string flipped = model_bytes;
  flipped[flipped.size() / 2] ^= 1;

  struct Case {
    const char* name;
    std::string server_json;  // the file's text
    std::string model;        // the model file's bytes; "-" removes it
    ErrorKind kind;
    std::string names;        // the file the error must name
    std::string says;         // and a part of its message
  };
  const std::string json_name = "server.json", model_name = "global-2.tmlm";
  const std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() / 2), model_bytes, ErrorKind::kFormat, json_name, "bad checkpoint"},
      {"empty", "", model_bytes, ErrorKind::kFormat, json_name, "bad checkpoint"},
      {"not JSON", "server state", model_bytes, ErrorKind::kFormat, json_name, "bad checkpoint"},
      {"newer version", replaced("\"version\": 1", "\"version\": 2"), model_bytes, ErrorKind::kFormat, json_name,
       "checkpoint version 2 is not supported"},
      {"missing key", replaced("\"done\"", "\"dnoe\""), model_bytes, ErrorKind::kFormat, json_name, "'done'"},
      {"wrong type", replaced("\"next_round\": 3", "\"next_round\": \"3\""), model_bytes, ErrorKind::kFormat,
       json_name, "bad checkpoint"},
      {"round record", replaced("\"seconds\": 60.5", "\"second\": 60.5"), model_bytes, ErrorKind::kFormat, json_name,
       "'seconds'"},
      {"strategy state", replaced("\"strategy_state\": \"\"", "\"strategy_state\": \"!!\""), model_bytes,
       ErrorKind::kFormat, json_name, "not base64"},
      {"model file missing", good, "-", ErrorKind::kIo, model_name, "cannot open"},
      {"model file truncated", good, model_bytes.substr(0, model_bytes.size() - 40), ErrorKind::kFormat, model_name, ""},
      {"model file corrupted", good, flipped, ErrorKind::kFormat, model_name, "corrupted"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    write_file_atomic(server_json_path(dir.path()), c.server_json);
    if (c.model == "-") {
      std::filesystem::remove(model_file);
    } else {
      write_file_atomic(model_file, c.model);
    }
    Weights weights = global;
    std::unique_ptr<Strategy> strategy = make_strategy({});
    try {
      load(dir.path(), weights, *strategy);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), c.kind) << e.what();
      EXPECT_EQ(std::filesystem::path(e.location()).filename().string(), c.names) << e.what();
      EXPECT_NE(e.message().find(c.says), std::string::npos) << e.what();
    }
    EXPECT_EQ(weights, global);  // unchanged on a throw
  }

  // A model of another architecture.
  write_file_atomic(server_json_path(dir.path()), good);
  write_file_atomic(model_file, model_bytes);
  Model other = fl::testing::digits_model(data, 8);
  Weights other_weights = flatten_params(other);
  const std::string why = tinymlops::testing::error_of([&] { load(dir.path(), other_weights, *make_strategy({})); });
  EXPECT_NE(why.find("server.json"), std::string::npos) << why;
  EXPECT_NE(why.find("another architecture"), std::string::npos) << why;
}

}  // namespace
}  // namespace tinymlops::fl::checkpoint

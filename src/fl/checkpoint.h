// The federated server's checkpoint (docs/formats/fl-checkpoint.md): DIR/server.json
// and the global model file DIR/global-R.tmlm it names, written after every round
// and registration so that a restarted FlServer resumes where it stopped. Private to
// src/fl/: FlServer (server.cc) is the only writer and reader.
//
// Durability invariants kept by save() (numbered so the code can cite them):
//   1. The model file is written (write_file_atomic: temporary file, fsync, rename,
//      fsync of the directory) before server.json names it.
//   2. server.json is replaced atomically in the same way; its rename is the commit
//      point. A crash leaves either the old server.json, naming a model file that
//      still exists, or the new one. Not kept when the old and the new name are
//      the same (a registration during open round R, then R's close both write
//      global-R.tmlm): step 1 has then already replaced the bytes the old
//      server.json names, and load() does not compare model_sha256.
//   3. The model file the old server.json named is removed only after the new
//      server.json is in place, and only when its name differs. A crash between
//      the two leaves an unreferenced model file behind, never a missing one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tinymlops/fl/server.h"
#include "tinymlops/fl/strategy.h"
#include "tinymlops/fl/update.h"

namespace tinymlops::fl::checkpoint {

// A registered client as the checkpoint keeps it: the SHA-256 of its token, never
// the token.
struct Client {
  std::string id;            // "c0001"
  std::string name;          // as registered
  std::string token_sha256;  // lower-case hex
};

// What server.json records besides the global weights (in the model file) and the
// strategy's state (bytes the Strategy writes and reads itself).
struct Contents {
  uint32_t next_round = 1;      // the round the server opens next
  bool done = false;            // the server has finished its rounds
  std::vector<Client> clients;  // save: written in this order; load: in file order
  std::vector<RoundRecord> rounds;  // the history, oldest first
};

// DIR/server.json.
std::filesystem::path server_json_path(const std::filesystem::path& dir);

// Writes a checkpoint into `dir` (created when missing): `model_bytes` (a model
// file) as global-<next_round - 1>.tmlm, then server.json naming it with
// `model_sha256`, `contents` and strategy.save_state(); then removes the model
// file the previous server.json named (invariants above). A previous server.json
// that cannot be read or parsed is ignored.
// Throws Error(kIo) naming the file when one cannot be written;
// std::filesystem::filesystem_error when `dir` cannot be created or the previous
// model file cannot be removed; nlohmann::json::type_error when a client name is
// not valid UTF-8.
void save(const std::filesystem::path& dir, const Contents& contents, std::string_view model_bytes,
          const std::string& model_sha256, const Strategy& strategy);

// Reads the checkpoint in `dir`. REQUIRES: server_json_path(dir) exists; `global`
// holds the server's current weights: their count is the architecture check.
// On success `global` holds the checkpoint's weights, `strategy` its state, and
// the rest is returned. Throws, in the order the file is read:
//   Error(kIo) naming server.json or the model file when it cannot be read;
//   Error(kFormat) naming server.json: "bad checkpoint: <parser message>" for text
//     that is not JSON, a missing key or a value of the wrong type; "checkpoint
//     version V is not supported" for any version but 1; "strategy state is not
//     base64"; and whatever Strategy::load_state refuses;
//   Error(kFormat) naming the model file when parse_model refuses it;
//   Error(kInvalid) naming server.json when the model's parameter count is not
//     global.size() (another architecture).
// On a throw `global` is unchanged, but `strategy` may already hold the
// checkpoint's state: discard it (FlServer's constructor throws with it).
Contents load(const std::filesystem::path& dir, Weights& global, Strategy& strategy);

}  // namespace tinymlops::fl::checkpoint

// FlServer (fl/server.h): registration, rounds, the checks on every update,
// aggregation. Its checkpoint's format and file IO are in checkpoint.cc.
#include "tinymlops/fl/server.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "checkpoint.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/fl/privacy.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops::fl {
namespace {

struct ClientEntry {
  std::string name;
  std::string token_sha256;
};

std::string random_token() {
  if (sodium_init() < 0) throw Error(ErrorKind::kIo, "libsodium", "initialization failed");
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace

void check_server_config(const ServerConfig& c) {
  auto fail = [](const char* setting, const std::string& why) { return Error(ErrorKind::kUsage, setting, why); };
  if (c.rounds < 1) throw fail("--rounds", "must be at least 1");
  if (!(c.fraction > 0 && c.fraction <= 1)) throw fail("--fraction", "must be in (0, 1]");
  if (c.min_clients < 1) throw fail("--min-clients", "must be at least 1");
  if (c.min_updates < 1 || c.min_updates > c.min_clients) throw fail("--min-updates", "must be in [1, --min-clients]");
  if (!(c.round_timeout > 0)) throw fail("--round-timeout", "must be > 0 seconds");
  if (c.local.epochs < 1 || c.local.batch_size < 1 || !(c.local.learning_rate > 0)) {
    throw fail("--local-epochs", "local epochs, batch size and learning rate must be positive");
  }
  if (c.reject_norm < 0) throw fail("--reject-norm", "must be >= 0");
  if (c.dp) validate_dp_config(c.dp_config);
  if (c.dp && c.strategy.kind != StrategyKind::kFedAvg && c.strategy.kind != StrategyKind::kFedAdam &&
      c.strategy.kind != StrategyKind::kFedYogi && c.strategy.kind != StrategyKind::kFedProx) {
    throw fail("--dp-clip", "DP-FedAvg sums the updates; robust strategies (median, trimmed mean, krum) do not");
  }
}

void finalize_server_config(ServerConfig& config) {
  if (config.strategy.kind == StrategyKind::kFedProx) config.local.proximal_mu = config.strategy.proximal_mu;
}

struct FlServer::State {
  ServerConfig config;
  Model model;
  Layout layout;
  Weights global;
  std::string model_bytes, model_sha256;
  std::optional<Dataset> validation;
  Clock clock;
  std::unique_ptr<Strategy> strategy;
  std::unique_ptr<PrivacyAccountant> accountant;
  std::map<std::string, ClientEntry> clients;            // id -> entry
  std::map<std::string, std::string> client_by_token;    // token sha256 -> id
  uint32_t next_round = 1;
  std::vector<RoundRecord> history;
  std::vector<std::string> rejections;
  bool done = false;

  // The open round, if any.
  bool open = false;
  uint32_t round = 0;
  std::set<std::string> sampled;
  std::map<std::string, ClientUpdate> updates;
  std::set<std::string> rejected;  // sampled clients whose update was rejected
  std::set<std::string> secure_contributors;  // clients inside a secure sum
  std::optional<ClientUpdate> secure_sum;     // their FedAvg mean, weighted by samples
  int64_t bytes = 0;
  double started = 0, deadline = 0;

  void refresh_model_bytes() {
    assign_params(model, global);
    model_bytes = serialize_model(model);
    model_sha256 = to_hex(sha256(model_bytes));
  }

  // Checkpoints: fl/checkpoint.h holds the format, the writes and the reads.
  void save_checkpoint() {
    if (config.checkpoint_dir.empty()) return;
    checkpoint::Contents contents{next_round, done, {}, history};
    for (const auto& [id, entry] : clients) contents.clients.push_back({id, entry.name, entry.token_sha256});
    checkpoint::save(config.checkpoint_dir, contents, model_bytes, model_sha256, *strategy);
  }

  // REQUIRES: a fresh State (no clients, no history) whose checkpoint_dir holds a
  // checkpoint. Throws as checkpoint::load does.
  void load_checkpoint() {
    checkpoint::Contents contents = checkpoint::load(config.checkpoint_dir, global, *strategy);
    next_round = contents.next_round;
    done = contents.done;
    for (const checkpoint::Client& c : contents.clients) {
      clients[c.id] = {c.name, c.token_sha256};
      client_by_token[c.token_sha256] = c.id;
    }
    history = std::move(contents.rounds);
    refresh_model_bytes();
  }

  void reject(const std::string& client, const std::string& why) {
    rejections.push_back("round " + std::to_string(round) + " " + client + ": " + why);
  }

  void open_round() {
    std::vector<std::string> ids;
    for (const auto& [id, entry] : clients) ids.push_back(id);
    size_t count = static_cast<size_t>(std::ceil(config.fraction * static_cast<double>(ids.size())));
    count = std::min(ids.size(), std::max(count, static_cast<size_t>(config.min_clients)));
    Rng rng(config.seed * 0x9E3779B97F4A7C15ull + next_round);
    rng.shuffle(ids);
    sampled = std::set<std::string>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count));
    if (config.dp && !accountant) {
      accountant = std::make_unique<PrivacyAccountant>(static_cast<double>(count) / static_cast<double>(ids.size()),
                                                       config.dp_config.noise_multiplier, config.dp_config.delta);
      for (const RoundRecord& r : history) {
        if (r.counted) accountant->add_round(effective_noise_multiplier(config.dp_config.noise_multiplier, r.sampled, r.accepted));
      }
    }
    open = true;
    round = next_round++;
    updates.clear();
    rejected.clear();
    secure_contributors.clear();
    secure_sum.reset();
    bytes = 0;
    started = clock();
    deadline = started + config.round_timeout;
  }

  RoundRecord close_round() {
    open = false;
    RoundRecord r;
    r.round = round;
    r.sampled = static_cast<int>(sampled.size());
    r.accepted = static_cast<int>(updates.size() + secure_contributors.size());
    r.rejected = static_cast<int>(rejected.size());
    r.dropped = r.sampled - r.accepted - r.rejected;
    r.bytes_received = bytes;
    r.seconds = clock() - started;
    if (r.accepted >= config.min_updates) {
      std::vector<ClientUpdate> list;
      double loss = 0, samples = 0;
      for (auto& [id, update] : updates) {
        loss += update.train_loss * static_cast<double>(update.samples);
        samples += static_cast<double>(update.samples);
        list.push_back(std::move(update));
      }
      if (secure_sum) {
        loss = NAN;  // the clients' losses stay private with their updates
        list.push_back(*secure_sum);
      }
      if (config.dp) {
        // DP-FedAvg: the sum over the sampled count, whoever arrived, so one
        // client's influence stays bounded by the clip norm (fl/privacy.h).
        std::vector<Weights> deltas;
        for (const ClientUpdate& u : list) deltas.push_back(u.delta);
        list = {ClientUpdate{"dp-mean", private_mean(deltas, r.sampled), 1, 0}};
      }
      try {
        strategy->aggregate(list, global);
      } catch (const Error& e) {  // e.g. Krum with too few updates: the round does not count
        rejections.push_back("round " + std::to_string(round) + " aggregation: " + e.message());
        return finish_round(r);
      }
      refresh_model_bytes();
      r.counted = true;
      r.train_loss = loss / samples;
      if (validation) {
        Evaluation e = evaluate_loss(model, *validation,
                                     model.metadata.task == Task::kClassification ? LossKind::kCrossEntropy : LossKind::kMse);
        r.validation_loss = e.loss;
        r.accuracy = e.metric;
      }
      if (accountant) {
        accountant->add_round(effective_noise_multiplier(config.dp_config.noise_multiplier, r.sampled, r.accepted));
        r.epsilon = accountant->epsilon();
      }
    }
    return finish_round(r);
  }

  RoundRecord finish_round(const RoundRecord& r) {
    updates.clear();
    history.push_back(r);
    if (next_round > static_cast<uint32_t>(config.rounds) ||
        (config.target_accuracy > 0 && r.counted && r.accuracy >= config.target_accuracy)) {
      done = true;
    }
    save_checkpoint();
    return r;
  }
};

FlServer::FlServer(Model initial, ServerConfig config, std::optional<Dataset> validation, Clock clock)
    : state_(std::make_unique<State>()) {
  finalize_server_config(config);
  check_server_config(config);
  State& s = *state_;
  s.config = std::move(config);
  s.model = std::move(initial);
  s.layout = layout_of(s.model);
  s.global = flatten_params(s.model);
  s.validation = std::move(validation);
  s.clock = std::move(clock);
  s.strategy = make_strategy(s.config.strategy);
  const std::filesystem::path& dir = s.config.checkpoint_dir;
  if (!dir.empty() && std::filesystem::exists(checkpoint::server_json_path(dir))) {
    s.load_checkpoint();
  } else {
    s.refresh_model_bytes();
  }
}

FlServer::~FlServer() = default;

Registration FlServer::register_client(const std::string& name, const std::string& secret) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& s = *state_;
  if (!s.config.enrollment_secret.empty() && secret != s.config.enrollment_secret) {
    throw Error(ErrorKind::kInvalid, "register", "wrong enrollment secret for client '" + name + "'");
  }
  char id[16];
  std::snprintf(id, sizeof id, "c%04zu", s.clients.size() + 1);
  Registration reg{id, random_token()};
  s.clients[reg.client_id] = {name, to_hex(sha256(reg.token))};
  s.client_by_token[s.clients[reg.client_id].token_sha256] = reg.client_id;
  s.save_checkpoint();
  return reg;
}

std::string FlServer::authenticate(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = state_->client_by_token.find(to_hex(sha256(token)));
  if (it == state_->client_by_token.end()) throw Error(ErrorKind::kInvalid, "auth", "unknown client token");
  return it->second;
}

RoundTask FlServer::task_for(const std::string& client_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& s = *state_;
  RoundTask task;
  task.round = s.open ? s.round : s.next_round;
  task.model_sha256 = s.model_sha256;
  if (s.done) {
    task.state = TaskState::kDone;
    return task;
  }
  if (!s.open || !s.sampled.count(client_id) || s.updates.count(client_id) || s.rejected.count(client_id)) {
    return task;
  }  // kWait
  task.state = TaskState::kTrain;
  task.local = s.config.local;
  uint64_t client_number = std::stoull(client_id.substr(1));
  task.local.seed = Rng(s.config.seed ^ (static_cast<uint64_t>(s.round) << 32) ^ client_number).next_u64();
  task.encoding = s.config.encoding;
  task.dp = s.config.dp;
  task.dp_config = s.config.dp_config;
  task.clients_per_round = static_cast<int>(s.sampled.size());
  task.deadline_seconds = s.deadline - s.clock();
  return task;
}

std::string FlServer::model_bytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->model_bytes;
}

std::string FlServer::model_sha256() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->model_sha256;
}

void FlServer::submit(const std::string& client_id, std::string_view message) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& s = *state_;
  const std::string source = "update from " + client_id;
  try {
    UpdateMessage m = parse_update(message, source);
    if (!s.open || m.round != s.round) {
      throw Error(ErrorKind::kInvalid, source,
                  "stale: trained for round " + std::to_string(m.round) +
                      (s.open ? "; the open round is " + std::to_string(s.round) : "; no round is open"));
    }
    if (!s.sampled.count(client_id)) throw Error(ErrorKind::kInvalid, source, "not sampled for this round");
    if (s.updates.count(client_id)) throw Error(ErrorKind::kInvalid, source, "a second update in one round");
    if (m.encoding != s.config.encoding) {
      throw Error(ErrorKind::kInvalid, source,
                  std::string("encoding ") + encoding_name(m.encoding) + "; the round asked for " +
                      encoding_name(s.config.encoding));
    }
    ClientUpdate update;
    update.client = client_id;
    update.samples = m.samples;
    update.train_loss = m.train_loss;
    update.delta = decode_delta(m.payload, s.layout, m.encoding, source);
    for (float v : update.delta) {
      if (!std::isfinite(v)) throw Error(ErrorKind::kInvalid, source, "the update holds a non-finite value");
    }
    double norm = l2_norm(update.delta);
    if (s.config.reject_norm > 0 && norm > s.config.reject_norm) {
      char text[96];
      std::snprintf(text, sizeof text, "update norm %.4g exceeds the bound %.4g", norm, s.config.reject_norm);
      throw Error(ErrorKind::kInvalid, source, text);
    }
    s.bytes += static_cast<int64_t>(message.size());
    s.updates[client_id] = std::move(update);
  } catch (const Error& e) {
    if (s.open && s.sampled.count(client_id) && !s.updates.count(client_id)) s.rejected.insert(client_id);
    s.reject(client_id, e.message());
    throw;
  }
}

void FlServer::submit_secure_sum(const std::vector<std::string>& contributors, const Weights& sum, int64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& s = *state_;
  const std::string source = "secure sum";
  const StrategyKind kind = s.config.strategy.kind;
  if (kind != StrategyKind::kFedAvg && kind != StrategyKind::kFedProx && kind != StrategyKind::kFedAdam &&
      kind != StrategyKind::kFedYogi) {
    throw Error(ErrorKind::kInvalid, source, std::string(strategy_name(kind)) + " needs each update; secure aggregation gives only their sum");
  }
  if (!s.open || s.secure_sum) throw Error(ErrorKind::kInvalid, source, "no round is waiting for a secure sum");
  if (sum.size() != s.global.size() + 1) {
    throw Error(ErrorKind::kInvalid, source, std::to_string(sum.size()) + " values; expected the model's " +
                                                 std::to_string(s.global.size()) + " plus the sample count");
  }
  for (const std::string& id : contributors) {
    if (!s.sampled.count(id) || s.updates.count(id)) throw Error(ErrorKind::kInvalid, source, id + " is not a sampled client of this round");
  }
  const double samples = sum.back();
  if (!(samples > 0) || !std::isfinite(samples)) throw Error(ErrorKind::kInvalid, source, "the sample total is not positive");
  ClientUpdate mean{"secure-sum", Weights(sum.begin(), sum.end() - 1), static_cast<int64_t>(std::llround(samples)), 0};
  for (float& v : mean.delta) {
    v = static_cast<float>(v / samples);
    if (!std::isfinite(v)) throw Error(ErrorKind::kInvalid, source, "the sum holds a non-finite value");
  }
  s.secure_sum = std::move(mean);
  s.secure_contributors.insert(contributors.begin(), contributors.end());
  s.bytes += bytes;
}

std::optional<RoundRecord> FlServer::advance() {
  std::lock_guard<std::mutex> lock(mutex_);
  State& s = *state_;
  if (s.done) return std::nullopt;
  if (!s.open) {
    if (s.clients.size() >= static_cast<size_t>(s.config.min_clients)) s.open_round();
    return std::nullopt;
  }
  bool all_answered = s.updates.size() + s.rejected.size() + s.secure_contributors.size() >= s.sampled.size();
  if (!all_answered && s.clock() < s.deadline) return std::nullopt;
  return s.close_round();
}

bool FlServer::done() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->done;
}

uint32_t FlServer::current_round() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->open ? state_->round : state_->next_round;
}

std::vector<RoundRecord> FlServer::history() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->history;
}

std::vector<std::string> FlServer::rejections() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_->rejections;
}

Model FlServer::global_model() {
  std::string bytes = model_bytes();
  return parse_model(bytes, "global model");
}

double FlServer::best_accuracy() {
  std::lock_guard<std::mutex> lock(mutex_);
  double best = NAN;
  for (const RoundRecord& r : state_->history) {
    if (r.counted && std::isfinite(r.accuracy) && !(r.accuracy <= best)) best = r.accuracy;
  }
  return best;
}

std::string rounds_csv(const std::vector<RoundRecord>& rounds) {
  std::string out = "round,counted,sampled,accepted,rejected,dropped,train_loss,accuracy,validation_loss,"
                    "bytes_received,epsilon,seconds\n";
  auto number = [](double v) {
    if (!std::isfinite(v)) return std::string(std::isinf(v) ? "inf" : "");
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", v);
    return std::string(text);
  };
  for (const RoundRecord& r : rounds) {
    out += std::to_string(r.round) + "," + (r.counted ? "1" : "0") + "," + std::to_string(r.sampled) + "," +
           std::to_string(r.accepted) + "," + std::to_string(r.rejected) + "," + std::to_string(r.dropped) + "," +
           number(r.train_loss) + "," + number(r.accuracy) + "," + number(r.validation_loss) + "," +
           std::to_string(r.bytes_received) + "," + number(r.epsilon) + "," + number(r.seconds) + "\n";
  }
  return out;
}

nlohmann::json to_json(const RoundRecord& r) {
  nlohmann::json j = {{"round", r.round}, {"counted", r.counted}, {"sampled", r.sampled}, {"accepted", r.accepted},
                      {"rejected", r.rejected}, {"dropped", r.dropped}, {"bytes", r.bytes_received}};
  if (std::isfinite(r.accuracy)) j["accuracy"] = r.accuracy;
  if (std::isfinite(r.train_loss)) j["train_loss"] = r.train_loss;
  if (std::isfinite(r.epsilon)) j["epsilon"] = r.epsilon;
  return j;
}

}  // namespace tinymlops::fl

#include <sodium.h>

#include <string>

#include "secagg_crypto.h"
#include "secagg_wire.h"
#include "shamir.h"
#include "tinymlops/core/error.h"
#include "tinymlops/fl/secure_aggregation.h"

namespace tinymlops::fl {

namespace {

const char* const kWhere = "secure aggregation server";

const char* phase_name(int phase) {
  static const char* const names[] = {"advertise", "share", "masked input", "unmask"};
  return names[phase];
}

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorKind::kInvalid, kWhere, message); }

std::string client_name(uint32_t id) { return "client " + std::to_string(id); }

}  // namespace

SecAggServer::SecAggServer(SecAggParams params) : params_(params) {
  validate_secagg_params(params_);
  secagg::ensure_sodium();
}

void SecAggServer::expect_phase(Phase phase, const char* what) const {
  if (phase_ != phase) {
    invalid(std::string(what) + " arrived in the " + phase_name(static_cast<int>(phase_)) + " phase; it belongs to the " +
            phase_name(static_cast<int>(phase)) + " phase");
  }
}

const SecAggServer::Client& SecAggServer::known_client(uint32_t id, const char* what) const {
  auto it = clients_.find(id);
  if (it == clients_.end()) invalid(std::string(what) + " from unknown " + client_name(id));
  return it->second;
}

void SecAggServer::receive_advertise(const std::string& message) {
  const secagg::AdvertiseMessage parsed = secagg::parse_advertise(message);
  expect_phase(Phase::kAdvertise, "an advertise message");
  if (clients_.count(parsed.sender)) invalid(client_name(parsed.sender) + " advertised twice");
  Client client;
  client.agreement_public = parsed.agreement_public;
  client.encryption_public = parsed.encryption_public;
  client.seed_commitment = parsed.seed_commitment;
  clients_[parsed.sender] = client;
  advertise_messages_[parsed.sender] = message;
}

const std::map<uint32_t, std::string>& SecAggServer::advertisements() {
  if (phase_ == Phase::kAdvertise) {
    if (clients_.size() < params_.threshold) {
      invalid("only " + std::to_string(clients_.size()) + " clients advertised; the threshold is " +
              std::to_string(params_.threshold));
    }
    if (clients_.size() > 255) invalid(std::to_string(clients_.size()) + " clients advertised; at most 255 can take part");
    uint8_t next_x = 1;  // as the clients number them: 1 + the rank of the id
    for (auto& [id, client] : clients_) client.share_x = next_x++;
    phase_ = Phase::kShare;
  }
  return advertise_messages_;
}

void SecAggServer::receive_shares(uint32_t from, const std::map<uint32_t, std::string>& shares) {
  expect_phase(Phase::kShare, "a share message");
  known_client(from, "shares");
  if (shared_.count(from)) invalid(client_name(from) + " sent its shares twice");
  if (shares.size() + 1 != clients_.size()) {
    invalid(client_name(from) + " sent " + std::to_string(shares.size()) + " shares; there are " +
            std::to_string(clients_.size() - 1) + " other clients");
  }
  // Check every message before routing any of them.
  for (const auto& [recipient, bytes] : shares) {
    const secagg::ShareMessage parsed = secagg::parse_share(bytes);
    if (parsed.sender != from || parsed.recipient != recipient || recipient == from || !clients_.count(recipient)) {
      invalid("a share from " + client_name(from) + " listed for " + client_name(recipient) + " is from " +
              client_name(parsed.sender) + " to " + client_name(parsed.recipient));
    }
  }
  for (const auto& [recipient, bytes] : shares) shares_to_[recipient][from] = bytes;
  shared_.insert(from);
}

std::map<uint32_t, std::string> SecAggServer::shares_for(uint32_t client) {
  if (phase_ == Phase::kShare) {
    if (shared_.size() < params_.threshold) {
      invalid("only " + std::to_string(shared_.size()) + " clients sent shares; the threshold is " +
              std::to_string(params_.threshold));
    }
    phase_ = Phase::kMaskedInput;
  }
  if (phase_ == Phase::kAdvertise) invalid("shares were asked for in the advertise phase");
  if (!shared_.count(client)) invalid(client_name(client) + " sent no shares; it is not part of this aggregation");
  std::map<uint32_t, std::string> out;
  for (const auto& [sender, bytes] : shares_to_[client]) {
    if (shared_.count(sender)) out[sender] = bytes;
  }
  return out;
}

void SecAggServer::receive_masked_input(const std::string& message) {
  secagg::MaskedInputMessage parsed = secagg::parse_masked_input(message, params_.vector_size);
  expect_phase(Phase::kMaskedInput, "a masked input");
  known_client(parsed.sender, "a masked input");
  if (!shared_.count(parsed.sender)) invalid("a masked input from " + client_name(parsed.sender) + ", which sent no shares");
  if (masked_.count(parsed.sender)) invalid(client_name(parsed.sender) + " sent its masked input twice");
  masked_[parsed.sender] = std::move(parsed.values);
}

const UnmaskRequest& SecAggServer::unmask_request() {
  if (phase_ == Phase::kMaskedInput) {
    if (masked_.size() < params_.threshold) {
      invalid("only " + std::to_string(masked_.size()) + " of " + std::to_string(shared_.size()) +
              " clients sent masked inputs; the sum needs at least the threshold " + std::to_string(params_.threshold));
    }
    request_ = {};
    for (uint32_t id : shared_) (masked_.count(id) ? request_.survivors : request_.dropped).push_back(id);
    phase_ = Phase::kUnmask;
  }
  if (phase_ != Phase::kUnmask) invalid("the unmask request was asked for before the masked inputs");
  return request_;
}

void SecAggServer::receive_unmask(const std::string& message) {
  const secagg::UnmaskMessage parsed = secagg::parse_unmask(message);
  expect_phase(Phase::kUnmask, "an unmask message");
  const Client& sender = known_client(parsed.sender, "an unmask message");
  if (!masked_.count(parsed.sender)) invalid("an unmask message from " + client_name(parsed.sender) + ", not a survivor");
  if (responded_.count(parsed.sender)) invalid(client_name(parsed.sender) + " sent its unmask message twice");
  // Exactly one share for every client that shared: a seed share for a survivor, a key share for the dropped.
  std::map<uint32_t, UnmaskShare> shares;
  for (const secagg::UnmaskEntry& entry : parsed.entries) {
    auto want = masked_.count(entry.owner) ? secagg::ShareKind::kSeed : secagg::ShareKind::kKey;
    if (!shared_.count(entry.owner) || entry.kind != want || entry.x != sender.share_x || shares.count(entry.owner)) {
      invalid("the unmask message from " + client_name(parsed.sender) + " has an unexpected share for " +
              client_name(entry.owner));
    }
    shares[entry.owner] = {entry.x, entry.share};
  }
  if (shares.size() != shared_.size()) {
    invalid("the unmask message from " + client_name(parsed.sender) + " has " + std::to_string(shares.size()) +
            " shares; expected " + std::to_string(shared_.size()));
  }
  for (const auto& [owner, share] : shares) unmask_shares_[owner][parsed.sender] = share;
  responded_.insert(parsed.sender);
}

std::vector<uint32_t> SecAggServer::sum_encoded() {
  expect_phase(Phase::kUnmask, "the sum");
  if (responded_.size() < params_.threshold) {
    invalid("only " + std::to_string(responded_.size()) + " survivors answered the unmask request; rebuilding the masks needs the threshold " +
            std::to_string(params_.threshold));
  }
  auto rebuild = [&](uint32_t owner) {
    std::vector<shamir::Share> shares;
    for (const auto& [responder, share] : unmask_shares_.at(owner)) {
      if (shares.size() == params_.threshold) break;
      shares.push_back({share.x, share.share});
    }
    return shamir::combine(shares);
  };

  std::vector<uint32_t> sum(params_.vector_size, 0);
  for (const auto& [id, values] : masked_) {
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += values[i];
  }
  for (uint32_t id : request_.survivors) {
    secagg::Key seed = rebuild(id);
    const secagg::Key commitment =
        secagg::hash256(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
    if (commitment != clients_.at(id).seed_commitment) {
      invalid("the shares of " + client_name(id) + "'s self-mask seed do not match its commitment (a wrong share was sent)");
    }
    secagg::apply_mask(sum, seed, -1);
    sodium_memzero(seed.data(), seed.size());
  }
  for (uint32_t gone : request_.dropped) {
    secagg::Key secret = rebuild(gone);
    const Client& dropped = clients_.at(gone);
    if (secagg::public_key_of(secret) != dropped.agreement_public) {
      invalid("the shares of " + client_name(gone) + "'s agreement key do not match its public key (a wrong share was sent)");
    }
    // Survivor i added +PRG(s_i,gone) when gone > i and -PRG when gone < i; take it back out.
    for (uint32_t id : request_.survivors) {
      const secagg::Key key =
          secagg::pairwise_key(secret, dropped.agreement_public, gone, clients_.at(id).agreement_public, id);
      secagg::apply_mask(sum, key, gone > id ? -1 : +1);
    }
    sodium_memzero(secret.data(), secret.size());
  }
  return sum;
}

Weights SecAggServer::sum() { return decode_fixed_point(sum_encoded(), params_.frac_bits); }

}  // namespace tinymlops::fl

#include <sodium.h>

#include <algorithm>
#include <string>

#include "secagg_crypto.h"
#include "secagg_wire.h"
#include "shamir.h"
#include "tinymlops/core/error.h"
#include "tinymlops/fl/secure_aggregation.h"

namespace tinymlops::fl {

using secagg::Key;

namespace {

const char* phase_call(int phase) {
  static const char* const calls[] = {"advertise()", "share()", "masked_input()", "unmask()", "nothing more"};
  return calls[phase];
}

std::string client_location(uint32_t id) { return "secure aggregation client " + std::to_string(id); }

}  // namespace

SecAggClient::SecAggClient(uint32_t id, SecAggParams params, uint64_t seed) : id_(id), params_(params) {
  validate_secagg_params(params_);
  secagg::ensure_sodium();
  deterministic_ = seed != 0;
  if (deterministic_) random_key_ = secagg::deterministic_key(seed, id);
  auto random = [&](uint8_t* out, size_t size) { secagg::fill_random(deterministic_, random_key_, random_counter_, out, size); };
  random(agreement_secret_.data(), agreement_secret_.size());
  agreement_public_ = secagg::public_key_of(agreement_secret_);
  Key box_seed;
  random(box_seed.data(), box_seed.size());
  crypto_box_seed_keypair(encryption_public_.data(), encryption_secret_.data(), box_seed.data());
  sodium_memzero(box_seed.data(), box_seed.size());
  random(self_mask_seed_.data(), self_mask_seed_.size());
}

SecAggClient::~SecAggClient() {
  sodium_memzero(agreement_secret_.data(), agreement_secret_.size());
  sodium_memzero(encryption_secret_.data(), encryption_secret_.size());
  sodium_memzero(self_mask_seed_.data(), self_mask_seed_.size());
  sodium_memzero(random_key_.data(), random_key_.size());
  for (auto& [owner, shares] : held_) {
    sodium_memzero(shares.key_share.data(), shares.key_share.size());
    sodium_memzero(shares.seed_share.data(), shares.seed_share.size());
  }
}

void SecAggClient::expect_phase(Phase phase, const char* call) const {
  if (phase_ != phase) {
    throw Error(ErrorKind::kInvalid, client_location(id_),
                std::string(call) + " called out of order; the protocol expects " + phase_call(static_cast<int>(phase_)));
  }
}

std::string SecAggClient::advertise() {
  expect_phase(Phase::kAdvertise, "advertise()");
  secagg::AdvertiseMessage message;
  message.sender = id_;
  message.agreement_public = agreement_public_;
  message.encryption_public = encryption_public_;
  message.seed_commitment =
      secagg::hash256(std::string_view(reinterpret_cast<const char*>(self_mask_seed_.data()), self_mask_seed_.size()));
  phase_ = Phase::kShare;
  return secagg::encode(message);
}

std::map<uint32_t, std::string> SecAggClient::share(const std::map<uint32_t, std::string>& advertised) {
  expect_phase(Phase::kShare, "share()");
  const std::string where = client_location(id_);
  if (advertised.size() < params_.threshold || advertised.size() > 255) {
    throw Error(ErrorKind::kInvalid, where,
                std::to_string(advertised.size()) + " clients advertised; secure aggregation needs between the threshold " +
                    std::to_string(params_.threshold) + " and 255");
  }
  std::map<uint32_t, Peer> peers;
  uint8_t next_x = 1;  // x-coordinates: 1 + the rank of the id among the advertised
  for (const auto& [peer_id, bytes] : advertised) {
    const secagg::AdvertiseMessage message = secagg::parse_advertise(bytes);
    if (message.sender != peer_id) {
      throw Error(ErrorKind::kInvalid, where,
                  "the advertise message listed for client " + std::to_string(peer_id) + " is from client " +
                      std::to_string(message.sender));
    }
    peers[peer_id] = {message.agreement_public, message.encryption_public, next_x++};
  }
  auto self = peers.find(id_);
  if (self == peers.end() || self->second.agreement_public != agreement_public_ ||
      self->second.encryption_public != encryption_public_) {
    throw Error(ErrorKind::kInvalid, where, "the advertised clients do not include this client's own keys");
  }
  std::vector<uint8_t> xs;
  for (const auto& [peer_id, peer] : peers) xs.push_back(peer.share_x);
  auto random = [&](uint8_t* out, size_t size) { secagg::fill_random(deterministic_, random_key_, random_counter_, out, size); };
  const std::vector<shamir::Share> key_shares = shamir::split(agreement_secret_, params_.threshold, xs, random);
  const std::vector<shamir::Share> seed_shares = shamir::split(self_mask_seed_, params_.threshold, xs, random);

  std::map<uint32_t, std::string> out;
  size_t index = 0;
  for (const auto& [peer_id, peer] : peers) {
    const shamir::Share& key_share = key_shares[index];
    const shamir::Share& seed_share = seed_shares[index];
    ++index;
    if (peer_id == id_) {
      held_[id_] = {key_share.y, seed_share.y};
      continue;
    }
    secagg::SharePlaintext plaintext{id_, peer_id, peer.share_x, key_share.y, seed_share.y};
    std::string plain = secagg::encode_plaintext(plaintext);
    secagg::ShareMessage message;
    message.sender = id_;
    message.recipient = peer_id;
    random(message.nonce.data(), message.nonce.size());
    message.ciphertext.resize(plain.size() + crypto_box_MACBYTES);
    if (crypto_box_easy(reinterpret_cast<unsigned char*>(message.ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), message.nonce.data(),
                        peer.encryption_public.data(), encryption_secret_.data()) != 0) {
      throw Error(ErrorKind::kInvalid, where,
                  "client " + std::to_string(peer_id) + " advertised an unusable encryption key");
    }
    sodium_memzero(plain.data(), plain.size());
    out[peer_id] = secagg::encode(message);
  }
  peers_ = std::move(peers);
  phase_ = Phase::kMaskedInput;
  return out;
}

std::string SecAggClient::masked_input(const Weights& x, const std::map<uint32_t, std::string>& shares_for_me) {
  expect_phase(Phase::kMaskedInput, "masked_input()");
  const std::string where = client_location(id_);
  if (x.size() != params_.vector_size) {
    throw Error(ErrorKind::kInvalid, where,
                "input has " + std::to_string(x.size()) + " values; this aggregation sums " +
                    std::to_string(params_.vector_size));
  }
  std::vector<uint32_t> y = encode_fixed_point(x, params_.frac_bits);
  if (shares_for_me.size() + 1 < params_.threshold) {
    throw Error(ErrorKind::kInvalid, where,
                "only " + std::to_string(shares_for_me.size() + 1) + " clients shared keys; the threshold is " +
                    std::to_string(params_.threshold));
  }
  // Decrypt and check everything before keeping any of it.
  std::map<uint32_t, HeldShares> received;
  for (const auto& [sender, bytes] : shares_for_me) {
    const secagg::ShareMessage message = secagg::parse_share(bytes);
    auto peer = peers_.find(sender);
    if (message.sender != sender || message.recipient != id_ || peer == peers_.end() || sender == id_) {
      throw Error(ErrorKind::kInvalid, where,
                  "the share listed from client " + std::to_string(sender) + " is from client " +
                      std::to_string(message.sender) + " to client " + std::to_string(message.recipient));
    }
    std::string plain(message.ciphertext.size() - crypto_box_MACBYTES, '\0');
    if (crypto_box_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                             reinterpret_cast<const unsigned char*>(message.ciphertext.data()), message.ciphertext.size(),
                             message.nonce.data(), peer->second.encryption_public.data(), encryption_secret_.data()) != 0) {
      throw Error(ErrorKind::kFormat, "share from client " + std::to_string(sender),
                  "does not decrypt (tampered, or not encrypted for client " + std::to_string(id_) + ")");
    }
    const secagg::SharePlaintext plaintext = secagg::parse_plaintext(plain, sender);
    sodium_memzero(plain.data(), plain.size());
    if (plaintext.sender != sender || plaintext.recipient != id_ || plaintext.x != peers_.at(id_).share_x) {
      throw Error(ErrorKind::kInvalid, "share from client " + std::to_string(sender),
                  "names the wrong clients or x-coordinate");
    }
    received[sender] = {plaintext.key_share, plaintext.seed_share};
  }

  secagg::apply_mask(y, self_mask_seed_, +1);
  for (const auto& [peer_id, shares] : received) {
    const Peer& peer = peers_.at(peer_id);
    const Key key = secagg::pairwise_key(agreement_secret_, agreement_public_, id_, peer.agreement_public, peer_id);
    secagg::apply_mask(y, key, peer_id > id_ ? +1 : -1);
  }
  shared_.clear();
  shared_.insert(id_);
  for (auto& [sender, shares] : received) {
    held_[sender] = shares;
    shared_.insert(sender);
  }
  phase_ = Phase::kUnmask;
  return secagg::encode(secagg::MaskedInputMessage{id_, std::move(y)});
}

std::string SecAggClient::unmask(const std::vector<uint32_t>& survivors, const std::vector<uint32_t>& dropped) {
  expect_phase(Phase::kUnmask, "unmask()");
  const std::string where = client_location(id_);
  std::set<uint32_t> alive(survivors.begin(), survivors.end());
  std::set<uint32_t> gone(dropped.begin(), dropped.end());
  std::set<uint32_t> all = alive;
  all.insert(gone.begin(), gone.end());
  // Revealing both shares of one client would unmask its input: insist on a partition.
  if (alive.size() != survivors.size() || gone.size() != dropped.size() || all.size() != alive.size() + gone.size() ||
      all != shared_) {
    throw Error(ErrorKind::kInvalid, where,
                "the survivors and the dropped must partition the " + std::to_string(shared_.size()) +
                    " clients that shared, each listed once");
  }
  if (!alive.count(id_)) throw Error(ErrorKind::kInvalid, where, "is listed as dropped but was asked to unmask");
  if (alive.size() < params_.threshold) {
    throw Error(ErrorKind::kInvalid, where,
                "only " + std::to_string(alive.size()) + " survivors; the threshold is " + std::to_string(params_.threshold));
  }
  secagg::UnmaskMessage message;
  message.sender = id_;
  const uint8_t x = peers_.at(id_).share_x;
  for (uint32_t owner : alive) message.entries.push_back({owner, secagg::ShareKind::kSeed, x, held_.at(owner).seed_share});
  for (uint32_t owner : gone) message.entries.push_back({owner, secagg::ShareKind::kKey, x, held_.at(owner).key_share});
  phase_ = Phase::kDone;
  std::string bytes = secagg::encode(message);
  for (secagg::UnmaskEntry& entry : message.entries) sodium_memzero(entry.share.data(), entry.share.size());
  return bytes;
}

}  // namespace tinymlops::fl

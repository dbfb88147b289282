// Secure aggregation: the server learns the sum of the clients' vectors and
// nothing else about any one of them.
//
// The protocol of Bonawitz et al. 2017 ("Practical Secure Aggregation for
// Privacy-Preserving Machine Learning") for an honest-but-curious server, without
// the signatures of its malicious-server variant. Every client holds two X25519
// key pairs (one to agree pairwise mask keys, one to encrypt shares with
// crypto_box) and a random self-mask seed b_i. Four rounds, each a message a
// client hands to the server (docs/federated-privacy.md specifies the bytes):
//
//   1. advertise     each client publishes its public keys (and a hash of b_i);
//   2. share         each client splits its agreement secret key and b_i into
//                    Shamir shares (threshold t, over GF(2^8)) and sends one
//                    encrypted share pair to every other client, through the server;
//   3. masked input  y_i = x_i + PRG(b_i) + sum_{j>i} PRG(s_ij) - sum_{j<i} PRG(s_ij)
//                    mod 2^32, where x_i is the fixed-point encoding of the input and
//                    s_ij the key client i agrees with client j (both compute it);
//                    the pairwise masks cancel in the sum, the self masks do not;
//   4. unmask        the server names the survivors (sent a masked input) and the
//                    dropped (shared but sent none); each survivor returns its shares
//                    of b_j for every survivor and of the secret key of every dropped
//                    client, never both for one client. From t of them the server
//                    rebuilds the seeds and the dropped clients' keys, removes all
//                    masks and gets the exact sum of the survivors' inputs.
//
// PRG(k) is ChaCha20 keyed by k; the pairwise key is BLAKE2b(X25519(sk_i, pk_j) ||
// the two public keys in client-id order). Randomness comes from libsodium (a
// CSPRNG; core/rng.h is not one), or, for reproducible tests, from a seed.
//
// Fixed point: a value x is carried as round(x * 2^frac_bits) (nearest, ties away
// from zero) in 32-bit two's complement, so sums wrap correctly mod 2^32. Every
// value must satisfy |x| < 2^(31 - frac_bits), and so must the SUM of the inputs:
// with the default frac_bits = 16 the range is (-32768, 32768) at a resolution of
// 2^-16 (about 1.5e-5); n clients sending values below 32768 / n in magnitude
// cannot overflow.
//
// Limits: at most 255 clients per aggregation (Shamir over GF(2^8)); threshold
// t >= 2. The sum needs t survivors. An honest-but-curious server learns b_j or
// the key of a client, never both, as long as fewer than t clients collude with
// it; a server that sends different clients different survivor lists is outside
// this model (docs/federated-privacy.md). Bonawitz et al. recommend t > n / 2.
//
// Example, in one process (the simulator; a network client sends the same strings):
//   SecAggParams params{.threshold = 3, .vector_size = delta_size};
//   SecAggServer server(params);
//   for (auto& c : clients) server.receive_advertise(c.advertise());
//   auto keys = server.advertisements();
//   for (auto& c : clients) server.receive_shares(c.id(), c.share(keys));
//   for (auto& c : clients) server.receive_masked_input(c.masked_input(delta[c], server.shares_for(c.id())));
//   UnmaskRequest request = server.unmask_request();
//   for (uint32_t id : request.survivors) server.receive_unmask(client[id].unmask(request.survivors, request.dropped));
//   Weights sum = server.sum();
//
// Errors: a message that does not parse (truncated, bad checksum, wrong type,
// does not decrypt) throws Error(kFormat); a well-formed message from an unknown
// client, a duplicate, or one for another phase throws Error(kInvalid), and so does
// a round with fewer than t clients left. A rejected message changes no state.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tinymlops/fl/update.h"

namespace tinymlops::fl {

struct SecAggParams {
  uint32_t threshold = 2;  // t: shares needed to rebuild a secret, and survivors needed for a sum; >= 2
  int frac_bits = 16;      // fixed-point fraction bits, in [0, 30]
  size_t vector_size = 0;  // values per input; >= 1
};

// Throws Error(kInvalid) naming the field when `params` is outside the ranges above.
void validate_secagg_params(const SecAggParams& params);

// The fixed-point encoding above. encode throws Error(kInvalid) naming the index
// of a non-finite or out-of-range value. decode reads each word as a two's
// complement int32 and returns the nearest float to word / 2^frac_bits.
std::vector<uint32_t> encode_fixed_point(const Weights& values, int frac_bits);
Weights decode_fixed_point(const std::vector<uint32_t>& encoded, int frac_bits);

// One client's side of one aggregation. Call advertise, share, masked_input and
// unmask once each, in that order (Error(kInvalid) otherwise: answering twice
// could reveal an input). Secret keys are wiped on destruction.
class SecAggClient {
 public:
  // seed == 0: keys, seeds and nonces from the OS CSPRNG. Otherwise all of them are
  // derived from (seed, id) (crypto_box_seed_keypair and friends): for tests only.
  SecAggClient(uint32_t id, SecAggParams params, uint64_t seed = 0);
  ~SecAggClient();
  SecAggClient(const SecAggClient&) = delete;
  SecAggClient& operator=(const SecAggClient&) = delete;

  uint32_t id() const { return id_; }

  // Round 1: this client's public keys.
  std::string advertise();
  // Round 2: `advertised` is every client's advertise message by id (this one's
  // included, at least t, at most 255). Returns the encrypted share message for
  // every other advertised client, by recipient id.
  std::map<uint32_t, std::string> share(const std::map<uint32_t, std::string>& advertised);
  // Round 3: `x` (vector_size values) masked. `shares_for_me` are the share
  // messages addressed to this client, by sender; their senders and this client
  // are the clients that shared (at least t).
  std::string masked_input(const Weights& x, const std::map<uint32_t, std::string>& shares_for_me);
  // Round 4: the survivors and the dropped must partition the clients that shared,
  // with this client a survivor and at least t survivors.
  std::string unmask(const std::vector<uint32_t>& survivors, const std::vector<uint32_t>& dropped);

 private:
  using Key = std::array<uint8_t, 32>;
  struct Peer {
    Key agreement_public{};
    Key encryption_public{};
    uint8_t share_x = 0;  // the Shamir x-coordinate of the shares this client holds
  };
  struct HeldShares {
    Key key_share{};   // of the peer's agreement secret key
    Key seed_share{};  // of the peer's self-mask seed
  };
  enum class Phase { kAdvertise, kShare, kMaskedInput, kUnmask, kDone };

  void expect_phase(Phase phase, const char* call) const;

  uint32_t id_;
  SecAggParams params_;
  Phase phase_ = Phase::kAdvertise;
  Key agreement_public_{}, agreement_secret_{};
  Key encryption_public_{}, encryption_secret_{};
  Key self_mask_seed_{};
  std::array<uint8_t, 32> random_key_{};  // derives nonces and Shamir coefficients
  uint64_t random_counter_ = 0;
  bool deterministic_ = false;
  std::map<uint32_t, Peer> peers_;            // every advertised client, this one included
  std::map<uint32_t, HeldShares> held_;       // shares this client holds, by owner (itself included)
  std::set<uint32_t> shared_;                 // the clients that shared (U2)
};

// The survivors and the dropped, sorted, for round 4.
struct UnmaskRequest {
  std::vector<uint32_t> survivors;
  std::vector<uint32_t> dropped;
};

// The server's side: collects and checks the messages, routes the shares, and
// rebuilds the sum. The phases end when the server moves on (advertisements(),
// the first shares_for(), unmask_request()); a message for an ended phase is
// Error(kInvalid).
class SecAggServer {
 public:
  explicit SecAggServer(SecAggParams params);

  const SecAggParams& params() const { return params_; }

  void receive_advertise(const std::string& message);
  // Ends round 1 (at least t and at most 255 clients); the map every client gets.
  const std::map<uint32_t, std::string>& advertisements();

  // `shares` as returned by client `from`'s share(): one for every other advertised client.
  void receive_shares(uint32_t from, const std::map<uint32_t, std::string>& shares);
  // The first call ends round 2 (at least t clients must have shared). The share
  // messages addressed to `client`, by sender; `client` must have shared.
  std::map<uint32_t, std::string> shares_for(uint32_t client);

  void receive_masked_input(const std::string& message);
  // Ends round 3: survivors are the clients whose masked input arrived, dropped the
  // others that shared. Error(kInvalid) when fewer than t survived.
  const UnmaskRequest& unmask_request();

  void receive_unmask(const std::string& message);
  // The sum mod 2^32 of the survivors' encoded inputs, from the unmask responses
  // received (at least t). Error(kInvalid) when there are fewer, or when the shares
  // rebuild a key or seed that does not match what its client advertised.
  std::vector<uint32_t> sum_encoded();
  // sum_encoded() decoded (decode_fixed_point).
  Weights sum();

  // The survivors' masked inputs as received (what the server sees of each client).
  const std::map<uint32_t, std::vector<uint32_t>>& masked_inputs() const { return masked_; }

 private:
  using Key = std::array<uint8_t, 32>;
  struct Client {
    Key agreement_public{};
    Key encryption_public{};
    Key seed_commitment{};
    uint8_t share_x = 0;
  };
  struct UnmaskShare {
    uint8_t x = 0;
    Key share{};
  };
  enum class Phase { kAdvertise, kShare, kMaskedInput, kUnmask };

  void expect_phase(Phase phase, const char* what) const;
  const Client& known_client(uint32_t id, const char* what) const;

  SecAggParams params_;
  Phase phase_ = Phase::kAdvertise;
  std::map<uint32_t, std::string> advertise_messages_;
  std::map<uint32_t, Client> clients_;                                // U1
  std::map<uint32_t, std::map<uint32_t, std::string>> shares_to_;     // recipient -> sender -> message
  std::set<uint32_t> shared_;                                         // U2
  std::map<uint32_t, std::vector<uint32_t>> masked_;                  // U3 -> y
  UnmaskRequest request_;
  std::map<uint32_t, std::map<uint32_t, UnmaskShare>> unmask_shares_; // owner -> responder -> share
  std::set<uint32_t> responded_;                                      // U4
};

}  // namespace tinymlops::fl

// The bytes of secure aggregation messages (docs/federated-privacy.md, "Wire format").
//
// Every message: "TMSA", version (u8, 1), type (u8), sender id (u32), the body,
// then a 16-byte BLAKE2b checksum of everything before it. Integers are little
// endian. Parsers check the checksum, the version, the type and the exact length,
// and throw Error(kFormat) naming the message on any mismatch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secagg_crypto.h"

namespace tinymlops::fl::secagg {

constexpr uint8_t kWireVersion = 1;

enum class MessageType : uint8_t { kAdvertise = 1, kShare = 2, kMaskedInput = 3, kUnmask = 4 };

struct AdvertiseMessage {
  uint32_t sender = 0;
  Key agreement_public{};
  Key encryption_public{};
  Key seed_commitment{};  // BLAKE2b-256 of the self-mask seed
};

// What a share message carries, encrypted with crypto_box_easy.
struct SharePlaintext {
  uint32_t sender = 0;
  uint32_t recipient = 0;
  uint8_t x = 0;      // the Shamir x-coordinate (the recipient's)
  Key key_share{};    // of the sender's agreement secret key
  Key seed_share{};   // of the sender's self-mask seed
};
constexpr size_t kSharePlaintextBytes = 4 + 4 + 1 + 32 + 32;

struct ShareMessage {
  uint32_t sender = 0;
  uint32_t recipient = 0;
  std::array<uint8_t, 24> nonce{};
  std::string ciphertext;  // kSharePlaintextBytes + 16 (the MAC)
};

struct MaskedInputMessage {
  uint32_t sender = 0;
  std::vector<uint32_t> values;
};

enum class ShareKind : uint8_t { kSeed = 0, kKey = 1 };

struct UnmaskEntry {
  uint32_t owner = 0;  // whose secret this is a share of
  ShareKind kind = ShareKind::kSeed;
  uint8_t x = 0;
  Key share{};
};

struct UnmaskMessage {
  uint32_t sender = 0;
  std::vector<UnmaskEntry> entries;
};

std::string encode(const AdvertiseMessage& message);
std::string encode(const ShareMessage& message);
std::string encode(const MaskedInputMessage& message);
std::string encode(const UnmaskMessage& message);
std::string encode_plaintext(const SharePlaintext& plaintext);

AdvertiseMessage parse_advertise(std::string_view bytes);
ShareMessage parse_share(std::string_view bytes);
// `vector_size`: the exact number of values expected.
MaskedInputMessage parse_masked_input(std::string_view bytes, size_t vector_size);
UnmaskMessage parse_unmask(std::string_view bytes);
// Throws Error(kFormat) naming `sender` for a wrong length or a zero x.
SharePlaintext parse_plaintext(std::string_view bytes, uint32_t sender);

}  // namespace tinymlops::fl::secagg

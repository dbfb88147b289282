#include "secagg_crypto.h"

#include <sodium.h>

#include <cstring>
#include <string>

#include "tinymlops/core/error.h"

namespace tinymlops::fl::secagg {

static_assert(crypto_scalarmult_BYTES == 32 && crypto_scalarmult_SCALARBYTES == 32);
static_assert(crypto_stream_chacha20_KEYBYTES == 32);
static_assert(randombytes_SEEDBYTES == 32);

void ensure_sodium() {
  if (sodium_init() < 0) throw Error(ErrorKind::kUnsupported, "libsodium", "could not be initialized");
}

namespace {

void put_u64(uint8_t* out, uint64_t value) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<uint8_t>(value >> (8 * k));
}

}  // namespace

void fill_random(bool deterministic, const Key& key, uint64_t& counter, uint8_t* out, size_t size) {
  if (!deterministic) {
    randombytes_buf(out, size);
    return;
  }
  uint8_t input[40];
  std::memcpy(input, key.data(), 32);
  put_u64(input + 32, counter++);
  Key block_seed;
  crypto_generichash(block_seed.data(), block_seed.size(), input, sizeof input, nullptr, 0);
  randombytes_buf_deterministic(out, size, block_seed.data());
}

Key deterministic_key(uint64_t seed, uint32_t id) {
  const char label[] = "tinymlops secagg";
  uint8_t input[sizeof label - 1 + 12];
  std::memcpy(input, label, sizeof label - 1);
  put_u64(input + sizeof label - 1, seed);
  for (int k = 0; k < 4; ++k) input[sizeof label - 1 + 8 + k] = static_cast<uint8_t>(id >> (8 * k));
  Key key;
  crypto_generichash(key.data(), key.size(), input, sizeof input, nullptr, 0);
  return key;
}

Key public_key_of(const Key& secret) {
  Key pub;
  crypto_scalarmult_base(pub.data(), secret.data());
  return pub;
}

Key pairwise_key(const Key& secret_a, const Key& public_a, uint32_t id_a, const Key& public_b, uint32_t id_b) {
  Key shared;
  if (crypto_scalarmult(shared.data(), secret_a.data(), public_b.data()) != 0) {
    throw Error(ErrorKind::kInvalid, "client " + std::to_string(id_b),
                "advertised a weak agreement key (a low-order X25519 point)");
  }
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, shared.data(), shared.size());
  const Key& low = id_a < id_b ? public_a : public_b;
  const Key& high = id_a < id_b ? public_b : public_a;
  crypto_generichash_update(&state, low.data(), low.size());
  crypto_generichash_update(&state, high.data(), high.size());
  Key key;
  crypto_generichash_final(&state, key.data(), key.size());
  sodium_memzero(shared.data(), shared.size());
  return key;
}

Key hash256(std::string_view bytes) {
  Key out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  return out;
}

void apply_mask(std::vector<uint32_t>& words, const Key& key, int sign) {
  std::vector<uint8_t> stream(words.size() * 4);
  const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {};
  crypto_stream_chacha20(stream.data(), stream.size(), nonce, key.data());
  for (size_t i = 0; i < words.size(); ++i) {
    const uint8_t* b = &stream[4 * i];
    const uint32_t mask = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
                          static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
    words[i] = sign > 0 ? words[i] + mask : words[i] - mask;
  }
  sodium_memzero(stream.data(), stream.size());
}

}  // namespace tinymlops::fl::secagg

// The cryptographic pieces of secure aggregation (secure_aggregation.h), over
// libsodium: randomness, X25519 pairwise keys, ChaCha20 masks, hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tinymlops::fl::secagg {

using Key = std::array<uint8_t, 32>;

// Calls sodium_init() (idempotent); throws Error(kUnsupported) if libsodium cannot start.
void ensure_sodium();

// Random bytes: from the OS CSPRNG when `deterministic` is false, else the
// `counter`-th block of a stream named by `key` (randombytes_buf_deterministic
// keyed by BLAKE2b(key || counter)); each call advances `counter`.
void fill_random(bool deterministic, const Key& key, uint64_t& counter, uint8_t* out, size_t size);

// The key of a deterministic client: BLAKE2b("tinymlops secagg" || seed || id).
Key deterministic_key(uint64_t seed, uint32_t id);

// X25519 public key of `secret`.
Key public_key_of(const Key& secret);

// The mask key clients `a` and `b` share: BLAKE2b-256(X25519(secret_a, public_b) ||
// the public key of the lower id || that of the higher). Throws Error(kInvalid)
// naming `peer` when public_b is a low-order point (the shared secret is zero).
Key pairwise_key(const Key& secret_a, const Key& public_a, uint32_t id_a, const Key& public_b, uint32_t id_b);

// BLAKE2b-256 of `bytes` (the self-mask seed commitment).
Key hash256(std::string_view bytes);

// Adds (sign > 0) or subtracts PRG(key) to `words` mod 2^32: ChaCha20 with a zero
// nonce, its output read as little-endian uint32 words.
void apply_mask(std::vector<uint32_t>& words, const Key& key, int sign);

}  // namespace tinymlops::fl::secagg

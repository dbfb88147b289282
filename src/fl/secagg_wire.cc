#include "secagg_wire.h"

#include <sodium.h>

#include <cstring>

#include "tinymlops/core/error.h"

namespace tinymlops::fl::secagg {

namespace {

constexpr char kMagic[4] = {'T', 'M', 'S', 'A'};
constexpr size_t kHeaderBytes = 10;
constexpr size_t kChecksumBytes = 16;
constexpr size_t kShareCiphertextBytes = kSharePlaintextBytes + crypto_box_MACBYTES;
constexpr size_t kUnmaskEntryBytes = 4 + 1 + 1 + 32;

const char* type_name(MessageType type) {
  switch (type) {
    case MessageType::kAdvertise: return "advertise";
    case MessageType::kShare: return "share";
    case MessageType::kMaskedInput: return "masked input";
    case MessageType::kUnmask: return "unmask";
  }
  return "unknown";
}

std::string location(MessageType type) { return std::string("secure aggregation ") + type_name(type) + " message"; }

class Writer {
 public:
  Writer(MessageType type, uint32_t sender) {
    bytes_.append(kMagic, sizeof kMagic);
    u8(kWireVersion);
    u8(static_cast<uint8_t>(type));
    u32(sender);
  }
  void u8(uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value) {
    for (int k = 0; k < 4; ++k) u8(static_cast<uint8_t>(value >> (8 * k)));
  }
  void raw(const void* data, size_t size) { bytes_.append(static_cast<const char*>(data), size); }
  std::string finish() {
    uint8_t checksum[kChecksumBytes];
    crypto_generichash(checksum, sizeof checksum, reinterpret_cast<const unsigned char*>(bytes_.data()), bytes_.size(),
                       nullptr, 0);
    raw(checksum, sizeof checksum);
    return std::move(bytes_);
  }

 private:
  std::string bytes_;
};

// Reads a body after checking the frame; every read is bounds-checked.
class Reader {
 public:
  Reader(std::string_view bytes, MessageType type) : bytes_(bytes), type_(type) {
    if (bytes.size() < kHeaderBytes + kChecksumBytes) fail("truncated: " + std::to_string(bytes.size()) + " bytes");
    if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) fail("does not start with TMSA");
    const uint8_t version = static_cast<uint8_t>(bytes[4]);
    if (version != kWireVersion) {
      fail("has version " + std::to_string(version) + "; this build reads version " + std::to_string(kWireVersion));
    }
    const uint8_t got = static_cast<uint8_t>(bytes[5]);
    if (got != static_cast<uint8_t>(type)) fail("has message type " + std::to_string(got));
    uint8_t checksum[kChecksumBytes];
    const size_t covered = bytes.size() - kChecksumBytes;
    crypto_generichash(checksum, sizeof checksum, reinterpret_cast<const unsigned char*>(bytes.data()), covered,
                       nullptr, 0);
    if (sodium_memcmp(checksum, bytes.data() + covered, kChecksumBytes) != 0) {
      fail("checksum mismatch (corrupted or tampered)");
    }
    end_ = covered;
    position_ = 6;
    sender_ = u32();
  }

  uint32_t sender() const { return sender_; }
  size_t remaining() const { return end_ - position_; }

  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(bytes_[position_++]);
  }
  uint32_t u32() {
    need(4);
    uint32_t value = 0;
    for (int k = 0; k < 4; ++k) value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes_[position_++])) << (8 * k);
    return value;
  }
  void raw(void* out, size_t size) {
    need(size);
    std::memcpy(out, bytes_.data() + position_, size);
    position_ += size;
  }
  // The body must be exactly `size` more bytes.
  void expect_remaining(size_t size) {
    if (remaining() != size) {
      fail("has a body of " + std::to_string(remaining()) + " bytes left; expected " + std::to_string(size));
    }
  }
  [[noreturn]] void fail(const std::string& message) const { throw Error(ErrorKind::kFormat, location(type_), message); }

 private:
  void need(size_t size) {
    if (remaining() < size) fail("truncated body");
  }

  std::string_view bytes_;
  MessageType type_;
  size_t position_ = 0;
  size_t end_ = 0;
  uint32_t sender_ = 0;
};

}  // namespace

std::string encode(const AdvertiseMessage& message) {
  Writer writer(MessageType::kAdvertise, message.sender);
  writer.raw(message.agreement_public.data(), 32);
  writer.raw(message.encryption_public.data(), 32);
  writer.raw(message.seed_commitment.data(), 32);
  return writer.finish();
}

std::string encode(const ShareMessage& message) {
  Writer writer(MessageType::kShare, message.sender);
  writer.u32(message.recipient);
  writer.raw(message.nonce.data(), message.nonce.size());
  writer.raw(message.ciphertext.data(), message.ciphertext.size());
  return writer.finish();
}

std::string encode(const MaskedInputMessage& message) {
  Writer writer(MessageType::kMaskedInput, message.sender);
  writer.u32(static_cast<uint32_t>(message.values.size()));
  for (uint32_t value : message.values) writer.u32(value);
  return writer.finish();
}

std::string encode(const UnmaskMessage& message) {
  Writer writer(MessageType::kUnmask, message.sender);
  writer.u32(static_cast<uint32_t>(message.entries.size()));
  for (const UnmaskEntry& entry : message.entries) {
    writer.u32(entry.owner);
    writer.u8(static_cast<uint8_t>(entry.kind));
    writer.u8(entry.x);
    writer.raw(entry.share.data(), entry.share.size());
  }
  return writer.finish();
}

std::string encode_plaintext(const SharePlaintext& plaintext) {
  std::string bytes;
  for (uint32_t value : {plaintext.sender, plaintext.recipient}) {
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<char>(static_cast<uint8_t>(value >> (8 * k))));
  }
  bytes.push_back(static_cast<char>(plaintext.x));
  bytes.append(reinterpret_cast<const char*>(plaintext.key_share.data()), 32);
  bytes.append(reinterpret_cast<const char*>(plaintext.seed_share.data()), 32);
  return bytes;
}

AdvertiseMessage parse_advertise(std::string_view bytes) {
  Reader reader(bytes, MessageType::kAdvertise);
  reader.expect_remaining(96);
  AdvertiseMessage message;
  message.sender = reader.sender();
  reader.raw(message.agreement_public.data(), 32);
  reader.raw(message.encryption_public.data(), 32);
  reader.raw(message.seed_commitment.data(), 32);
  return message;
}

ShareMessage parse_share(std::string_view bytes) {
  Reader reader(bytes, MessageType::kShare);
  reader.expect_remaining(4 + 24 + kShareCiphertextBytes);
  ShareMessage message;
  message.sender = reader.sender();
  message.recipient = reader.u32();
  reader.raw(message.nonce.data(), message.nonce.size());
  message.ciphertext.resize(kShareCiphertextBytes);
  reader.raw(message.ciphertext.data(), message.ciphertext.size());
  return message;
}

MaskedInputMessage parse_masked_input(std::string_view bytes, size_t vector_size) {
  Reader reader(bytes, MessageType::kMaskedInput);
  MaskedInputMessage message;
  message.sender = reader.sender();
  const uint32_t count = reader.u32();
  if (count != vector_size) {
    reader.fail("has " + std::to_string(count) + " values; this aggregation sums " + std::to_string(vector_size));
  }
  reader.expect_remaining(4 * static_cast<size_t>(count));
  message.values.resize(count);
  for (uint32_t& value : message.values) value = reader.u32();
  return message;
}

UnmaskMessage parse_unmask(std::string_view bytes) {
  Reader reader(bytes, MessageType::kUnmask);
  UnmaskMessage message;
  message.sender = reader.sender();
  const uint32_t count = reader.u32();
  reader.expect_remaining(kUnmaskEntryBytes * static_cast<size_t>(count));
  message.entries.resize(count);
  for (UnmaskEntry& entry : message.entries) {
    entry.owner = reader.u32();
    const uint8_t kind = reader.u8();
    if (kind > static_cast<uint8_t>(ShareKind::kKey)) reader.fail("has share kind " + std::to_string(kind));
    entry.kind = static_cast<ShareKind>(kind);
    entry.x = reader.u8();
    if (entry.x == 0) reader.fail("has a share with x = 0");
    reader.raw(entry.share.data(), entry.share.size());
  }
  return message;
}

SharePlaintext parse_plaintext(std::string_view bytes, uint32_t sender) {
  const std::string where = "share from client " + std::to_string(sender);
  if (bytes.size() != kSharePlaintextBytes) {
    throw Error(ErrorKind::kFormat, where, "decrypts to " + std::to_string(bytes.size()) + " bytes");
  }
  auto u32_at = [&](size_t offset) {
    uint32_t value = 0;
    for (int k = 0; k < 4; ++k) value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + static_cast<size_t>(k)])) << (8 * k);
    return value;
  };
  SharePlaintext plaintext;
  plaintext.sender = u32_at(0);
  plaintext.recipient = u32_at(4);
  plaintext.x = static_cast<uint8_t>(bytes[8]);
  if (plaintext.x == 0) throw Error(ErrorKind::kFormat, where, "carries a share with x = 0");
  std::memcpy(plaintext.key_share.data(), bytes.data() + 9, 32);
  std::memcpy(plaintext.seed_share.data(), bytes.data() + 41, 32);
  return plaintext;
}

}  // namespace tinymlops::fl::secagg

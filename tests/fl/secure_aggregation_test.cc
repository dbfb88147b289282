#include "tinymlops/fl/secure_aggregation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "fl/secagg_wire.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/fl/privacy.h"

namespace tinymlops::fl {
namespace {

Weights random_input(size_t size, float scale, uint64_t seed) {
  Rng rng(seed);
  Weights v(size);
  for (float& x : v) x = scale * rng.normal();
  return v;
}

std::vector<uint32_t> encoded_sum(const std::vector<Weights>& inputs, int frac_bits) {
  std::vector<uint32_t> sum(inputs.at(0).size(), 0);
  for (const Weights& x : inputs) {
    std::vector<uint32_t> e = encode_fixed_point(x, frac_bits);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += e[i];
  }
  return sum;
}

template <typename F>
void expect_error(ErrorKind kind, const std::string& needle, F&& call) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one containing \"" << needle << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// One aggregation, run message by message as a server and its clients would.
struct Aggregation {
  SecAggParams params;
  std::vector<uint32_t> ids;
  std::map<uint32_t, std::unique_ptr<SecAggClient>> clients;
  std::map<uint32_t, Weights> inputs;
  SecAggServer server;

  Aggregation(SecAggParams p, std::vector<uint32_t> client_ids, uint64_t seed = 7)
      : params(p), ids(std::move(client_ids)), server(p) {
    for (uint32_t id : ids) {
      clients[id] = std::make_unique<SecAggClient>(id, params, seed);
      inputs[id] = random_input(params.vector_size, 2.0f, 1000 + id);
    }
  }
  SecAggClient& client(uint32_t id) { return *clients.at(id); }

  // Runs rounds 1-3; clients in `skip_share` vanish after advertising, those in
  // `skip_masked` after sharing.
  void run_to_masked(const std::set<uint32_t>& skip_share = {}, const std::set<uint32_t>& skip_masked = {}) {
    for (uint32_t id : ids) server.receive_advertise(client(id).advertise());
    const auto& advertised = server.advertisements();
    for (uint32_t id : ids) {
      auto shares = client(id).share(advertised);
      if (!skip_share.count(id)) server.receive_shares(id, shares);
    }
    for (uint32_t id : ids) {
      if (skip_share.count(id) || skip_masked.count(id)) continue;
      server.receive_masked_input(client(id).masked_input(inputs[id], server.shares_for(id)));
    }
  }
  // Round 4 with every survivor answering except `silent`.
  void run_unmask(const std::set<uint32_t>& silent = {}) {
    const UnmaskRequest& request = server.unmask_request();
    for (uint32_t id : request.survivors) {
      if (!silent.count(id)) server.receive_unmask(client(id).unmask(request.survivors, request.dropped));
    }
  }
  std::vector<uint32_t> expected(const std::vector<uint32_t>& summed) {
    std::vector<Weights> xs;
    for (uint32_t id : summed) xs.push_back(inputs.at(id));
    return encoded_sum(xs, params.frac_bits);
  }
};

TEST(FlSecureAggregation, SumOfFiveClientsIsExact) {
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = 1000}, {4, 9, 15, 16, 23});
  run.run_to_masked();
  run.run_unmask();
  EXPECT_EQ(run.server.unmask_request().survivors, (std::vector<uint32_t>{4, 9, 15, 16, 23}));
  EXPECT_TRUE(run.server.unmask_request().dropped.empty());
  const std::vector<uint32_t> expected = run.expected({4, 9, 15, 16, 23});
  EXPECT_EQ(run.server.sum_encoded(), expected);
  const Weights sum = run.server.sum();
  EXPECT_EQ(sum, decode_fixed_point(expected, 16));
  for (size_t i = 0; i < sum.size(); ++i) {
    double plain = 0;
    for (auto& [id, x] : run.inputs) plain += x[i];
    EXPECT_NEAR(sum[i], plain, 5 * std::ldexp(1.0, -16));
  }
}

TEST(FlSecureAggregation, ClientDroppingAfterShareLeavesTheSurvivorsSumExact) {
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = 257}, {1, 2, 3, 4, 5});
  run.run_to_masked({}, {3});
  const UnmaskRequest& request = run.server.unmask_request();
  EXPECT_EQ(request.survivors, (std::vector<uint32_t>{1, 2, 4, 5}));
  EXPECT_EQ(request.dropped, (std::vector<uint32_t>{3}));
  run.run_unmask();
  EXPECT_EQ(run.server.sum_encoded(), run.expected({1, 2, 4, 5}));
}

TEST(FlSecureAggregation, DropsInEveryPhaseAndSilentSurvivors) {
  // 7 clients, t = 3: client 2 vanishes after advertising, 5 and 6 after sharing, and
  // survivor 7 sends its masked input but never answers the unmask request.
  Aggregation run({.threshold = 3, .frac_bits = 12, .vector_size = 64}, {1, 2, 3, 4, 5, 6, 7});
  run.run_to_masked({2}, {5, 6});
  EXPECT_EQ(run.server.unmask_request().dropped, (std::vector<uint32_t>{5, 6}));
  run.run_unmask({7});
  EXPECT_EQ(run.server.sum_encoded(), run.expected({1, 3, 4, 7}));
}

TEST(FlSecureAggregation, TooFewSurvivorsIsAClearError) {
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = 16}, {1, 2, 3, 4, 5});
  run.run_to_masked({}, {2, 3, 4});
  expect_error(ErrorKind::kInvalid, "only 2 of 5 clients sent masked inputs; the sum needs at least the threshold 3",
               [&] { run.server.unmask_request(); });

  Aggregation silent({.threshold = 3, .frac_bits = 16, .vector_size = 16}, {1, 2, 3, 4});
  silent.run_to_masked();
  silent.run_unmask({1, 2});
  expect_error(ErrorKind::kInvalid, "only 2 survivors answered the unmask request", [&] { silent.server.sum_encoded(); });

  Aggregation lonely({.threshold = 3, .frac_bits = 16, .vector_size = 16}, {1, 2});
  for (uint32_t id : lonely.ids) lonely.server.receive_advertise(lonely.client(id).advertise());
  expect_error(ErrorKind::kInvalid, "only 2 clients advertised; the threshold is 3", [&] { lonely.server.advertisements(); });
}

// Bytes of a masked vector: uniform if the mask is. Pearson chi-square over 256 bins.
double byte_chi_square(const std::vector<uint32_t>& words) {
  std::vector<double> counts(256, 0);
  for (uint32_t w : words) {
    for (int k = 0; k < 4; ++k) counts[(w >> (8 * k)) & 0xffu] += 1;
  }
  const double expected = 4.0 * static_cast<double>(words.size()) / 256;
  double chi = 0;
  for (double c : counts) chi += (c - expected) * (c - expected) / expected;
  return chi;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= static_cast<double>(a.size());
  mb /= static_cast<double>(b.size());
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(FlSecureAggregation, ServerViewOfOneClientIsNoiseWhileTheSumIsExact) {
  const size_t size = 4096;
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = size}, {1, 2, 3, 4, 5});
  // A very structured input: a slow ramp from -1 to 1.
  for (size_t i = 0; i < size; ++i) run.inputs[2][i] = -1.0f + 2.0f * static_cast<float>(i) / size;
  run.run_to_masked();
  const std::vector<uint32_t>& seen = run.server.masked_inputs().at(2);
  const std::vector<uint32_t> plain = encode_fixed_point(run.inputs[2], 16);

  // 255 degrees of freedom: 330.5 is the 0.1% critical value. The plain encoding fails it badly.
  std::printf("chi-square of the bytes: masked %.1f, plain %.1f\n", byte_chi_square(seen), byte_chi_square(plain));
  EXPECT_LT(byte_chi_square(seen), 330.5);
  EXPECT_GT(byte_chi_square(plain), 10000);

  std::vector<double> x, y;
  for (size_t i = 0; i < size; ++i) {
    x.push_back(run.inputs[2][i]);
    y.push_back(static_cast<int32_t>(seen[i]));
  }
  // |r| of independent samples is about 1 / sqrt(4096) = 0.016.
  std::printf("correlation with the input: masked %.4f\n", correlation(x, y));
  EXPECT_LT(std::fabs(correlation(x, y)), 0.05);
  std::vector<double> plain_y;
  for (uint32_t w : plain) plain_y.push_back(static_cast<int32_t>(w));
  EXPECT_GT(correlation(x, plain_y), 0.999);

  run.run_unmask();
  EXPECT_EQ(run.server.sum_encoded(), run.expected({1, 2, 3, 4, 5}));
}

// DP-FedAvg over secure aggregation: the server's private mean of the masked sum is the
// private mean of the clipped, noised deltas it never saw, to the fixed-point resolution.
TEST(FlSecureAggregation, ComposesWithDpFedAvg) {
  const int m = 5;
  Aggregation run({.threshold = 3, .frac_bits = 20, .vector_size = 500}, {1, 2, 3, 4, 5});
  DpConfig dp;
  dp.clip_norm = 0.5;
  dp.noise_multiplier = 1.0;
  Rng rng(17);
  std::vector<Weights> noised;
  for (uint32_t id : run.ids) {
    Rng client_rng = rng.split();
    privatize_update(run.inputs[id], dp, m, client_rng);
    noised.push_back(run.inputs[id]);
  }
  run.run_to_masked();
  run.run_unmask();
  const Weights secure = private_mean(run.server.sum(), m);
  const Weights plain = private_mean(noised, m);
  ASSERT_EQ(secure.size(), plain.size());
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_NEAR(secure[i], plain[i], m * std::ldexp(1.0, -20));
}

TEST(FlSecureAggregation, SameSeedSameBytesAndOsRandomnessDiffers) {
  SecAggParams params{.threshold = 2, .frac_bits = 16, .vector_size = 4};
  SecAggClient a(1, params, 5), b(1, params, 5), c(1, params, 0), d(1, params, 0);
  EXPECT_EQ(a.advertise(), b.advertise());
  EXPECT_NE(c.advertise(), d.advertise());
  SecAggClient e(1, params, 6);
  EXPECT_NE(SecAggClient(1, params, 5).advertise(), e.advertise());
}

TEST(FlSecureAggregation, OsRandomnessRunIsExactToo) {
  Aggregation run({.threshold = 2, .frac_bits = 16, .vector_size = 33}, {10, 20, 30}, 0);
  run.run_to_masked({}, {20});
  run.run_unmask();
  EXPECT_EQ(run.server.sum_encoded(), run.expected({10, 30}));
}

TEST(FlSecureAggregation, RejectsTruncatedAndTamperedMessages) {
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = 8}, {1, 2, 3, 4});
  std::map<uint32_t, std::string> adverts;
  for (uint32_t id : run.ids) adverts[id] = run.client(id).advertise();

  std::string flipped = adverts[1];
  flipped[20] = static_cast<char>(flipped[20] ^ 1);
  expect_error(ErrorKind::kFormat, "checksum mismatch", [&] { run.server.receive_advertise(flipped); });
  expect_error(ErrorKind::kFormat, "truncated", [&] { run.server.receive_advertise(adverts[1].substr(0, 12)); });
  expect_error(ErrorKind::kFormat, "TMSA", [&] { run.server.receive_advertise("garbage that is long enough to be read"); });
  std::string newer = adverts[1];
  newer[4] = 2;
  expect_error(ErrorKind::kFormat, "version 2", [&] { run.server.receive_advertise(newer); });
  std::string longer = adverts[1].substr(0, adverts[1].size() - 16) + "x";
  expect_error(ErrorKind::kFormat, "", [&] { run.server.receive_advertise(longer); });

  for (uint32_t id : run.ids) run.server.receive_advertise(adverts[id]);
  expect_error(ErrorKind::kInvalid, "advertised twice", [&] { run.server.receive_advertise(adverts[1]); });
  const auto& advertised = run.server.advertisements();
  expect_error(ErrorKind::kInvalid, "arrived in the share phase", [&] { run.server.receive_advertise(adverts[1]); });

  std::map<uint32_t, std::map<uint32_t, std::string>> shares;
  for (uint32_t id : run.ids) shares[id] = run.client(id).share(advertised);
  // An advertise message where a share message belongs.
  expect_error(ErrorKind::kFormat, "message type 1", [&] { run.server.receive_shares(1, {{2, adverts[1]}, {3, adverts[1]}, {4, adverts[1]}}); });
  // Shares from client 1 claimed by client 2.
  expect_error(ErrorKind::kInvalid, "listed for", [&] { run.server.receive_shares(2, shares[1]); });
  expect_error(ErrorKind::kInvalid, "unknown client 99", [&] { run.server.receive_shares(99, shares[1]); });
  auto missing_one = shares[1];
  missing_one.erase(4);
  expect_error(ErrorKind::kInvalid, "sent 2 shares; there are 3 other clients", [&] { run.server.receive_shares(1, missing_one); });

  // A share whose ciphertext was altered (and re-framed with a valid checksum) does not decrypt.
  secagg::ShareMessage altered = secagg::parse_share(shares[1][2]);
  altered.ciphertext[5] = static_cast<char>(altered.ciphertext[5] ^ 0x40);
  shares[1][2] = secagg::encode(altered);
  for (uint32_t id : run.ids) run.server.receive_shares(id, shares[id]);
  expect_error(ErrorKind::kInvalid, "sent its shares twice", [&] { run.server.receive_shares(1, shares[1]); });
  expect_error(ErrorKind::kFormat, "does not decrypt",
               [&] { run.client(2).masked_input(run.inputs[2], run.server.shares_for(2)); });

  std::map<uint32_t, std::string> masked;
  for (uint32_t id : {1u, 3u, 4u}) masked[id] = run.client(id).masked_input(run.inputs[id], run.server.shares_for(id));
  expect_error(ErrorKind::kFormat, "truncated", [&] { run.server.receive_masked_input(masked[1].substr(0, 20)); });
  std::string bad_value = masked[1];
  bad_value[16] = static_cast<char>(bad_value[16] + 1);
  expect_error(ErrorKind::kFormat, "checksum", [&] { run.server.receive_masked_input(bad_value); });
  // A well-formed masked input from a client that is not in this aggregation.
  Aggregation other({.threshold = 2, .frac_bits = 16, .vector_size = 8}, {1, 7});
  other.run_to_masked();
  std::string stranger = secagg::encode(secagg::MaskedInputMessage{7, other.server.masked_inputs().at(7)});
  expect_error(ErrorKind::kInvalid, "unknown client 7", [&] { run.server.receive_masked_input(stranger); });
  // A masked input with the wrong number of values.
  std::string wrong_size = secagg::encode(secagg::MaskedInputMessage{1, std::vector<uint32_t>(9, 0)});
  expect_error(ErrorKind::kFormat, "has 9 values", [&] { run.server.receive_masked_input(wrong_size); });

  for (auto& [id, bytes] : masked) run.server.receive_masked_input(bytes);
  expect_error(ErrorKind::kInvalid, "twice", [&] { run.server.receive_masked_input(masked[1]); });
  const UnmaskRequest& request = run.server.unmask_request();
  expect_error(ErrorKind::kInvalid, "masked input arrived in the unmask phase",
               [&] { run.server.receive_masked_input(masked[1]); });
  EXPECT_EQ(request.dropped, (std::vector<uint32_t>{2}));

  std::map<uint32_t, std::string> unmasks;
  for (uint32_t id : request.survivors) unmasks[id] = run.client(id).unmask(request.survivors, request.dropped);
  expect_error(ErrorKind::kFormat, "truncated", [&] { run.server.receive_unmask(unmasks[1].substr(0, 20)); });
  // Client 3 claims client 1's answer: x-coordinates do not match.
  secagg::UnmaskMessage forged = secagg::parse_unmask(unmasks[1]);
  forged.sender = 3;
  expect_error(ErrorKind::kInvalid, "unexpected share", [&] { run.server.receive_unmask(secagg::encode(forged)); });
  // Rejected messages changed nothing: the real ones still give the exact sum.
  for (auto& [id, bytes] : unmasks) run.server.receive_unmask(bytes);
  expect_error(ErrorKind::kInvalid, "twice", [&] { run.server.receive_unmask(unmasks[1]); });
  EXPECT_EQ(run.server.sum_encoded(), run.expected({1, 3, 4}));
}

TEST(FlSecureAggregation, AWrongShareIsCaughtNotSummed) {
  Aggregation run({.threshold = 3, .frac_bits = 16, .vector_size = 8}, {1, 2, 3, 4});
  run.run_to_masked({}, {4});
  const UnmaskRequest& request = run.server.unmask_request();
  // Survivor 1 answers with a corrupted share of client 2's seed and of client 4's key;
  // it is framed correctly, so only the rebuilt secrets can tell.
  secagg::UnmaskMessage bad = secagg::parse_unmask(run.client(1).unmask(request.survivors, request.dropped));
  for (secagg::UnmaskEntry& entry : bad.entries) entry.share[0] ^= 0x5a;
  run.server.receive_unmask(secagg::encode(bad));
  for (uint32_t id : {2u, 3u}) run.server.receive_unmask(run.client(id).unmask(request.survivors, request.dropped));
  expect_error(ErrorKind::kInvalid, "do not match", [&] { run.server.sum_encoded(); });
}

TEST(FlSecureAggregation, ClientsRefuseToRevealBothSharesOrRunOutOfOrder) {
  Aggregation run({.threshold = 2, .frac_bits = 16, .vector_size = 4}, {1, 2, 3});
  expect_error(ErrorKind::kInvalid, "share() called out of order", [&] { run.client(1).share({}); });
  run.run_to_masked();
  expect_error(ErrorKind::kInvalid, "advertise() called out of order", [&] { run.client(1).advertise(); });
  // Client 2 named both survivor and dropped: answering would unmask it.
  expect_error(ErrorKind::kInvalid, "partition", [&] { run.client(1).unmask({1, 2, 3}, {2}); });
  expect_error(ErrorKind::kInvalid, "partition", [&] { run.client(1).unmask({1, 2}, {}); });
  expect_error(ErrorKind::kInvalid, "listed as dropped", [&] { run.client(1).unmask({2, 3}, {1}); });
  expect_error(ErrorKind::kInvalid, "only 1 survivors", [&] { run.client(1).unmask({1}, {2, 3}); });
  EXPECT_NO_THROW(run.client(1).unmask({1, 2, 3}, {}));
  expect_error(ErrorKind::kInvalid, "unmask() called out of order", [&] { run.client(1).unmask({1, 2, 3}, {}); });

  SecAggClient fresh(5, {.threshold = 2, .frac_bits = 16, .vector_size = 4}, 1);
  fresh.advertise();
  // The advertised set must include this client's own keys.
  expect_error(ErrorKind::kInvalid, "own keys", [&] { fresh.share(run.server.advertisements()); });
  expect_error(ErrorKind::kInvalid, "threshold", [] { SecAggClient(1, {.threshold = 1, .frac_bits = 16, .vector_size = 4}); });
  expect_error(ErrorKind::kInvalid, "vector_size", [] { SecAggServer({.threshold = 2, .frac_bits = 16, .vector_size = 0}); });
}

TEST(FlSecureAggregation, FixedPointEncodingWrapsAndChecksItsRange) {
  const Weights values = {0.0f, 1.0f, -1.0f, 0.5f, -32767.5f, 1.0f / 65536, -1.0f / 131072};
  const std::vector<uint32_t> encoded = encode_fixed_point(values, 16);
  EXPECT_EQ(encoded[1], 65536u);
  EXPECT_EQ(encoded[2], 0xffff0000u);  // two's complement
  EXPECT_EQ(encoded[5], 1u);
  EXPECT_EQ(encoded[6], 0xffffffffu);  // -0.5 units rounds away from zero
  EXPECT_EQ(decode_fixed_point(encoded, 16), (Weights{0.0f, 1.0f, -1.0f, 0.5f, -32767.5f, 1.0f / 65536, -1.0f / 65536}));
  // Sums wrap correctly mod 2^32: -1 + 3 = 2.
  std::vector<uint32_t> sum = {encode_fixed_point({-1.0f}, 16)[0] + encode_fixed_point({3.0f}, 16)[0]};
  EXPECT_EQ(decode_fixed_point(sum, 16), (Weights{2.0f}));
  expect_error(ErrorKind::kInvalid, "value[1]", [] { encode_fixed_point({0.0f, 32768.0f}, 16); });
  expect_error(ErrorKind::kInvalid, "value[0]", [] { encode_fixed_point({std::nanf("")}, 16); });
  EXPECT_NO_THROW(encode_fixed_point({1e9f}, 0));
}

}  // namespace
}  // namespace tinymlops::fl

// memory_plan.h: lifetimes, no overlap of live tensors, the lower bound,
// alignment and determinism, over float and int8 MLPs and CNNs.
#include "tinymlops/codegen/memory_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "codegen/deploy_models.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

using testing::Variant;

// The lifetime of every activation tensor, worked out independently of the
// planner: written by op i (the input: -1), last read by op j (the output: by
// the caller, after the last op).
std::map<int, std::pair<int, int>> expected_lifetimes(const DeployModel& model) {
  std::map<int, std::pair<int, int>> life;
  life[model.input] = {-1, -1};
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const int step = static_cast<int>(i);
    const DeployOp& op = model.ops[i];
    life[op.inputs[0]].second = step;
    if (!life.count(op.output)) life[op.output] = {step, step};
  }
  life[model.output].second = static_cast<int>(model.ops.size());
  return life;
}

// The overlap checker: every activation placed once with its dtype's bytes,
// aligned, inside the arena, and no two tensors live during the same step
// share a byte. Returns the bytes live at the busiest step.
int64_t check_plan(const DeployModel& model, const MemoryPlan& plan) {
  const auto life = expected_lifetimes(model);
  EXPECT_EQ(plan.placements.size(), life.size());
  EXPECT_EQ(plan.arena_bytes % kArenaAlignment, 0);
  for (const TensorPlacement& p : plan.placements) {
    SCOPED_TRACE("tensor " + std::to_string(p.tensor));
    const DeployTensor& t = model.tensors[static_cast<size_t>(p.tensor)];
    EXPECT_FALSE(t.is_constant());
    if (!life.count(p.tensor)) {
      ADD_FAILURE() << "not an activation";
      continue;
    }
    EXPECT_EQ(p.first_op, life.at(p.tensor).first);
    EXPECT_EQ(p.last_op, life.at(p.tensor).second);
    EXPECT_EQ(p.bytes, data_bytes(t.dtype, t.size()));
    EXPECT_EQ(p.offset % kArenaAlignment, 0);
    EXPECT_GE(p.offset, 0);
    EXPECT_LE(p.offset + p.bytes, plan.arena_bytes);
    EXPECT_EQ(&plan.placement_of(p.tensor), &p);
  }
  for (size_t a = 0; a < plan.placements.size(); ++a) {
    for (size_t b = a + 1; b < plan.placements.size(); ++b) {
      const TensorPlacement& p = plan.placements[a];
      const TensorPlacement& q = plan.placements[b];
      const bool same_time = p.first_op <= q.last_op && q.first_op <= p.last_op;
      const bool same_bytes = p.offset < q.offset + q.bytes && q.offset < p.offset + p.bytes;
      EXPECT_FALSE(same_time && same_bytes) << "tensors " << p.tensor << " and " << q.tensor << " overlap";
    }
  }
  int64_t peak = 0;
  for (int step = -1; step <= static_cast<int>(model.ops.size()); ++step) {
    int64_t live = 0;
    for (const auto& [tensor, span] : life) {
      const DeployTensor& t = model.tensors[static_cast<size_t>(tensor)];
      if (span.first <= step && step <= span.second) live += data_bytes(t.dtype, t.size());
    }
    peak = std::max(peak, live);
  }
  return peak;
}

// dense:8:relu, dense:4 on 6 inputs: input 24 B, hidden 32 B, output 16 B.
TEST(MemoryPlan, ChainByHand) {
  Model model = testing::random_model(Shape{{6}}, "dense:8:relu,dense:4", 1);
  DeployModel deploy = lower_model(model);
  ASSERT_EQ(deploy.ops.size(), 2u);
  const MemoryPlan plan = plan_memory(deploy);
  ASSERT_EQ(plan.placements.size(), 3u);
  const TensorPlacement& input = plan.placement_of(deploy.input);
  const TensorPlacement& hidden = plan.placement_of(deploy.ops[0].output);
  const TensorPlacement& output = plan.placement_of(deploy.output);
  EXPECT_EQ(input.bytes, 24);
  EXPECT_EQ(hidden.bytes, 32);
  EXPECT_EQ(output.bytes, 16);
  EXPECT_EQ(input.first_op, -1);
  EXPECT_EQ(input.last_op, 0);
  EXPECT_EQ(hidden.first_op, 0);
  EXPECT_EQ(hidden.last_op, 1);
  EXPECT_EQ(output.first_op, 1);
  EXPECT_EQ(output.last_op, 2);
  // Busiest step: op 0 reads the input while writing the hidden layer.
  EXPECT_EQ(plan.lower_bound_bytes, 24 + 32);
  // Largest first: hidden at 0, the input after it; the output may not share
  // the hidden layer's bytes but may take the dead input's.
  EXPECT_EQ(hidden.offset, 0);
  EXPECT_EQ(input.offset, 32);
  EXPECT_EQ(output.offset, 32);
  EXPECT_EQ(plan.arena_bytes, 56);
  EXPECT_EQ(check_plan(deploy, plan), plan.lower_bound_bytes);
}

TEST(MemoryPlan, LongChainReusesMemory) {
  Model model = testing::random_model(Shape{{16}}, "dense:16:relu,dense:16:relu,dense:16:relu,dense:16:relu,dense:16", 2);
  DeployModel deploy = lower_model(model);
  const MemoryPlan plan = plan_memory(deploy);
  int64_t total = 0;
  for (const TensorPlacement& p : plan.placements) total += p.bytes;
  EXPECT_EQ(total, 6 * 64);
  // Two tensors are live at any time: two 64-byte slots suffice.
  EXPECT_EQ(plan.lower_bound_bytes, 128);
  EXPECT_EQ(plan.arena_bytes, 128);
  check_plan(deploy, plan);
}

TEST(MemoryPlan, AlignsTensorsWhoseSizeIsNotAMultipleOfFour) {
  // int8 tensors of 5 and 3 bytes next to float ones.
  const DeployModel& deploy = testing::test_deploy_model(Variant::kInt8Mlp).model;
  Model odd = testing::random_model(Shape{{5}}, "dense:3:relu,dense:7,softmax", 3);
  for (const DeployModel& model : {deploy, lower_model(odd)}) {
    const MemoryPlan plan = plan_memory(model);
    check_plan(model, plan);
    for (const TensorPlacement& p : plan.placements) EXPECT_EQ(p.offset % kArenaAlignment, 0);
  }
}

class MemoryPlanOf : public ::testing::TestWithParam<Variant> {};

TEST_P(MemoryPlanOf, NoLiveTensorsOverlapAndArenaIsAtLeastTheLowerBound) {
  const DeployModel& model = testing::test_deploy_model(GetParam()).model;
  const MemoryPlan plan = plan_memory(model);
  const int64_t peak = check_plan(model, plan);
  EXPECT_EQ(plan.lower_bound_bytes, peak);
  EXPECT_GE(plan.arena_bytes, plan.lower_bound_bytes);
  // Greedy by size is not optimal in general, but within a factor of two here.
  EXPECT_LE(plan.arena_bytes, 2 * plan.lower_bound_bytes);
}

TEST_P(MemoryPlanOf, IsDeterministic) {
  const DeployModel& model = testing::test_deploy_model(GetParam()).model;
  const MemoryPlan a = plan_memory(model);
  const MemoryPlan b = plan_memory(DeployModel(model));
  ASSERT_EQ(a.placements.size(), b.placements.size());
  for (size_t i = 0; i < a.placements.size(); ++i) {
    EXPECT_EQ(a.placements[i].tensor, b.placements[i].tensor);
    EXPECT_EQ(a.placements[i].offset, b.placements[i].offset);
  }
  EXPECT_EQ(a.arena_bytes, b.arena_bytes);
}

INSTANTIATE_TEST_SUITE_P(Models, MemoryPlanOf,
                         ::testing::Values(Variant::kFloatMlp, Variant::kFloatCnn, Variant::kInt8Mlp,
                                           Variant::kInt8Cnn, Variant::kCodebookMlp, Variant::kInt16Mlp),
                         [](const auto& info) { return std::string(testing::variant_label(info.param)); });

TEST(MemoryPlan, PlacementOfAConstantIsAnError) {
  Model model = testing::random_model(Shape{{6}}, "dense:8:relu,dense:4", 1);
  DeployModel deploy = lower_model(model);
  const MemoryPlan plan = plan_memory(deploy);
  EXPECT_THROW(plan.placement_of(deploy.ops[0].inputs[1]), Error);
}

}  // namespace
}  // namespace tinymlops

#include "tinymlops/nn/trainer.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layer_spec.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {
namespace {

// Two interleaved spirals-lite: XOR of the signs of x and y, 400 points.
Dataset xor_dataset() {
  Dataset data;
  data.source = "xor";
  data.task = Task::kClassification;
  data.feature_names = {"x", "y"};
  data.label_name = "c";
  data.class_names = {"same", "different"};
  Rng rng(5);
  data.features.resize(400, 2);
  for (int i = 0; i < 400; ++i) {
    float x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
    data.features.row(i) << x, y;
    data.classes.push_back((x > 0) != (y > 0));
    data.line_numbers.push_back(i + 2);
  }
  return data;
}

Model mlp(const std::string& spec, int inputs, uint64_t seed) {
  Model model(Shape{{inputs}});
  add_layers(model, parse_layer_specs(spec));
  model.build(Initializer::kGlorotUniform, seed);
  return model;
}

TrainOptions options(int epochs, uint64_t seed) {
  TrainOptions o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.learning_rate = 0.01f;
  o.seed = seed;
  return o;
}

TEST(Trainer, LearnsXor) {
  Dataset data = xor_dataset();
  Model model = mlp("dense:16:tanh,dense:2,softmax", 2, 1);
  TrainHistory history = train_model(model, data, nullptr, options(60, 1), nullptr);
  EXPECT_LT(history.epochs.back().train_loss, history.epochs.front().train_loss);
  EXPECT_GT(evaluate_loss(model, data, LossKind::kCrossEntropy).metric, 0.95);
}

TEST(Trainer, SameSeedSameBytesDifferentSeedDifferentBytes) {
  Dataset data = xor_dataset();
  auto train_once = [&](uint64_t seed) {
    Model model = mlp("dense:8:relu,dropout:0.2,batchnorm,dense:2,softmax", 2, seed);
    train_model(model, data, nullptr, options(5, seed), nullptr);
    return serialize_model(model);
  };
  EXPECT_EQ(train_once(3), train_once(3));
  EXPECT_NE(train_once(3), train_once(4));
}

TEST(Trainer, LearnsRegressionWithEveryRegressionLoss) {
  Dataset data;
  data.task = Task::kRegression;
  data.feature_names = {"x"};
  data.features = Matrix(200, 1);
  data.values.resize(200);
  for (int i = 0; i < 200; ++i) {
    float x = static_cast<float>(i) / 100.0f - 1.0f;
    data.features(i, 0) = x;
    data.values[i] = 3 * x + 1;
  }
  for (LossKind loss : {LossKind::kMse, LossKind::kMae, LossKind::kHuber}) {
    Model model = mlp("dense:1", 1, 2);
    TrainOptions o = options(200, 2);
    o.loss = loss;
    o.learning_rate = 0.05f;
    train_model(model, data, nullptr, o, nullptr);
    EXPECT_LT(evaluate_loss(model, data, LossKind::kMse).metric, 0.05) << loss_name(loss);
  }
}

TEST(Trainer, BinaryCrossEntropyWithSigmoidHead) {
  Dataset data = xor_dataset();
  Model model = mlp("dense:16:tanh,dense:1,sigmoid", 2, 4);
  TrainOptions o = options(60, 4);
  o.loss = LossKind::kBinaryCrossEntropy;
  train_model(model, data, nullptr, o, nullptr);
  ClassificationMetrics m = classification_metrics(data.classes, model.predict(data.features));
  EXPECT_GT(m.accuracy, 0.93);
}

TEST(Trainer, EarlyStoppingStopsAndRestoresBest) {
  Dataset data = xor_dataset();
  // A validation set the model cannot fit (labels flipped): it worsens quickly.
  Dataset flipped = data;
  for (int& c : flipped.classes) c = 1 - c;
  Model model = mlp("dense:16:tanh,dense:2,softmax", 2, 1);
  TrainOptions o = options(100, 1);
  o.early_stopping.patience = 3;
  TrainHistory history = train_model(model, data, &flipped, o, nullptr);
  EXPECT_TRUE(history.stopped_early);
  EXPECT_LT(history.epochs.size(), 100u);
  EXPECT_EQ(history.epochs.size(), static_cast<size_t>(history.best_epoch + 3));
  // The restored weights give the best validation loss seen.
  double best = history.epochs[static_cast<size_t>(history.best_epoch - 1)].validation_loss;
  EXPECT_NEAR(evaluate_loss(model, flipped, LossKind::kCrossEntropy).loss, best, 1e-9);
}

TEST(Trainer, ClassWeightsShiftPredictionsTowardTheHeavyClass) {
  Dataset data = xor_dataset();
  auto positives = [&](std::vector<float> weights) {
    Model model = mlp("dense:2,softmax", 2, 1);  // linear: cannot solve XOR, must compromise
    TrainOptions o = options(30, 1);
    o.class_weights = std::move(weights);
    train_model(model, data, nullptr, o, nullptr);
    std::vector<int> predicted;
    argmax_rows(model.predict(data.features), &predicted, nullptr);
    return std::count(predicted.begin(), predicted.end(), 1);
  };
  EXPECT_GT(positives({1.0f, 5.0f}), 350);
  EXPECT_LT(positives({5.0f, 1.0f}), 50);
}

TEST(Trainer, GradientClippingBoundsTheStep) {
  Dataset data = xor_dataset();
  Model clipped = mlp("dense:2,softmax", 2, 1);
  Model reference = mlp("dense:2,softmax", 2, 1);
  TrainOptions o = options(1, 1);
  o.optimizer.kind = OptimizerKind::kSgd;
  o.batch_size = 400;
  o.learning_rate = 1.0f;
  o.clip_norm = 1e-3f;
  train_model(clipped, data, nullptr, o, nullptr);
  Eigen::VectorXf before = reference.params()[0]->value;
  Eigen::VectorXf moved = clipped.params()[0]->value - before;
  Eigen::VectorXf bias_moved = clipped.params()[1]->value - reference.params()[1]->value;
  double norm = std::sqrt(moved.squaredNorm() + bias_moved.squaredNorm());
  EXPECT_NEAR(norm, 1e-3, 1e-6);
}

TEST(Trainer, RejectsAHeadThatDoesNotFitTheLoss) {
  Dataset data = xor_dataset();
  Model no_softmax = mlp("dense:2", 2, 1);
  EXPECT_THROW(train_model(no_softmax, data, nullptr, options(1, 1), nullptr), Error);
  Model three_classes = mlp("dense:3,softmax", 2, 1);
  EXPECT_THROW(train_model(three_classes, data, nullptr, options(1, 1), nullptr), Error);
}

}  // namespace
}  // namespace tinymlops

namespace tinymlops {
namespace {

// With alpha 0 the student learns the teacher, not the labels: here the labels
// are the XOR task flipped, and the student still agrees with the XOR teacher.
TEST(TrainerDistillation, AlphaZeroFollowsTheTeacherNotTheLabels) {
  Dataset data = xor_dataset();
  Model teacher = mlp("dense:16:relu,dense:2,softmax", 2, 1);
  train_model(teacher, data, nullptr, options(150, 1), nullptr);
  ASSERT_GT(classification_metrics(data.classes, teacher.predict(data.features)).accuracy, 0.9);

  Dataset flipped = data;
  for (int& c : flipped.classes) c = 1 - c;
  Model student = mlp("dense:16:relu,dense:2,softmax", 2, 2);
  TrainOptions o = options(150, 2);
  o.distill.teacher = &teacher;
  o.distill.alpha = 0;
  o.distill.temperature = 2;
  train_model(student, flipped, nullptr, o, nullptr);
  EXPECT_GT(classification_metrics(data.classes, student.predict(data.features)).accuracy, 0.9);

  o.distill.alpha = 1;  // labels only: the student learns the flipped task
  Model labels_only = mlp("dense:16:relu,dense:2,softmax", 2, 2);
  train_model(labels_only, flipped, nullptr, o, nullptr);
  EXPECT_LT(classification_metrics(data.classes, labels_only.predict(data.features)).accuracy, 0.1);
}

TEST(TrainerDistillation, TeacherOfAnotherWidthIsRefused) {
  Dataset data = xor_dataset();
  Model teacher = mlp("dense:3,softmax", 2, 1);
  Model student = mlp("dense:2,softmax", 2, 2);
  TrainOptions o = options(1, 2);
  o.distill.teacher = &teacher;
  EXPECT_THROW(train_model(student, data, nullptr, o, nullptr), Error);
}

}  // namespace
}  // namespace tinymlops

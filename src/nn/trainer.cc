#include "tinymlops/nn/trainer.h"

#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"
#include "tinymlops/nn/metrics.h"

namespace tinymlops {

namespace {

// Index of the first layer NOT run before the loss: the final softmax/sigmoid is
// fused into the cross-entropy losses, which take logits.
size_t loss_input_end(const Model& model, LossKind loss) {
  return loss_is_classification(loss) ? model.num_layers() - 1 : model.num_layers();
}

void check_head(const Model& model, const Dataset& data, LossKind loss) {
  const std::string name = loss_name(loss);
  const bool classification = data.task == Task::kClassification;
  if (loss_is_classification(loss) != classification) {
    throw Error(ErrorKind::kUsage, "", "loss '" + name + "' does not fit a " + task_name(data.task) +
                                           " task");
  }
  const int64_t outputs = model.output_shape().size();
  if (!classification) {
    if (outputs != 1) {
      throw Error(ErrorKind::kUsage, "", "a regression model needs 1 output unit, this one has " +
                                             std::to_string(outputs));
    }
    return;
  }
  const auto* head = model.num_layers() ? dynamic_cast<const Activation*>(&model.layer(model.num_layers() - 1))
                                        : nullptr;
  const int classes = static_cast<int>(data.class_names.size());
  if (loss == LossKind::kCrossEntropy) {
    if (!head || head->function() != ActivationKind::kSoftmax || outputs != classes) {
      throw Error(ErrorKind::kUsage, "",
                  "cross_entropy needs a final softmax layer with " + std::to_string(classes) +
                      " units (one per class); the model ends with " + std::to_string(outputs) + " outputs");
    }
  } else if (!head || head->function() != ActivationKind::kSigmoid || outputs != 1 || classes != 2) {
    throw Error(ErrorKind::kUsage, "", "bce needs 2 classes and a final sigmoid layer with 1 unit");
  }
}

// Gathers the rows `indices[begin, end)` of `data` (normalized) into x and targets.
void gather_batch(const Matrix& features, const Dataset& data, const std::vector<size_t>& indices,
                  size_t begin, size_t end, const std::vector<float>& class_weights, Matrix* x,
                  BatchTargets* targets, const Matrix* teacher = nullptr) {
  const Eigen::Index rows = static_cast<Eigen::Index>(end - begin);
  x->resize(rows, features.cols());
  if (teacher) {
    targets->teacher.resize(rows, teacher->cols());
    for (size_t i = begin; i < end; ++i) {
      targets->teacher.row(static_cast<Eigen::Index>(i - begin)) = teacher->row(static_cast<Eigen::Index>(indices[i]));
    }
  }
  const bool classification = data.task == Task::kClassification;
  targets->classes.resize(classification ? end - begin : 0);
  targets->values.resize(classification ? 0 : rows, 1);
  targets->weights.resize(class_weights.empty() ? 0 : rows);
  for (size_t i = begin; i < end; ++i) {
    const Eigen::Index r = static_cast<Eigen::Index>(i - begin);
    const Eigen::Index source = static_cast<Eigen::Index>(indices[i]);
    x->row(r) = features.row(source);
    if (classification) {
      int c = data.classes[indices[i]];
      targets->classes[i - begin] = c;
      if (!class_weights.empty()) targets->weights[r] = class_weights[static_cast<size_t>(c)];
    } else {
      targets->values(r, 0) = data.values[source];
    }
  }
}

void clip_gradients(const std::vector<Param*>& params, float clip_norm) {
  double squared = 0;
  for (const Param* p : params) {
    if (p->trainable) squared += p->grad.squaredNorm();
  }
  const double norm = std::sqrt(squared);
  if (norm <= clip_norm) return;
  const float scale = static_cast<float>(clip_norm / norm);
  for (Param* p : params) {
    if (p->trainable) p->grad *= scale;
  }
}

std::vector<Eigen::VectorXf> snapshot(const std::vector<Param*>& params) {
  std::vector<Eigen::VectorXf> values;
  for (const Param* p : params) values.push_back(p->value);
  return values;
}

std::vector<size_t> all_rows(size_t n) {
  std::vector<size_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  return rows;
}

// True when `value` improves on `best` by more than min_delta in the monitor's direction.
bool improves(double value, double best, bool higher_is_better, double min_delta) {
  if (std::isnan(best)) return true;
  return higher_is_better ? value > best + min_delta : value < best - min_delta;
}

}  // namespace

Evaluation evaluate_loss(Model& model, const Dataset& data, LossKind loss) {
  Matrix features = data.features;
  model.metadata.normalization.apply(features);
  const size_t end = loss_input_end(model, loss);
  std::vector<Matrix> activations;
  model.forward(features, ForwardContext{}, end, &activations);
  BatchTargets targets;
  Matrix x;
  gather_batch(features, data, all_rows(data.size()), 0, data.size(), {}, &x, &targets);
  Evaluation result;
  result.loss = compute_loss(loss, activations.back(), targets, nullptr);
  if (data.task == Task::kClassification) {
    // Arg-max of the logits is the arg-max of the probabilities.
    const Matrix& logits = activations.back();
    int64_t correct = 0;
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
      int predicted = 0;
      if (logits.cols() == 1) {
        predicted = logits(i, 0) >= 0 ? 1 : 0;
      } else {
        Eigen::Index index;
        logits.row(i).maxCoeff(&index);
        predicted = static_cast<int>(index);
      }
      correct += predicted == data.classes[static_cast<size_t>(i)];
    }
    result.metric = static_cast<double>(correct) / static_cast<double>(data.size());
  } else {
    result.metric = regression_metrics(data.values, activations.back().col(0)).rmse;
  }
  return result;
}

TrainHistory train_model(Model& model, const Dataset& train, const Dataset* validation,
                         const TrainOptions& options, Progress* progress) {
  if (train.size() == 0) throw Error(ErrorKind::kInvalid, train.source, "no training rows");
  if (options.epochs < 1 || options.batch_size < 1) {
    throw Error(ErrorKind::kUsage, "", "epochs and batch size must be at least 1");
  }
  check_head(model, train, options.loss);
  if (!options.class_weights.empty() && options.class_weights.size() != train.class_names.size()) {
    throw Error(ErrorKind::kUsage, "", "class weights: " + std::to_string(options.class_weights.size()) +
                                           " given for " + std::to_string(train.class_names.size()) + " classes");
  }

  Matrix features = train.features;
  model.metadata.normalization.apply(features);
  // Distillation: the teacher's logits (or outputs) for every training row, once.
  Matrix teacher_outputs;
  const DistillOptions& distill = options.distill;
  if (distill.teacher) {
    if (options.loss == LossKind::kBinaryCrossEntropy) {
      throw Error(ErrorKind::kUsage, "--teacher", "distillation needs the cross_entropy or a regression loss");
    }
    if (!(distill.alpha >= 0 && distill.alpha <= 1) || !(distill.temperature > 0)) {
      throw Error(ErrorKind::kUsage, "--teacher", "distillation needs 0 <= alpha <= 1 and temperature > 0");
    }
    Matrix teacher_input = train.features;
    distill.teacher->metadata.normalization.apply(teacher_input);
    std::vector<Matrix> teacher_activations;
    distill.teacher->forward(teacher_input, ForwardContext{}, loss_input_end(*distill.teacher, options.loss),
                             &teacher_activations);
    teacher_outputs = std::move(teacher_activations.back());
    if (teacher_outputs.cols() != model.output_shape().size()) {
      throw Error(ErrorKind::kInvalid, "--teacher",
                  "the teacher has " + std::to_string(teacher_outputs.cols()) + " outputs, the student " +
                      std::to_string(model.output_shape().size()));
    }
  }

  Rng shuffle_rng(options.seed ^ 0x5348554646ULL);  // "SHUFF"
  Rng dropout_rng(options.seed ^ 0x44524f50ULL);    // "DROP"
  std::unique_ptr<Optimizer> optimizer = Optimizer::create(options.optimizer);
  std::vector<Param*> params = model.params();
  const size_t end = loss_input_end(model, options.loss);
  const size_t n = train.size();
  const size_t batch = static_cast<size_t>(options.batch_size);
  const long steps_per_epoch = static_cast<long>((n + batch - 1) / batch);
  const long total_steps = steps_per_epoch * options.epochs;

  TrainHistory history;
  history.metric_name = train.task == Task::kClassification ? "accuracy" : "rmse";
  const bool metric_higher_is_better = train.task == Task::kClassification;
  const EarlyStopping& stopping = options.early_stopping;
  const bool monitor_metric = stopping.monitor == Monitor::kValidationMetric;
  double best = std::numeric_limits<double>::quiet_NaN();
  std::vector<Eigen::VectorXf> best_values;
  int epochs_without_improvement = 0;

  std::vector<size_t> order = all_rows(n);
  std::vector<Matrix> activations;
  std::vector<Matrix> grads(2);
  Matrix x;
  BatchTargets targets;
  ForwardContext training{true, &dropout_rng, &options.after_layer};
  long step = 0;

  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    shuffle_rng.shuffle(order);
    double loss_sum = 0;
    EpochRecord record;
    record.epoch = epoch + 1;
    for (size_t begin = 0; begin < n; begin += batch, ++step) {
      const size_t stop = std::min(n, begin + batch);
      gather_batch(features, train, order, begin, stop, options.class_weights, &x, &targets,
                   distill.teacher ? &teacher_outputs : nullptr);
      targets.temperature = distill.temperature;
      targets.alpha = distill.alpha;
      if (options.before_forward) options.before_forward();
      model.forward(x, training, end, &activations);
      loss_sum += compute_loss(options.loss, activations.back(), targets, &grads[0]);
      for (Param* p : params) p->grad.setZero();
      for (size_t i = end; i-- > 0;) {
        Matrix* grad_input = i > 0 ? &grads[1] : nullptr;
        model.layer(i).backward(activations[i], activations[i + 1], grads[0], grad_input);
        if (grad_input) std::swap(grads[0], grads[1]);
      }
      if (options.before_update) options.before_update();
      if (options.clip_norm > 0) clip_gradients(params, options.clip_norm);
      record.learning_rate =
          scheduled_learning_rate(options.schedule, options.learning_rate, step, total_steps, epoch);
      optimizer->step(params, record.learning_rate);
      if (options.after_step) options.after_step(step, total_steps);
      if (progress) {
        const long done = static_cast<long>(begin / batch) + 1;
        progress->update(done, steps_per_epoch, "epoch " + std::to_string(epoch + 1),
                         {{"loss", loss_sum / static_cast<double>(done)}});
      }
    }
    record.train_loss = loss_sum / static_cast<double>(steps_per_epoch);
    ProgressFields fields = {{"epoch", epoch + 1}, {"loss", record.train_loss}};
    if (validation && validation->size() > 0) {
      Evaluation v = evaluate_loss(model, *validation, options.loss);
      record.validation_loss = v.loss;
      record.validation_metric = v.metric;
      fields.push_back({"val_loss", v.loss});
      fields.push_back({"val_" + history.metric_name, v.metric});
    }
    fields.push_back({"lr", record.learning_rate});
    history.epochs.push_back(record);
    if (progress) progress->event("epoch", fields);

    if (!validation || validation->size() == 0) continue;
    const double value = monitor_metric ? record.validation_metric : record.validation_loss;
    const bool higher_is_better = monitor_metric && metric_higher_is_better;
    if (improves(value, best, higher_is_better, stopping.min_delta)) {
      best = value;
      history.best_epoch = epoch + 1;
      epochs_without_improvement = 0;
      if (stopping.patience > 0 && stopping.restore_best) best_values = snapshot(params);
    } else if (stopping.patience > 0 && ++epochs_without_improvement >= stopping.patience) {
      history.stopped_early = true;
      break;
    }
  }
  if (!best_values.empty()) {
    for (size_t i = 0; i < params.size(); ++i) params[i]->value = best_values[i];
  } else {
    history.best_epoch = static_cast<int>(history.epochs.size());
  }
  return history;
}

}  // namespace tinymlops

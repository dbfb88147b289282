// The .tdm file (docs/formats/deploy-model.md): the core container with JSON
// metadata (tensors, ops, model metadata) and the constants' bytes, each
// starting at a multiple of 4.
#include <algorithm>

#include "tinymlops/core/container.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

namespace {

constexpr ContainerKind kDeployContainer = {"TMLDEPLY", "deploy model", kDeployFormatVersion};

DType parse_dtype(const std::string& name) {
  for (int d = 0; d <= static_cast<int>(DType::kInt64); ++d) {
    if (name == dtype_name(static_cast<DType>(d))) return static_cast<DType>(d);
  }
  throw Error(ErrorKind::kFormat, "", "unknown dtype '" + name + "'");
}

OpKind parse_op_kind(const std::string& name) {
  for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
    if (name == op_kind_name(static_cast<OpKind>(i))) return static_cast<OpKind>(i);
  }
  throw Error(ErrorKind::kFormat, "", "unknown op '" + name + "'");
}

DeployActivation parse_deploy_activation(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(DeployActivation::kSwish); ++i) {
    if (name == deploy_activation_name(static_cast<DeployActivation>(i))) return static_cast<DeployActivation>(i);
  }
  throw Error(ErrorKind::kFormat, "", "unknown activation '" + name + "'");
}

}  // namespace

std::string serialize_deploy_model(const DeployModel& model) {
  std::string data;
  nlohmann::json tensors = nlohmann::json::array();
  for (const DeployTensor& t : model.tensors) {
    nlohmann::json entry = {{"name", t.name},
                            {"dtype", dtype_name(t.dtype)},
                            {"shape", t.shape},
                            {"scales", t.scales},
                            {"zero_point", t.zero_point}};
    if (t.is_constant()) {
      while (data.size() % 4) data.push_back('\0');
      entry["offset"] = data.size();
      entry["bytes"] = t.data.size();
      data += t.data;
    }
    tensors.push_back(entry);
  }
  nlohmann::json ops = nlohmann::json::array();
  for (const DeployOp& op : model.ops) {
    ops.push_back({{"kind", op_kind_name(op.kind)},
                   {"inputs", op.inputs},
                   {"output", op.output},
                   {"kernel", {op.kernel_h, op.kernel_w}},
                   {"stride", {op.stride_h, op.stride_w}},
                   {"pad", {op.pad_top, op.pad_left}},
                   {"activation", deploy_activation_name(op.activation)},
                   {"alpha", op.alpha}});
  }
  nlohmann::json norm = {{"kind", normalization_name(model.metadata.normalization.kind)},
                         {"offset", std::vector<float>(model.metadata.normalization.offset.begin(), model.metadata.normalization.offset.end())},
                         {"scale", std::vector<float>(model.metadata.normalization.scale.begin(), model.metadata.normalization.scale.end())}};
  nlohmann::json meta = {{"format", "tinymlops-deploy-model"},
                         {"variant", model.variant},
                         {"tensors", tensors},
                         {"ops", ops},
                         {"input", model.input},
                         {"output", model.output},
                         {"task", task_name(model.metadata.task)},
                         {"feature_names", model.metadata.feature_names},
                         {"label_name", model.metadata.label_name},
                         {"class_names", model.metadata.class_names},
                         {"normalization", norm},
                         {"window", {{"size", model.metadata.window.window}, {"stride", model.metadata.window.stride}}},
                         {"provenance", model.metadata.provenance}};
  const ContainerKind kind = {kDeployContainer.magic, kDeployContainer.noun, deploy_format_version(model)};
  return pack_container(kind, meta.dump(), data);
}

DeployModel parse_deploy_model(std::string_view bytes, const std::string& source) {
  const ContainerSections sections = unpack_container(bytes, kDeployContainer, source);
  DeployModel model;
  try {
    const nlohmann::json meta = nlohmann::json::parse(sections.meta);
    if (meta.at("format") != "tinymlops-deploy-model") {
      throw Error(ErrorKind::kFormat, source, "metadata is not a tinymlops deploy model");
    }
    model.variant = meta.at("variant").get<std::string>();
    for (const nlohmann::json& entry : meta.at("tensors")) {
      DeployTensor t;
      t.name = entry.at("name").get<std::string>();
      t.dtype = parse_dtype(entry.at("dtype").get<std::string>());
      t.shape = entry.at("shape").get<std::vector<int>>();
      t.scales = entry.at("scales").get<std::vector<float>>();
      t.zero_point = entry.at("zero_point").get<int32_t>();
      if (entry.contains("offset")) {
        const uint64_t offset = entry.at("offset").get<uint64_t>();
        const uint64_t size = entry.at("bytes").get<uint64_t>();
        if (offset > sections.data.size() || size > sections.data.size() - offset || size == 0) {
          throw Error(ErrorKind::kFormat, source, "tensor '" + t.name + "' lies outside the data section");
        }
        t.data = std::string(sections.data.substr(offset, size));
      }
      model.tensors.push_back(std::move(t));
    }
    for (const nlohmann::json& entry : meta.at("ops")) {
      DeployOp op;
      op.kind = parse_op_kind(entry.at("kind").get<std::string>());
      op.inputs = entry.at("inputs").get<std::vector<int>>();
      op.output = entry.at("output").get<int>();
      op.kernel_h = entry.at("kernel").at(0).get<int>();
      op.kernel_w = entry.at("kernel").at(1).get<int>();
      op.stride_h = entry.at("stride").at(0).get<int>();
      op.stride_w = entry.at("stride").at(1).get<int>();
      op.pad_top = entry.at("pad").at(0).get<int>();
      op.pad_left = entry.at("pad").at(1).get<int>();
      op.activation = parse_deploy_activation(entry.at("activation").get<std::string>());
      op.alpha = entry.at("alpha").get<float>();
      model.ops.push_back(op);
    }
    if (deploy_format_version(model) > sections.version) {
      throw Error(ErrorKind::kFormat, source,
                  "int16/int64 tensors need format version 2, compressed convolution weights 3; the file says " +
                      std::to_string(sections.version));
    }
    model.input = meta.at("input").get<int>();
    model.output = meta.at("output").get<int>();
    model.metadata.task = parse_task(meta.at("task").get<std::string>());
    model.metadata.feature_names = meta.at("feature_names").get<std::vector<std::string>>();
    model.metadata.label_name = meta.at("label_name").get<std::string>();
    model.metadata.class_names = meta.at("class_names").get<std::vector<std::string>>();
    const nlohmann::json& norm = meta.at("normalization");
    model.metadata.normalization.kind = parse_normalization(norm.at("kind").get<std::string>());
    std::vector<float> offset = norm.at("offset").get<std::vector<float>>();
    std::vector<float> scale = norm.at("scale").get<std::vector<float>>();
    model.metadata.normalization.offset = Eigen::Map<Eigen::VectorXf>(offset.data(), static_cast<Eigen::Index>(offset.size()));
    model.metadata.normalization.scale = Eigen::Map<Eigen::VectorXf>(scale.data(), static_cast<Eigen::Index>(scale.size()));
    model.metadata.window.window = meta.at("window").at("size").get<int>();
    model.metadata.window.stride = meta.at("window").at("stride").get<int>();
    model.metadata.provenance = meta.at("provenance");
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, source, std::string("bad metadata: ") + e.what());
  } catch (const Error& e) {
    if (!e.location().empty()) throw;
    throw Error(ErrorKind::kFormat, source, e.message());
  }
  if (model.metadata.normalization.kind != NormalizationKind::kNone &&
      (model.metadata.normalization.offset.size() != model.input_size() || model.metadata.normalization.scale.size() != model.input_size())) {
    throw Error(ErrorKind::kFormat, source, "normalization does not match the input size");
  }
  try {
    model.validate(source);
  } catch (const Error& e) {
    throw Error(ErrorKind::kFormat, e.location(), e.message());
  }
  return model;
}

void save_deploy_model(const DeployModel& model, const std::filesystem::path& path) {
  write_file_atomic(path, serialize_deploy_model(model));
}

DeployModel load_deploy_model(const std::filesystem::path& path) {
  return parse_deploy_model(read_file(path), path.string());
}

}  // namespace tinymlops

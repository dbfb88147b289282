#include "tinymlops/nn/model_file.h"

#include <algorithm>
#include <cstring>

#include "tinymlops/core/container.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {

namespace {

constexpr ContainerKind kModelContainer = {"TMLMODEL", "model file", kModelFormatVersion};

static_assert(sizeof(float) == 4, "the tensor data is float32");

// Appends `values` to `data` as float32 LE and returns its JSON reference.
nlohmann::json put_tensor(std::string& data, const std::string& name, const std::vector<int>& shape,
                          const Eigen::VectorXf& values) {
  nlohmann::json ref = {{"name", name}, {"shape", shape}, {"offset", data.size()}, {"count", values.size()}};
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_le(data, bits);
  }
  return ref;
}

class Reader {
 public:
  Reader(std::string_view data, const std::string& source) : data_(data), source_(source) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorKind::kFormat, source_, message);
  }

  // Reads the tensor `ref` into `values`, checking it lies inside the data and
  // has `expected` values (when >= 0).
  void tensor(const nlohmann::json& ref, int64_t expected, Eigen::VectorXf* values) const {
    const uint64_t offset = ref.at("offset").get<uint64_t>();
    const uint64_t count = ref.at("count").get<uint64_t>();
    if (expected >= 0 && count != static_cast<uint64_t>(expected)) {
      fail("tensor '" + ref.at("name").get<std::string>() + "' has " + std::to_string(count) +
           " values, the layer needs " + std::to_string(expected));
    }
    if (offset % 4 != 0 || offset > data_.size() || count > (data_.size() - offset) / 4) {
      fail("tensor '" + ref.at("name").get<std::string>() + "' lies outside the tensor data");
    }
    values->resize(static_cast<Eigen::Index>(count));
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t bits = get_le<uint32_t>(data_, offset + 4 * i);
      std::memcpy(&(*values)[static_cast<Eigen::Index>(i)], &bits, 4);
    }
  }

 private:
  std::string_view data_;
  const std::string& source_;
};

}  // namespace

std::string serialize_model(Model& model) {
  std::string data;
  nlohmann::json meta;
  meta["format"] = "tinymlops-model";
  meta["input_shape"] = model.input_shape().dims;
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Layer& layer = model.layer(i);
    nlohmann::json entry = {{"kind", layer_kind_name(layer.kind())}, {"config", layer.config()}};
    nlohmann::json tensors = nlohmann::json::array();
    for (Param* p : layer.params()) tensors.push_back(put_tensor(data, p->name, p->shape, p->value));
    entry["tensors"] = tensors;
    layers.push_back(entry);
  }
  meta["layers"] = layers;
  const ModelMetadata& m = model.metadata;
  meta["task"] = task_name(m.task);
  meta["feature_names"] = m.feature_names;
  meta["label_name"] = m.label_name;
  meta["class_names"] = m.class_names;
  nlohmann::json norm = {{"kind", normalization_name(m.normalization.kind)}};
  if (m.normalization.kind != NormalizationKind::kNone) {
    const std::vector<int> shape = {static_cast<int>(m.normalization.offset.size())};
    norm["offset"] = put_tensor(data, "normalization.offset", shape, m.normalization.offset);
    norm["scale"] = put_tensor(data, "normalization.scale", shape, m.normalization.scale);
  }
  meta["normalization"] = norm;
  meta["window"] = {{"size", m.window.window}, {"stride", m.window.stride}};
  meta["provenance"] = m.provenance;

  return pack_container(kModelContainer, meta.dump(), data);
}

Model parse_model(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& message) -> void { throw Error(ErrorKind::kFormat, source, message); };
  const ContainerSections sections = unpack_container(bytes, kModelContainer, source);
  Reader tensors(sections.data, source);
  try {
    const nlohmann::json meta = nlohmann::json::parse(sections.meta);
    if (meta.at("format") != "tinymlops-model") fail("metadata is not a tinymlops model");
    Shape input{meta.at("input_shape").get<std::vector<int>>()};
    Model model(input);
    const nlohmann::json& layers = meta.at("layers");
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string where = source + ": layers[" + std::to_string(i) + "]";
      LayerKind kind = parse_layer_kind(layers[i].at("kind").get<std::string>(), where);
      model.add(make_layer(kind, layers[i].at("config"), where));
    }
    model.build(Initializer::kGlorotUniform, 0);
    for (size_t i = 0; i < layers.size(); ++i) {
      std::vector<Param*> params = model.layer(i).params();
      const nlohmann::json& refs = layers[i].at("tensors");
      if (refs.size() != params.size()) fail("layers[" + std::to_string(i) + "] has the wrong number of tensors");
      for (size_t j = 0; j < params.size(); ++j) tensors.tensor(refs[j], params[j]->value.size(), &params[j]->value);
    }
    ModelMetadata& m = model.metadata;
    m.task = parse_task(meta.at("task").get<std::string>());
    m.feature_names = meta.at("feature_names").get<std::vector<std::string>>();
    m.label_name = meta.at("label_name").get<std::string>();
    m.class_names = meta.at("class_names").get<std::vector<std::string>>();
    const nlohmann::json& window = meta.at("window");
    m.window.window = window.at("size").get<int>();
    m.window.stride = window.at("stride").get<int>();
    if (m.window.window < 0 || m.window.stride < 1) fail("bad window size or stride");
    const int64_t inputs = static_cast<int64_t>(m.feature_names.size()) * std::max(m.window.window, 1);
    const nlohmann::json& norm = meta.at("normalization");
    m.normalization.kind = parse_normalization(norm.at("kind").get<std::string>());
    if (m.normalization.kind != NormalizationKind::kNone) {
      const int64_t features = inputs;
      tensors.tensor(norm.at("offset"), features, &m.normalization.offset);
      tensors.tensor(norm.at("scale"), features, &m.normalization.scale);
    }
    m.provenance = meta.at("provenance");
    if (input.size() != inputs) {
      fail("input shape " + input.to_string() + " does not match " + std::to_string(m.feature_names.size()) +
           " feature names with window " + std::to_string(m.window.window));
    }
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, source, std::string("bad metadata: ") + e.what());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kFormat) throw;
    throw Error(ErrorKind::kFormat, e.location().empty() ? source : e.location(), e.message());
  }
}

void save_model(Model& model, const std::filesystem::path& path) {
  write_file_atomic(path, serialize_model(model));
}

Model load_model(const std::filesystem::path& path) {
  return parse_model(read_file(path), path.string());
}

}  // namespace tinymlops

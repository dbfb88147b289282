"""Builds the interop tests' input models with Debian's Python packages.

    make_models.py torch OUTDIR     PyTorch MLP and CNN via torch.onnx.export
    make_models.py ops OUTDIR       single-op graphs with onnx.helper
    make_models.py keras OUTDIR     Keras 3 .keras and Keras 2 .h5 files via h5py
    make_models.py cli OUTDIR       a trained PyTorch MLP and its data CSV

Each model NAME.onnx / NAME.keras / NAME.h5 comes with NAME.json:
{"x": rows of inputs (flattened as the tinymlops model reads them), "y": rows of
the reference outputs}. Exit status 3 when a needed module is missing.
"""
import json
import os
import sys

import numpy as np


def need(module):
    try:
        return __import__(module)
    except ImportError:
        print(f"missing python module {module}", file=sys.stderr)
        sys.exit(3)


def save_ref(path, x, y):
    with open(path, "w") as f:
        json.dump({"x": np.asarray(x, dtype=np.float64).tolist(), "y": np.asarray(y, dtype=np.float64).tolist()}, f)


def torch_models(out):
    torch = need("torch")
    need("onnx")
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.Tanh(),
                              torch.nn.Dropout(0.2), torch.nn.Linear(8, 3), torch.nn.Softmax(dim=1)).eval()
    x = torch.randn(20, 6)
    torch.onnx.export(mlp, x[:1], f"{out}/mlp.onnx", input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
    save_ref(f"{out}/mlp.json", x.numpy(), mlp(x).detach().numpy())

    # A small CNN over 3-channel 8x8 images: NCHW in PyTorch, channels-last in tinymlops.
    cnn = torch.nn.Sequential(
        torch.nn.Conv2d(3, 6, 3, padding=1), torch.nn.BatchNorm2d(6), torch.nn.ReLU(),
        torch.nn.Conv2d(6, 6, 3, padding=1, groups=6), torch.nn.ReLU6(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 4, 3), torch.nn.Sigmoid(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(4, 5), torch.nn.LeakyReLU(0.1), torch.nn.Linear(5, 3)).eval()
    with torch.no_grad():  # non-trivial batch-norm statistics
        cnn[1].running_mean.uniform_(-0.5, 0.5)
        cnn[1].running_var.uniform_(0.5, 2.0)
    x = torch.randn(10, 3, 8, 8)
    torch.onnx.export(cnn, x[:1], f"{out}/cnn.onnx", input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
    save_ref(f"{out}/cnn.json", x.permute(0, 2, 3, 1).reshape(10, -1).numpy(), cnn(x).detach().numpy())

    # A CNN whose flattened features feed a Linear directly (the Gemm weights are permuted on import),
    # with GlobalAveragePool in a second branch-free model.
    flat = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, stride=2, padding=1), torch.nn.SiLU(), torch.nn.Flatten(),
                               torch.nn.Linear(3 * 3 * 3, 4)).eval()
    x = torch.randn(7, 2, 5, 5)
    torch.onnx.export(flat, x[:1], f"{out}/flat.onnx", input_names=["x"], output_names=["y"])
    save_ref(f"{out}/flat.json", x.permute(0, 2, 3, 1).reshape(7, -1).numpy(), flat(x).detach().numpy())

    seq = torch.nn.Sequential(torch.nn.Conv1d(2, 4, 3), torch.nn.ELU(), torch.nn.MaxPool1d(2),
                              torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(), torch.nn.Linear(4, 2)).eval()
    x = torch.randn(5, 2, 12)
    torch.onnx.export(seq, x[:1], f"{out}/seq.onnx", input_names=["x"], output_names=["y"])
    save_ref(f"{out}/seq.json", x.permute(0, 2, 1).reshape(5, -1).numpy(), seq(x).detach().numpy())


def helper_graph(out, name, nodes, inits, in_shape, out_size, opset=13, inputs_x=None, ref=None):
    onnx = need("onnx")
    from onnx import helper, numpy_helper, TensorProto
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"] + in_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", out_size])],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7 if opset <= 15 else 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{out}/{name}.onnx")
    if ref is not None:
        save_ref(f"{out}/{name}.json", inputs_x, ref)


def op_models(out):
    need("onnx")
    from onnx import helper
    rng = np.random.default_rng(1)
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)

    # Gemm with alpha, beta and an untransposed B, then Relu.
    x = f32(4, 5); b = f32(5, 3); c = f32(3)
    helper_graph(out, "gemm", [helper.make_node("Gemm", ["x", "B", "C"], ["g"], alpha=0.5, beta=2.0),
                               helper.make_node("Relu", ["g"], ["y"])],
                 {"B": b, "C": c}, [5], 3, inputs_x=x, ref=np.maximum(0.5 * x @ b + 2.0 * c, 0))

    # MatMul + Add, Clip(0, 6) in opset 9 (attributes), Softmax (opset 9 axis 1).
    w = f32(5, 4) * 3; bias = f32(4)
    h = np.clip(x @ w + bias, 0, 6)
    e = np.exp(h - h.max(1, keepdims=True))
    helper_graph(out, "matmul_add", [helper.make_node("MatMul", ["x", "W"], ["m"]),
                                     helper.make_node("Add", ["m", "b"], ["a"]),
                                     helper.make_node("Clip", ["a"], ["c"], min=0.0, max=6.0),
                                     helper.make_node("Softmax", ["c"], ["y"])],
                 {"W": w, "b": bias}, [5], 4, opset=9, inputs_x=x, ref=e / e.sum(1, keepdims=True))

    # Input normalization (Sub, Div), BatchNormalization on features, Sigmoid.
    mean = f32(5); std = np.abs(f32(5)) + 0.5
    scale = f32(5); beta = f32(5); rm = f32(5); rv = np.abs(f32(5)) + 0.1
    n = (x - mean) / std
    bn = scale * (n - rm) / np.sqrt(rv + 1e-3) + beta
    helper_graph(out, "normalize_bn", [helper.make_node("Sub", ["x", "mean"], ["s"]),
                                       helper.make_node("Div", ["s", "std"], ["d"]),
                                       helper.make_node("BatchNormalization", ["d", "scale", "beta", "rm", "rv"], ["b"],
                                                        epsilon=1e-3),
                                       helper.make_node("Sigmoid", ["b"], ["y"])],
                 {"mean": mean, "std": std, "scale": scale, "beta": beta, "rm": rm, "rv": rv}, [5], 5,
                 inputs_x=x, ref=1 / (1 + np.exp(-bn)))

    # tf2onnx style: NHWC input, Transpose to NCHW, Conv with SAME_UPPER, GlobalAveragePool, Reshape, MatMul.
    img = f32(3, 4, 4, 2); k = f32(3, 2, 3, 3); kb = f32(3); w2 = f32(3, 2)
    xp = np.pad(img.transpose(0, 3, 1, 2), ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((3, 3, 4, 4), np.float32)
    for i in range(4):
        for j in range(4):
            conv[:, :, i, j] = np.einsum("nchw,fchw->nf", xp[:, :, i:i + 3, j:j + 3], k) + kb
    gap = np.tanh(conv).mean((2, 3))
    helper_graph(out, "nhwc_conv", [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
                                    helper.make_node("Conv", ["t", "K", "Kb"], ["c"], auto_pad="SAME_UPPER"),
                                    helper.make_node("Tanh", ["c"], ["a"]),
                                    helper.make_node("GlobalAveragePool", ["a"], ["g"]),
                                    helper.make_node("Reshape", ["g", "shape"], ["r"]),
                                    helper.make_node("MatMul", ["r", "W"], ["y"])],
                 {"K": k, "Kb": kb, "shape": np.array([-1, 3], np.int64), "W": w2}, [4, 4, 2], 2,
                 inputs_x=img.reshape(3, -1), ref=gap @ w2)

    # QDQ weights: DequantizeLinear per axis folded into a Gemm.
    q = rng.integers(-127, 128, (3, 5)).astype(np.int8); qs = np.array([0.01, 0.02, 0.03], np.float32)
    helper_graph(out, "qdq_weights", [helper.make_node("DequantizeLinear", ["Wq", "Ws", "Wz"], ["W"], axis=0),
                                      helper.make_node("Gemm", ["x", "W"], ["y"], transB=1)],
                 {"Wq": q, "Ws": qs, "Wz": np.zeros(3, np.int8)}, [5], 3, inputs_x=x,
                 ref=x @ (q.astype(np.float32) * qs[:, None]).T)

    # Errors: an unsupported op, an unsupported attribute, an unsupported opset.
    helper_graph(out, "bad_op", [helper.make_node("Gemm", ["x", "B"], ["g"]),
                                 helper.make_node("Erf", ["g"], ["y"], name="erf_1")], {"B": b}, [5], 3)
    helper_graph(out, "bad_dilation", [helper.make_node("Conv", ["x", "K"], ["c"], name="dilated", dilations=[2, 2]),
                                       helper.make_node("Flatten", ["c"], ["y"])],
                 {"K": f32(1, 2, 3, 3)}, [2, 8, 8], 16)
    helper_graph(out, "bad_opset", [helper.make_node("Relu", ["x"], ["y"])], {}, [5], 5, opset=17)
    with open(f"{out}/bad_opset.onnx", "rb") as f:
        m = need("onnx").load_model_from_string(f.read())
    m.opset_import[0].version = 18
    need("onnx").save(m, f"{out}/bad_opset.onnx")


def keras_models(out):
    h5py = need("h5py")
    import zipfile
    rng = np.random.default_rng(2)
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)

    # A CNN: Conv2D(relu, same) -> BatchNormalization -> MaxPooling2D -> DepthwiseConv2D -> Flatten -> Dropout
    # -> Dense(softmax). Keras is channels-last: inputs flatten as (H, W, C).
    x = f32(6, 6, 6, 2)
    k1 = f32(3, 3, 2, 4); b1 = f32(4)
    gamma = f32(4); beta = f32(4); mean = f32(4); var = np.abs(f32(4)) + 0.2
    dk = f32(3, 3, 4, 1); db = f32(4)
    kd = f32(2 * 2 * 4, 3); bd = f32(3)

    def conv_same(a, k, b):
        n, hh, ww, c = a.shape
        kh, kw = k.shape[:2]
        p = np.pad(a, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
        o = np.zeros((n, hh, ww, k.shape[3]), np.float32)
        for i in range(hh):
            for j in range(ww):
                o[:, i, j, :] = np.einsum("nhwc,hwcf->nf", p[:, i:i + kh, j:j + kw, :], k)
        return o + b

    h = np.maximum(conv_same(x, k1, b1), 0)
    h = gamma * (h - mean) / np.sqrt(var + 1e-3) + beta
    h = h.reshape(6, 3, 2, 3, 2, 4).max((2, 4))
    d = np.zeros((6, 1, 1, 4), np.float32)  # depthwise 3x3 valid on 3x3 -> 1x1
    d[:, 0, 0, :] = np.einsum("nhwc,hwc->nc", h, dk[:, :, :, 0]) + db
    h = np.tanh(d)
    kd = f32(4, 3)
    z = h.reshape(6, -1) @ kd + bd
    e = np.exp(z - z.max(1, keepdims=True)); y = e / e.sum(1, keepdims=True)

    layers = [
        ("InputLayer", "input_layer", {"batch_shape": [None, 6, 6, 2]}, []),
        ("Conv2D", "conv2d", {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
                              "activation": "relu", "use_bias": True, "data_format": "channels_last",
                              "dilation_rate": [1, 1], "groups": 1}, [k1, b1]),
        ("BatchNormalization", "batch_normalization", {"axis": -1, "momentum": 0.99, "epsilon": 0.001,
                                                       "center": True, "scale": True}, [gamma, beta, mean, var]),
        ("MaxPooling2D", "max_pooling2d", {"pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}, []),
        ("DepthwiseConv2D", "depthwise_conv2d", {"kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                                                 "depth_multiplier": 1, "activation": "tanh", "use_bias": True},
         [dk, db]),
        ("Flatten", "flatten", {}, []),
        ("Dropout", "dropout", {"rate": 0.25}, []),
        ("Dense", "dense", {"units": 3, "activation": "softmax", "use_bias": True}, [kd, bd]),
    ]
    xs = x.reshape(6, -1)

    # Keras 3: a zip with config.json and model.weights.h5 (layers/<name>/vars/<i>).
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "layers": [
        {"module": "keras.layers", "class_name": c, "config": dict(cfg, name=n), "registered_name": None}
        for c, n, cfg, _ in layers]}, "registered_name": None}
    with h5py.File(f"{out}/weights.h5", "w") as f:
        for _, n, _, ws in layers:
            g = f.create_group(f"layers/{n}/vars")
            for i, w in enumerate(ws):
                g.create_dataset(str(i), data=w)
        f.create_group("vars")
    with zipfile.ZipFile(f"{out}/cnn.keras", "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        z.writestr("config.json", json.dumps(config))
        z.write(f"{out}/weights.h5", "model.weights.h5")
    save_ref(f"{out}/cnn_keras.json", xs, y)

    # Keras 2 legacy .h5: model_config attribute, model_weights/<layer>/<layer>/<var>:0.
    x = f32(5, 4); w1 = f32(4, 8); c1 = f32(8); w2 = f32(8, 1); c2 = f32(1)
    h = x @ w1 + c1
    h = np.where(h > 0, h, 0.3 * h)
    y = 1 / (1 + np.exp(-(h @ w2 + c2)))
    cfg2 = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "input_1"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "linear", "use_bias": True}},
        {"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "alpha": 0.3}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 1, "activation": "sigmoid", "use_bias": True}},
    ]}}
    with h5py.File(f"{out}/mlp.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(cfg2).encode("utf8")
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([b"input_1", b"dense", b"leaky_re_lu", b"dense_1"])
        for name, ws in [("input_1", []), ("dense", [w1, c1]), ("leaky_re_lu", []), ("dense_1", [w2, c2])]:
            g = mw.create_group(name)
            names = [f"{name}/{v}:0".encode() for v in ["kernel", "bias"][:len(ws)]]
            g.attrs["weight_names"] = np.array(names, dtype="S") if names else np.array([], dtype="S1")
            for nm, w in zip(names, ws):
                g.create_dataset(nm.decode(), data=w)
    save_ref(f"{out}/mlp_h5.json", x, y)

    # A functional model: refused.
    with zipfile.ZipFile(f"{out}/functional.keras", "w") as z:
        z.writestr("config.json", json.dumps({"class_name": "Functional", "config": {"layers": []}}))
        z.write(f"{out}/weights.h5", "model.weights.h5")
    # An unsupported layer.
    bad = json.loads(json.dumps(config))
    bad["config"]["layers"].insert(2, {"class_name": "LSTM", "config": {"name": "lstm", "units": 4}})
    with zipfile.ZipFile(f"{out}/lstm.keras", "w") as z:
        z.writestr("config.json", json.dumps(bad))
        z.write(f"{out}/weights.h5", "model.weights.h5")


def cli_model(out):
    torch = need("torch")
    need("onnx")
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    n = 400
    x = torch.randn(n, 4, generator=g) * torch.tensor([1.0, 2.0, 0.5, 3.0]) + torch.tensor([0.0, 5.0, -1.0, 10.0])
    label = ((x[:, 0] + 0.5 * (x[:, 1] - 5.0) > 0).long() + (x[:, 3] > 11.0).long())
    mean, std = x.mean(0), x.std(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model((x - mean) / std), label)
        loss.backward()
        opt.step()

    class Deployed(torch.nn.Module):  # normalization inside the graph, softmax head
        def __init__(self):
            super().__init__()
            self.net = model

        def forward(self, v):
            return torch.softmax(self.net((v - mean) / std), dim=1)

    deployed = Deployed().eval()
    torch.onnx.export(deployed, x[:1], f"{out}/sensor.onnx", input_names=["x"], output_names=["p"],
                      dynamic_axes={"x": {0: "n"}, "p": {0: "n"}})
    names = ["low", "mid", "high"]
    with open(f"{out}/sensor.csv", "w") as f:
        f.write("a,b,c,d,kind\n")
        for row, k in zip(x.tolist(), label.tolist()):
            f.write(",".join(f"{v:.6f}" for v in row) + f",{names[k]}\n")
    accuracy = (deployed(x).argmax(1) == label).float().mean().item()
    with open(f"{out}/sensor_accuracy.txt", "w") as f:
        f.write(f"{accuracy}\n")


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    {"torch": torch_models, "ops": op_models, "keras": keras_models, "cli": cli_model}[sys.argv[1]](sys.argv[2])

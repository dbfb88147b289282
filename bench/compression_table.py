#!/usr/bin/python3
"""PyTorch side of the compression benchmark (see bench/README.md).

usage: /usr/bin/python3 bench/compression_table.py WORK_DIR

For each dataset directory written by compression_bench (weights.json with the
float model's Dense layers, train.csv and test.csv with normalized features and
the target), rebuilds the same float MLP in PyTorch, checks its float metric,
and runs PyTorch's eager-mode int8 post-training quantization (per-channel
symmetric weights, min-max activation observers, calibrated on all training
rows) and quantization-aware training (10 epochs, Adam 1e-4, then convert) with
the oneDNN backend (Debian's torch has no fbgemm). Prints one JSON line per
(dataset, variant):
  {"impl":"pytorch","dataset":...,"variant":...,"metric":...,"metric_name":...}
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.ao import quantization as tq


def load_rows(path):
    data = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    return torch.from_numpy(data[:, :-1].astype(np.float32)), torch.from_numpy(data[:, -1])


class Mlp(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.quant = tq.QuantStub()
        blocks = []
        for i, layer in enumerate(layers):
            linear = nn.Linear(layer["in"], layer["out"])
            # tinymlops stores weights {in, out} row-major; torch wants [out, in].
            w = np.array(layer["weights"], dtype=np.float32).reshape(layer["in"], layer["out"]).T
            linear.weight.data = torch.from_numpy(np.ascontiguousarray(w))
            linear.bias.data = torch.tensor(layer["bias"], dtype=torch.float32)
            blocks.append(nn.Sequential(linear, nn.ReLU()) if i + 1 < len(layers) else nn.Sequential(linear))
        self.blocks = nn.Sequential(*blocks)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.blocks(self.quant(x)))

    def fuse(self):
        for block in self.blocks[:-1]:
            tq.fuse_modules(block, ["0", "1"], inplace=True)


def metric(model, x, y, classification):
    model.eval()
    with torch.no_grad():
        out = model(x)
    if classification:
        return (out.argmax(dim=1).double() == y).double().mean().item()
    return torch.sqrt(((out[:, 0].double() - y) ** 2).mean()).item()


def ptq(spec, x_train, x_test, y_test, classification):
    model = Mlp(spec["layers"]).eval()
    model.fuse()
    model.qconfig = tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=False),
        weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        model(x_train)
    tq.convert(model, inplace=True)
    return metric(model, x_test, y_test, classification)


def qat(spec, x_train, y_train, x_test, y_test, classification):
    torch.manual_seed(7)
    model = Mlp(spec["layers"]).train()
    model.fuse()
    model.qconfig = tq.get_default_qat_qconfig("onednn")
    tq.prepare_qat(model, inplace=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss() if classification else nn.MSELoss()
    target = y_train.long() if classification else y_train.float()
    for _ in range(10):
        order = torch.randperm(x_train.shape[0])
        for start in range(0, x_train.shape[0], 32):
            idx = order[start:start + 32]
            optimizer.zero_grad()
            out = model(x_train[idx])
            loss = loss_fn(out, target[idx]) if classification else loss_fn(out[:, 0], target[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    tq.convert(model, inplace=True)
    return metric(model, x_test, y_test, classification)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compression_table.py WORK_DIR")
    torch.set_num_threads(1)
    torch.backends.quantized.engine = "onednn"
    work = sys.argv[1]
    for dataset in sorted(os.listdir(work)):
        directory = os.path.join(work, dataset)
        if not os.path.exists(os.path.join(directory, "weights.json")):
            continue
        with open(os.path.join(directory, "weights.json"), encoding="utf-8") as f:
            spec = json.load(f)
        classification = spec["task"] == "classification"
        x_train, y_train = load_rows(os.path.join(directory, "train.csv"))
        x_test, y_test = load_rows(os.path.join(directory, "test.csv"))
        name = "accuracy" if classification else "rmse"
        rows = {
            "float32": metric(Mlp(spec["layers"]), x_test, y_test, classification),
            "int8 ptq minmax": ptq(spec, x_train, x_test, y_test, classification),
            "int8 qat": qat(spec, x_train, y_train, x_test, y_test, classification),
        }
        for variant, value in rows.items():
            print(json.dumps({"impl": "pytorch", "dataset": dataset, "variant": variant, "metric": value,
                              "metric_name": name}, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()

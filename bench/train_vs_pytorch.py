#!/usr/bin/python3
"""PyTorch side of the training benchmark (see bench/README.md).

usage: /usr/bin/python3 bench/train_vs_pytorch.py WORK_DIR

Reads WORK_DIR/train.csv and WORK_DIR/test.csv, written by train_bench (the
digits data, already split and standard-normalized by tinymlops, so both sides
train on identical float32 numbers), trains the same two models as train_bench
with the same epochs / batch / optimizer, and prints one JSON line per model:

  {"impl":"pytorch","model":"mlp","samples_per_s":...,"seconds":...,"test_accuracy":...,"params":...}

Single-threaded (torch.set_num_threads(1)); the timed region is the training
loop only, best of 3 runs seeded 42, 43, 44; the accuracy is the mean of the runs.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

EPOCHS = 30
BATCH = 32
LR = 1e-3
RUNS = 3
SEED = 42


def load(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    if data.shape[1] != len(header):
        sys.exit(f"train_vs_pytorch.py: {path}: {data.shape[1]} columns, header has {len(header)}")
    x = torch.from_numpy(data[:, :-1].astype(np.float32))
    y = torch.from_numpy(data[:, -1].astype(np.int64))
    return x, y


def make_mlp():
    return nn.Sequential(
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 10),
    )


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding="same"), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(8 * 4 * 4, 10),
        )

    def forward(self, x):
        # Pixel k of a row is (k // 8, k % 8) of the 8x8 image, one channel.
        return self.net(x.view(-1, 1, 8, 8))


MODELS = {"mlp": make_mlp, "cnn": Cnn}


def glorot_init(model):
    """tinymlops' default initialization: Glorot-uniform weights, zero biases.

    PyTorch's own default (Kaiming-uniform with a=sqrt(5), and non-zero biases)
    reaches a slightly different accuracy on this data; initializing both sides
    the same way compares the training engines rather than the initializers.
    """
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return model


def train(model, x, y):
    # CrossEntropyLoss takes logits, i.e. softmax + cross-entropy fused, the same
    # function tinymlops computes with its softmax head.
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    n = x.shape[0]
    for _ in range(EPOCHS):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).double().mean().item()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: train_vs_pytorch.py WORK_DIR")
    work = sys.argv[1]
    torch.set_num_threads(1)
    x_train, y_train = load(f"{work}/train.csv")
    x_test, y_test = load(f"{work}/test.csv")
    for name, make in MODELS.items():
        best = float("inf")
        acc_sum = 0.0
        params = 0
        for run in range(RUNS):
            torch.manual_seed(SEED + run)
            model = glorot_init(make())
            params = sum(p.numel() for p in model.parameters())
            start = time.perf_counter()
            train(model, x_train, y_train)
            seconds = time.perf_counter() - start
            best = min(best, seconds)
            acc_sum += accuracy(model, x_test, y_test)
        print(json.dumps({
            "impl": "pytorch",
            "model": name,
            "samples_per_s": EPOCHS * x_train.shape[0] / best,
            "seconds": best,
            "test_accuracy": acc_sum / RUNS,
            "params": params,
        }, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The default Distillery CNN (CnnSpec.DEFAULT without augmentation) trained for one epoch in PyTorch.

Mirrors the DJL side: 3x3 conv (32, no bias) + BN + ReLU + 2x2 max pool, 3x3 conv (64) + BN + ReLU + pool,
flatten, linear 256 + ReLU + dropout 0.3, linear 10; Adam lr 1e-3; batch 128; 54,000 examples; loss and
accuracy read back every batch (as the DJL progress bar does). Prints one JSON line.
Usage: pytorch_cnn.py FASHION_MNIST_DIR THREADS SEED
"""
import gzip, json, sys, time
import numpy as np
import torch
import torch.nn as nn


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def main():
    folder, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(seed)
    x = read_idx(f"{folder}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    y = read_idx(f"{folder}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))[:54_000]
    x, y = torch.from_numpy(x[order]), torch.from_numpy(y[order])
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    batch = 128
    correct, loss_sum = 0, 0.0
    start = time.perf_counter()
    for i in range(0, len(x), batch):
        xb, yb = x[i:i + batch], y[i:i + batch]
        opt.zero_grad()
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(xb)
        correct += (logits.argmax(1) == yb).sum().item()
    seconds = time.perf_counter() - start
    print(json.dumps({"examples_per_s": len(x) / seconds, "seconds": seconds, "train_accuracy": correct / len(x),
                      "train_loss": loss_sum / len(x), "torch": torch.__version__, "threads": threads,
                      "params": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()

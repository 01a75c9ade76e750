#!/usr/bin/env python3
"""The default Distillery CNN (CnnSpec.DEFAULT without augmentation) trained in PyTorch, the peer of bench/djl-vs-pytorch.

Mirrors the DJL side: 3x3 conv (32, no bias) + BN + ReLU + 2x2 max pool, 3x3 conv (64) + BN + ReLU + pool,
flatten, linear 256 + ReLU + dropout 0.3, linear 10; Adam lr 1e-3; batch 128; 54,000 examples; loss and
accuracy read back every batch (as the DJL progress bar does). Times each epoch, a 512x512 float matmul
(median of 5 rounds of 50, after a warm-up, as `distillery engine --matmul` does), and reports which BLAS
library the process actually loaded and PyTorch's build facts. Prints one JSON line.
Usage: pytorch_cnn.py FASHION_MNIST_DIR THREADS SEED EPOCHS
"""
import gzip, json, os, re, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def loaded_blas():
    """The BLAS shared library mapped into this process (Debian's torch links libblas.so.3, an alternative)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if re.search(r"(openblas|libblas|mkl_rt|libblis)", path):
                libs.add(path)
    return sorted(libs)


def matmul_gflops(n=512, iterations=50):
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    for _ in range(10):
        a @ b
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(iterations):
            a @ b
        rounds.append(2.0 * n ** 3 * iterations / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rounds)


def main():
    folder, threads, seed, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
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
    # CHANNELS_LAST=1: the model and every batch in PyTorch's channels-last memory format, its CPU advice for CNNs.
    channels_last = os.environ.get("CHANNELS_LAST") == "1"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    batch = 128
    per_epoch = []
    for epoch in range(epochs):
        perm = torch.from_numpy(np.random.default_rng(seed + epoch).permutation(len(x)))
        correct, loss_sum = 0, 0.0
        start = time.perf_counter()
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(xb)
            correct += (logits.argmax(1) == yb).sum().item()
        per_epoch.append(len(x) / (time.perf_counter() - start))
    config = torch.__config__.show()
    fact = lambda pattern: (re.search(pattern, config) or [None, None])[1]
    print(json.dumps({"epoch_examples_per_s": per_epoch, "first_epoch_examples_per_s": per_epoch[0],
                      "steady_examples_per_s": statistics.mean(per_epoch[1:]) if len(per_epoch) > 1 else per_epoch[0],
                      "train_accuracy": correct / len(x), "train_loss": loss_sum / len(x),
                      "matmul_512_gflops": matmul_gflops(), "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "interop_threads": torch.get_num_interop_threads(), "blas_loaded": loaded_blas(),
                      "blas_build": fact(r"BLAS_INFO=([^,\s]+)"), "onednn": fact(r"(MKL-DNN v[\d.]+|oneDNN v[\d.]+)"),
                      "cpu_capability": fact(r"CPU capability usage: (\S+)"),
                      "params": sum(p.numel() for p in model.parameters()),
                      "channels_last": channels_last}))


if __name__ == "__main__":
    main()

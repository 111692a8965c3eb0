#!/usr/bin/python3
"""PyTorch twin of sprig's train-step benchmark and MNIST recipe, for ratios measured in one run.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_twin.py step --threads 2 --json torch.json
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_twin.py recipe --data ../shared/data/mnist

PyTorch at its best setting here: torch on N threads, OpenBLAS (which Debian's torch calls for some
GEMMs) on 1, so the two pools do not fight over the cores. Models, batch sizes and optimisers match
sprig's bench (`bench --train-step`) and `train` defaults.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def lenet_300_100():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


MODELS = {"lenet_300_100": lenet_300_100, "lenet5": lenet5}


def make_optimizer(name, params):
    if name == "adam":
        return torch.optim.Adam(params, lr=1.2e-3)
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


def time_steps(fn, min_time):
    """Median seconds per call over repeats lasting about min_time in total, after a warm-up."""
    for _ in range(10):
        fn()
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - t0) / 10)
    return sorted(samples)[len(samples) // 2]


def bench_step(model_name, batch, optimizer_name, min_time):
    torch.manual_seed(0)
    model = MODELS[model_name]()
    opt = make_optimizer(optimizer_name, model.parameters())
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    loss_fn = nn.CrossEntropyLoss()

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    def eval_step():
        with torch.no_grad():
            model(x)

    model.train()
    train = time_steps(train_step, min_time)
    model.eval()
    evaluate = time_steps(eval_step, min_time)
    return {"model": model_name, "batch": batch, "optimizer": optimizer_name,
            "train_ms": train * 1e3, "train_images_per_s": batch / train,
            "eval_ms": evaluate * 1e3, "eval_images_per_s": batch / evaluate}


CASES = [("lenet_300_100", 60, "adam"), ("lenet_300_100", 60, "sgd"), ("lenet_300_100", 128, "adam"),
         ("lenet_300_100", 128, "sgd"), ("lenet5", 60, "adam")]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    sys.exit(f"error: {name}(.gz) not found in {folder}")


def recipe(args):
    """lenet_300_100, Adam 1.2e-3, batch 60, normalised with the train set's mean/std; test accuracy per epoch."""
    torch.manual_seed(args.seed)
    train_x = read_idx(find(args.data, "train-images-idx3-ubyte")).astype(np.float32) / 255
    train_y = read_idx(find(args.data, "train-labels-idx1-ubyte"))
    test_x = read_idx(find(args.data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255
    test_y = read_idx(find(args.data, "t10k-labels-idx1-ubyte"))
    mean, std = train_x.mean(), train_x.std()
    train_x, test_x = torch.from_numpy((train_x - mean) / std), torch.from_numpy((test_x - mean) / std)
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)
    model = lenet_300_100()
    opt = torch.optim.Adam(model.parameters(), lr=1.2e-3)
    loss_fn = nn.CrossEntropyLoss()
    results = []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), 60):
            idx = order[i:i + 60]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(train_x[idx]), train_y[idx]).backward()
            opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        results.append({"epoch": epoch + 1, "test_acc": accuracy, "train_seconds": seconds})
        print(f"epoch {epoch + 1}: test acc {100 * accuracy:.2f}% ({len(order) / seconds:.0f} img/s)", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["step", "recipe"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds per measurement (step)")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/mnist"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.mode == "step":
        results = [bench_step(*case, args.min_time) for case in CASES]
        for r in results:
            print(f"{r['model']:>14} batch {r['batch']:>3} {r['optimizer']:>4}: train {r['train_images_per_s']:>9.0f} img/s"
                  f"  ({r['train_ms']:.3f} ms/step), eval {r['eval_images_per_s']:>9.0f} img/s")
    else:
        results = recipe(args)
    report = {"torch": torch.__version__, "threads": args.threads,
              "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "results": results}
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(report, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()

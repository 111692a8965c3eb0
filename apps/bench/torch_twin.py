#!/usr/bin/python3
"""PyTorch twin of sprig's train-step benchmark and MNIST recipe, for ratios measured in one run.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_twin.py step --threads 2 --json torch.json
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_twin.py recipe --data ../shared/data/mnist
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_twin.py conv --layers layers.json --json torch.json

PyTorch at its best setting here: torch on N threads, OpenBLAS (which Debian's torch calls for some
GEMMs) on 1, so the two pools do not fight over the cores. Models (torch_models.py), batch sizes,
optimisers and the timing plan match sprig's bench_train (apps/bench/train/main.cpp) and `train` defaults.
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
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import MODELS, lenet_300_100  # noqa: E402


def make_optimizer(name, params, weight_decay):
    if name == "adam":
        return torch.optim.Adam(params, lr=1.2e-3, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=weight_decay)


def seconds_per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def time_steps(fn, min_time, max_repeats=5):
    """Median seconds per call, planned as sprig's bench does (apps/bench/timing.h): a warm-up call,
    one timed call to size the rest, then about min_time of calls in up to 5 repeats."""
    fn()
    first = seconds_per_call(fn, 1)
    calls = max(3, round(min_time / max(first, 1e-9)))
    repeats = min(max_repeats, calls)
    per_repeat = -(-calls // repeats)
    samples = sorted(seconds_per_call(fn, per_repeat) for _ in range(repeats))
    mid = len(samples) // 2
    return samples[mid] if len(samples) % 2 else (samples[mid - 1] + samples[mid]) / 2


def bench_step(model_name, batch, optimizer_name, weight_decay, min_time):
    torch.manual_seed(0)
    make, shape = MODELS[model_name]
    model = make()
    opt = make_optimizer(optimizer_name, model.parameters(), weight_decay)
    x = torch.randn(batch, *shape)
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
    return {"model": model_name, "batch": batch, "optimizer": optimizer_name, "weight_decay": weight_decay,
            "train_ms": train * 1e3, "train_images_per_s": batch / train,
            "eval_ms": evaluate * 1e3, "eval_images_per_s": batch / evaluate}


# model, batch, optimiser, weight decay: as kCases in apps/bench/train/main.cpp
def bench_conv(layer, min_time):
    """Seconds of F.conv2d forward, backward and both for one layer of bench's conv table
    (apps/bench/workloads.cpp), keyed by bench's row names."""
    torch.manual_seed(0)
    k, cin, cout, size = layer["kernel"], layer["in_channels"], layer["out_channels"], layer["size"]
    x = torch.rand(layer["batch"], cin, size, size) * 2 - 1
    w = (torch.rand(cout, cin, k, k) * 2 - 1).requires_grad_()
    bias = (torch.rand(cout) * 2 - 1).requires_grad_() if layer["bias"] else None
    if not layer["input_layer"]:  # the first layer's input needs no gradient
        x.requires_grad_()
    wrt = [t for t in (x, w, bias) if t is not None and t.requires_grad]

    def conv():
        return F.conv2d(x, w, bias, layer["stride"], k // 2)

    dy = torch.rand_like(conv()) * 2 - 1

    def forward():
        with torch.no_grad():
            conv()

    forward_seconds = time_steps(forward, min_time)
    both = time_steps(lambda: torch.autograd.grad(conv(), wrt, dy), min_time)
    name = layer["name"]
    return {f"{name} fwd": forward_seconds, f"{name} {'bwd(dw)' if layer['input_layer'] else 'bwd'}": both - forward_seconds,
            f"{name} fwd+bwd": both}


CASES = [("lenet_300_100", 60, "adam", 0.0), ("lenet_300_100", 60, "sgd", 0.0), ("lenet_300_100", 128, "adam", 0.0),
         ("lenet_300_100", 128, "sgd", 0.0), ("lenet5", 60, "adam", 0.0), ("conv2", 60, "sgd", 5e-4),
         ("resnet20", 128, "sgd", 5e-4), ("vgg16", 64, "sgd", 5e-4)]


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
    parser.add_argument("mode", choices=["step", "recipe", "conv"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds per measurement (step, conv)")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/mnist"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--models", default="", help="step: only these models (comma-separated; default all)")
    parser.add_argument("--layers", help="conv: JSON list of conv layers, as bench writes it")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.mode == "step":
        chosen = [m for m in args.models.split(",") if m]
        results = [bench_step(*case, args.min_time) for case in CASES if not chosen or case[0] in chosen]
        for r in results:
            print(f"{r['model']:>14} batch {r['batch']:>3} {r['optimizer']:>4}: train {r['train_images_per_s']:>9.0f} img/s"
                  f"  ({r['train_ms']:.3f} ms/step), eval {r['eval_images_per_s']:>9.0f} img/s")
    elif args.mode == "conv":
        with open(args.layers) as f:
            results = {}
            for layer in json.load(f):
                results.update(bench_conv(layer, args.min_time))
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

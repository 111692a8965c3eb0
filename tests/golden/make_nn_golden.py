#!/usr/bin/env python3
"""Golden layer values from PyTorch for tests/nn/test_nn_golden.cpp.

BatchNorm (2d over three training steps and then evaluation, 1d over one of each), max pooling,
global average pooling, ResNet basic blocks (projection and identity shortcuts) and cross-entropy:
inputs, parameters, outputs, input and parameter gradients for a given output gradient, and running
statistics. Also the parameter counts of PyTorch definitions of the zoo's CIFAR models.
Run with a Python that has torch (1.13 made the committed file):
    /usr/bin/python3 tests/golden/make_nn_golden.py > tests/golden/nn.json
The test suite itself only reads the JSON.
"""
import json
import os
import re
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../apps/bench"))
from torch_models import CIFAR, MODELS, BasicBlock  # noqa: E402


def tensor(t):
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "data": [float(f"{v:.9g}") for v in t.flatten().tolist()]}


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(*shape) * scale + shift


def batchnorm_case(module, shapes):
    """Training steps (one input each), then evaluation: y, dx, dweight, dbias and the running statistics."""
    with torch.no_grad():
        module.weight.copy_(randn(module.num_features, scale=0.5, shift=1.0))
        module.bias.copy_(randn(module.num_features, scale=0.5))
    case = {"num_features": module.num_features, "eps": module.eps, "momentum": module.momentum,
            "weight": tensor(module.weight), "bias": tensor(module.bias), "steps": []}
    for i, shape in enumerate(shapes):
        training = i < len(shapes) - 1
        module.train(training)
        module.zero_grad()
        # Channels with different means and scales, so a statistic mixed up between channels shows.
        x = (randn(*shape) * torch.linspace(0.5, 3.0, shape[1]).view(1, -1, *[1] * (len(shape) - 2)) +
             torch.linspace(-2.0, 4.0, shape[1]).view(1, -1, *[1] * (len(shape) - 2))).requires_grad_()
        dy = randn(*shape)
        y = module(x)
        y.backward(dy)
        case["steps"].append({"training": training, "x": tensor(x), "dy": tensor(dy), "y": tensor(y),
                              "dx": tensor(x.grad), "dweight": tensor(module.weight.grad),
                              "dbias": tensor(module.bias.grad), "running_mean": tensor(module.running_mean),
                              "running_var": tensor(module.running_var)})
    return case


def pool_case(fn, shape, **options):
    # A permutation of spread-out values: no ties in a max-pool window.
    x = (torch.randperm(torch.Size(shape).numel()).float() * 0.1 - 3.0).view(shape).requires_grad_()
    dy_shape = fn(x).shape
    dy = randn(*dy_shape)
    y = fn(x)
    y.backward(dy)
    return {**options, "x": tensor(x), "dy": tensor(dy), "y": tensor(y), "dx": tensor(x.grad)}


def block_case(in_planes, planes, stride, shape):
    """Two training steps, then evaluation: output, input and parameter gradients, running statistics."""
    block = BasicBlock(in_planes, planes, stride)
    with torch.no_grad():
        for name, p in block.named_parameters():
            if "bn" in name or "shortcut.1" in name:
                p.copy_(randn(*p.shape, scale=0.3, shift=1.0 if name.endswith("weight") else 0.0))
    case = {"in_channels": in_planes, "out_channels": planes, "stride": stride,
            "parameters": {name: tensor(p) for name, p in block.named_parameters()}, "steps": []}
    for training in (True, True, False):
        block.train(training)
        block.zero_grad()
        x = randn(*shape).requires_grad_()
        y = block(x)
        dy = randn(*y.shape)
        y.backward(dy)
        case["steps"].append({"training": training, "x": tensor(x), "dy": tensor(dy), "y": tensor(y),
                              "dx": tensor(x.grad),
                              "gradients": {name: tensor(p.grad) for name, p in block.named_parameters()},
                              "buffers": {name: tensor(b) for name, b in block.named_buffers()
                                          if "num_batches" not in name}})
    return case


def cross_entropy_case(rows, classes):
    logits = randn(rows, classes, scale=2.0).requires_grad_()
    labels = torch.randint(0, classes, (rows,))
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return {"logits": tensor(logits), "labels": labels.tolist(), "loss": loss.item(), "dlogits": tensor(logits.grad)}


def parameter_counts():
    """Of the CIFAR models, defined as their papers' reference code does."""
    counts = {}
    for name, (make, shape) in MODELS.items():
        if shape != CIFAR:
            continue
        model = make()
        model(torch.zeros(1, *shape))  # the shapes fit
        counts[name] = {"parameters": sum(p.numel() for p in model.parameters()),
                        "weights": sum(m.weight.numel() for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))}
    return counts


def main():
    torch.manual_seed(0)
    golden = {
        "comment": f"made by tests/golden/make_nn_golden.py with torch {torch.__version__}",
        "batchnorm2d": batchnorm_case(nn.BatchNorm2d(3), [(4, 3, 5, 5), (4, 3, 5, 5), (2, 3, 4, 3), (3, 3, 5, 5)]),
        "batchnorm1d": batchnorm_case(nn.BatchNorm1d(5, momentum=0.2, eps=1e-3), [(6, 5), (6, 5)]),
        "maxpool2d": [pool_case(lambda x: F.max_pool2d(x, 2), (2, 3, 6, 6), kernel=2, stride=2, padding=0),
                      pool_case(lambda x: F.max_pool2d(x, 3, 2, 1), (2, 2, 7, 7), kernel=3, stride=2, padding=1)],
        "global_avgpool2d": pool_case(lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), (2, 4, 3, 5)),
        "basic_block": [block_case(3, 4, 2, (2, 3, 6, 6)), block_case(4, 4, 1, (2, 4, 5, 5))],
        "cross_entropy": cross_entropy_case(6, 7),
        "parameter_counts": parameter_counts(),
    }
    text = json.dumps(golden, indent=1)
    # Lists of numbers on one line each: one tensor's values per line.
    print(re.sub(r"\[[-0-9.e,\s]+\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Golden optimiser trajectories from PyTorch for tests/optim/test_optim_golden.cpp.

A Linear(4, 3) with bias, explicit weights, a fixed batch of 6 examples and cross-entropy loss.
Each case records the parameters after every step (and, with a schedule, the rate each step used).
Run with a Python that has torch (1.13 made the committed file):
    python3 tests/golden/make_optim_golden.py > tests/golden/optim.json
The test suite itself only reads the JSON.
"""
import json

import torch

WEIGHT = [[0.20, -0.30, 0.10, 0.50],
          [-0.40, 0.25, 0.35, -0.15],
          [0.05, 0.45, -0.20, 0.30]]
BIAS = [0.10, -0.05, 0.02]
INPUT = [[0.5, -1.2, 0.3, 0.8],
         [-0.7, 0.4, 1.1, -0.2],
         [1.3, 0.6, -0.9, 0.1],
         [-0.3, -0.8, 0.2, 1.4],
         [0.9, 1.0, 0.7, -0.6],
         [-1.1, 0.2, -0.45, 0.5]]
LABELS = [0, 2, 1, 2, 0, 1]
STEPS = 5

# name, optimiser, options (sprig's names), schedule or None
CASES = [
    ("sgd", "sgd", {"lr": 0.1}, None),
    ("sgd_momentum", "sgd", {"lr": 0.1, "momentum": 0.9}, None),
    ("sgd_momentum_dampening", "sgd", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, None),
    ("sgd_nesterov", "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_momentum_weight_decay", "sgd", {"lr": 0.1, "momentum": 0.9, "weight_decay": 5e-4}, None),
    ("adam", "adam", {"lr": 1e-3}, None),
    # A larger rate so the decay term moves the weights well beyond the tolerance in 5 steps.
    ("adam_weight_decay", "adam", {"lr": 1e-2, "weight_decay": 1e-2}, None),
    ("adamw_weight_decay", "adam", {"lr": 1e-2, "weight_decay": 1e-2, "decoupled": True}, None),
    ("sgd_multistep", "sgd", {"lr": 0.1, "momentum": 0.9},
     {"kind": "multistep", "milestones": [2, 4], "gamma": 0.1}),
    ("sgd_cosine", "sgd", {"lr": 0.1, "momentum": 0.9},
     {"kind": "cosine", "total_steps": 5, "min_lr": 0.01}),
]


def make_optimizer(kind, options, params):
    if kind == "sgd":
        return torch.optim.SGD(params, lr=options["lr"], momentum=options.get("momentum", 0.0),
                               dampening=options.get("dampening", 0.0), nesterov=options.get("nesterov", False),
                               weight_decay=options.get("weight_decay", 0.0))
    adam = torch.optim.AdamW if options.get("decoupled", False) else torch.optim.Adam
    return adam(params, lr=options["lr"], weight_decay=options.get("weight_decay", 0.0))


def make_scheduler(schedule, optimizer):
    if schedule is None:
        return None
    if schedule["kind"] == "multistep":
        return torch.optim.lr_scheduler.MultiStepLR(optimizer, schedule["milestones"], schedule["gamma"])
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, schedule["total_steps"], schedule["min_lr"])


def run(kind, options, schedule):
    model = torch.nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(WEIGHT))
        model.bias.copy_(torch.tensor(BIAS))
    x, y = torch.tensor(INPUT), torch.tensor(LABELS)
    optimizer = make_optimizer(kind, options, model.parameters())
    scheduler = make_scheduler(schedule, optimizer)
    steps = 6 if schedule else STEPS  # one step past the cosine's end
    weights, biases, lrs, min_grad = [], [], [], float("inf")
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        # Adam divides by |g|: a gradient near 0 would make the golden values hinge on rounding.
        min_grad = min(min_grad, model.weight.grad.abs().min().item(), model.bias.grad.abs().min().item())
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler:
            scheduler.step()
        weights.append(model.weight.detach().flatten().tolist())
        biases.append(model.bias.detach().tolist())
    assert min_grad > 1e-4, f"gradient entry {min_grad} too close to 0"
    return weights, biases, lrs


def numbers(values):
    return "[" + ", ".join(f"{v:.8g}" for v in values) + "]"


def case_json(name, kind, options, schedule):
    weights, biases, lrs = run(kind, options, schedule)
    lines = [f'    {{"name": "{name}", "optimizer": "{kind}", "options": {json.dumps(options)},']
    if schedule:
        lines.append(f'     "schedule": {json.dumps(schedule)},')
        lines.append(f'     "lr": {json.dumps(lrs)},')
    lines.append('     "weight": [' + ",\n                ".join(numbers(w) for w in weights) + "],")
    lines.append('     "bias": [' + ",\n              ".join(numbers(b) for b in biases) + "]}")
    return "\n".join(lines)


def main():
    torch.set_default_dtype(torch.float32)
    print("{")
    print(f'  "comment": "made by tests/golden/make_optim_golden.py with torch {torch.__version__}",')
    print(f'  "weight": {json.dumps(WEIGHT)},')
    print(f'  "bias": {json.dumps(BIAS)},')
    print(f'  "input": {json.dumps(INPUT)},')
    print(f'  "labels": {json.dumps(LABELS)},')
    print('  "cases": [')
    print(",\n".join(case_json(*case) for case in CASES))
    print("  ]")
    print("}")


if __name__ == "__main__":
    main()

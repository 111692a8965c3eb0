#!/usr/bin/python3
"""PyTorch twin of sprig's bench_sparse: the same layers, dense and torch.sparse_csr, one run.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 apps/bench/torch_sparse.py --cases cases.json --json out.json

bench_sparse writes cases.json (densities and layer shapes) and runs this script itself. Per layer:
dense forward, input gradient and weight gradient as the three products, and the layer's forward +
backward through autograd; the same with the weight as CSR: torch.sparse.mm for the products (the
transposed weight prebuilt as CSR), torch.sparse.sampled_addmm for the weight gradient, and a CSR
parameter through torch.sparse.mm in autograd. Convolutions run CSR against F.unfold columns.
"""
import argparse
import json
import os
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support is in beta.*")


def median_ms(fn, min_time):
    """Median milliseconds per call over repeats lasting about min_time, after a warm-up call. A call
    slower than min_time is timed once (some CSR products here take seconds)."""
    start = time.perf_counter()
    fn()
    if min_time <= 0 or time.perf_counter() - start > min_time:
        start = time.perf_counter()
        fn()
        return (time.perf_counter() - start) * 1e3
    samples, start = [], time.perf_counter()
    while time.perf_counter() - start < min_time or len(samples) < 3:
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return sorted(samples)[len(samples) // 2]


def parts(forward, input_grad, weight_grad, layer, min_time):
    """The three products without autograd, then the layer's forward + backward with it."""
    with torch.no_grad():
        r = {"forward_ms": median_ms(forward, min_time),
             "input_grad_ms": median_ms(input_grad, min_time) if input_grad else 0.0,
             "weight_grad_ms": median_ms(weight_grad, min_time)}
    r["layer_ms"] = median_ms(layer, min_time)
    r["sum_ms"] = r["forward_ms"] + r["input_grad_ms"] + r["weight_grad_ms"]
    return r


def random_mask(shape, density):
    return (torch.rand(shape) < density).float()


def linear_case(c, densities, min_time):
    x, dy = torch.randn(c["batch"], c["in"]), torch.randn(c["batch"], c["out"])
    w, b = torch.randn(c["out"], c["in"]), torch.randn(c["out"])

    def dense_layer():
        xx, ww, bb = x.detach().requires_grad_(True), w.detach().requires_grad_(True), b.detach().requires_grad_(True)
        F.linear(xx, ww, bb).backward(dy)

    dense = parts(lambda: x @ w.t(), lambda: dy @ w, lambda: dy.t() @ x, dense_layer, min_time)
    rows = []
    for d in densities:
        masked = w * random_mask(w.shape, d)
        wc, wtc = masked.to_sparse_csr(), masked.t().contiguous().to_sparse_csr()
        dyt = dy.t().contiguous()

        def csr_layer():
            wp, xx, bb = wc.detach().requires_grad_(True), x.detach().requires_grad_(True), b.detach().requires_grad_(True)
            ((wp @ xx.t().contiguous()).t() + bb).backward(dy)

        # Contiguous operands: torch.sparse.mm(wc, x.t()) was 2x slower than wc @ x^T made contiguous.
        row = parts(lambda: (wc @ x.t().contiguous()).t(), lambda: (wtc @ dy.t().contiguous()).t(),
                    lambda: torch.sparse.sampled_addmm(wc, dyt, x, beta=0.0), csr_layer, min_time)
        row["density"] = d
        rows.append(row)
    return dense, rows


def conv_case(c, densities, min_time):
    n, cin, cout, size, k = c["batch"], c["in"], c["out"], c["size"], c["kernel"]
    stride, pad = c["stride"], c["padding"]
    x, w = torch.randn(n, cin, size, size), torch.randn(cout, cin, k, k)
    b = torch.randn(cout) if c["bias"] else None
    y = F.conv2d(x, w, b, stride, pad)
    dy = torch.randn_like(y)
    out_hw = y.shape[2:]
    need_dx = not c["input_layer"]

    def dense_layer():
        xx, ww = x.detach().requires_grad_(need_dx), w.detach().requires_grad_(True)
        F.conv2d(xx, ww, b, stride, pad).backward(dy)

    dense = parts(lambda: F.conv2d(x, w, None, stride, pad),
                  (lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, stride, pad)) if need_dx else None,
                  lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, stride, pad), dense_layer, min_time)

    def columns(images):  # [N, C, H, W] -> [C*k*k, N*P]
        cols = F.unfold(images, k, padding=pad, stride=stride)
        return cols.transpose(0, 1).reshape(cols.shape[1], -1)

    def to_images(m):  # [Cout, N*P] -> [N, Cout, OH, OW]
        return m.reshape(cout, n, -1).transpose(0, 1).reshape(n, cout, *out_hw)

    dyt = dy.reshape(n, cout, -1).transpose(0, 1).reshape(cout, -1).contiguous()
    rows = []
    for d in densities:
        masked = (w * random_mask(w.shape, d)).reshape(cout, -1)
        wc, wtc = masked.to_sparse_csr(), masked.t().contiguous().to_sparse_csr()

        def input_grad():
            dcols = wtc @ dyt
            F.fold(dcols.reshape(-1, n, dcols.shape[1] // n).transpose(0, 1), (size, size), k, padding=pad, stride=stride)

        def csr_layer():
            wp, xx = wc.detach().requires_grad_(True), x.detach().requires_grad_(need_dx)
            out = to_images(wp @ columns(xx))
            (out + b.reshape(1, -1, 1, 1) if b is not None else out).backward(dy)

        row = parts(lambda: to_images(wc @ columns(x)), input_grad if need_dx else None,
                    lambda: torch.sparse.sampled_addmm(wc, dyt, columns(x).t(), beta=0.0), csr_layer, min_time)
        row["density"] = d
        rows.append(row)
    return dense, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", required=True, help="JSON written by bench_sparse")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    with open(args.cases) as f:
        spec = json.load(f)
    results = []
    for c in spec["cases"]:
        run = conv_case if c["kind"] == "conv" else linear_case
        dense, rows = run(c, spec["densities"], args.min_time)
        results.append({"name": c["name"], "dense": dense, "csr": rows})
        print(f"{c['name']}: dense layer {dense['layer_ms']:.3f} ms, CSR layer "
              + ", ".join(f"{r['density']:g}: {r['layer_ms']:.3f} ms" for r in rows), flush=True)
    report = {"torch": torch.__version__, "threads": args.threads,
              "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "cases": results}
    with open(args.json + ".tmp", "w") as f:
        json.dump(report, f, indent=1)
    os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()

"""GPU check (not a test): may Fig 8's batches use TF32 matmuls? Trains the same cells of the
phase diagram twice on real data, with ``torch.backends.cuda.matmul.allow_tf32`` off and on, and
compares each cell's regime label (the classifier of config.yaml) and log10 of its mean loss over
the last ``--window`` iterations. TF32 may be used only if every label is the same and every
late mean within 0.1 decade (issue 12); the script says which. On a CPU the flag changes nothing
(both runs are float32, as a run here shows).

    python scripts/checks/check_tf32.py --data-dir results/paper/data --width 500 \\
        --cells 1,100 10,10 100,1 2.42,1.7 5.88,1.43 --iterations 5000 --device cuda
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from adamdyn.batched import train_stack
from adamdyn.config import load_config
from adamdyn.engine import resolve_device
from adamdyn.problems import build_problem
from adamdyn.stats import curves


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="the prepared data of a scale, e.g. results/paper/data")
    p.add_argument("--width", type=int, default=500)
    p.add_argument("--cells", nargs="+", default=["1,100", "10,10", "100,1"], help='"a,b" cells')
    p.add_argument("--iterations", type=int, default=5000)
    p.add_argument("--window", type=int, default=1000)
    p.add_argument("--tolerance", type=float, default=0.1, help="decades")
    p.add_argument("--device", default="auto")
    p.add_argument("--config", default="config.yaml", help="for the classifier's settings")
    args = p.parse_args()
    device = resolve_device(args.device)
    regime = load_config(Path(args.config).parent)["stats"]["regime"]
    problem = {"name": "mlp", "data": "fashion_mnist", "widths": [args.width] * 6}
    a = torch.tensor([float(c.split(",")[0]) for c in args.cells])
    b = torch.tensor([float(c.split(",")[1]) for c in args.cells])
    out = {}
    for tf32 in (False, True):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.manual_seed(0)  # as adamdyn.batched.train_batch: the shared seed, then the problem
        objective = build_problem(problem, dtype=torch.float32, device=device, data_dir=args.data_dir)
        (x, y), net = objective.data, objective.module
        t0 = time.perf_counter()
        losses, _ = train_stack(net, x, y, 1e-3, a.to(x), b.to(x), args.iterations)
        out[tf32] = (losses.numpy(), time.perf_counter() - t0)
    ok = True
    print(f"device {device}, width {args.width}, {len(x)} samples, {args.iterations} iterations; "
          f"float32 {out[False][1]:.1f} s, TF32 {out[True][1]:.1f} s")
    for k, cell in enumerate(args.cells):
        row = []
        for tf32 in (False, True):
            loss = out[tf32][0][:, k]
            finite = loss[np.isfinite(loss)]
            late = float(np.log10(finite[-curves.tail_window(len(finite), args.window):].mean()))
            row.append((curves.regime(loss, **regime)["label"], late))
        same = row[0][0] == row[1][0] and abs(row[0][1] - row[1][1]) <= args.tolerance
        ok &= same
        print(f"({cell}): float32 {row[0][0]} {row[0][1]:.2f}, TF32 {row[1][0]} {row[1][1]:.2f}"
              f"{'' if same else '  <- differs'}")
    print("TF32 may be used: same labels, late means within "
          f"{args.tolerance} decade" if ok else "TF32 must not be used for Fig 8")


if __name__ == "__main__":
    main()

"""One drawing function per figure. Figures never compute statistics beyond what they display."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import read_history, read_json
from . import style


def _runs(runs: list[tuple[Path, int]]):
    for run_dir, iterations in runs:
        yield read_json(Path(run_dir) / "run.json"), read_history(run_dir, iterations)


def fig05(runs, png, pdf, stamp=None) -> None:
    """Fig 5: loss of signGD (left) and RMSprop (right) on the quadratic, one line per eta, log y."""
    loaded = list(_runs(runs))
    fig, axes = style.subplots(ncols=2, sharey=True)
    for ax, (method, title) in zip(axes[0], (("signgd", "signGD"), ("rmsprop", "RMSprop"))):
        sel = sorted((r for r in loaded if r[0]["spec"]["optimiser"]["name"] == method),
                     key=lambda r: -r[0]["spec"]["optimiser"]["eta"])
        for colour, (info, hist) in zip(style.colours(len(sel)), sel):
            opt = info["spec"]["optimiser"]
            label = rf"$\eta$={opt['eta']:g}" + (rf", $\alpha$={opt['alpha']:g}" if opt["alpha"] else "")
            ax.plot(hist["step"], hist["loss"], color=colour, label=label, lw=0.8)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.legend(loc="upper right")
    axes[0][0].set_ylabel("loss f(x)")
    style.save(fig, png, pdf, stamp)


def fig06(runs, png, pdf, window: tuple[int, int], stamp=None) -> None:
    """Fig 6: the iterate x_t of RMSprop on x^2/2 for each alpha, with the orbit +/- eta/2."""
    loaded = sorted(_runs(runs), key=lambda r: r[0]["spec"]["optimiser"]["alpha"])
    fig, axes = style.subplots(ncols=1, width=6.5, height=3.4)
    ax = axes[0][0]
    lo, hi = window
    markers = ["o", "s", "^", "D", "v"]
    for i, (colour, (info, hist)) in enumerate(zip(style.colours(len(loaded)), loaded)):
        part = hist[(hist["step"] >= lo) & (hist["step"] <= hi)]
        opt = info["spec"]["optimiser"]
        ax.plot(part["step"], part["x0"], color=colour, marker=markers[i % len(markers)], ms=2.5, lw=0.6,
                label=rf"$\alpha$={opt['alpha']:g}")
    eta = loaded[0][0]["spec"]["optimiser"]["eta"]
    for sign in (1, -1):
        ax.axhline(sign * eta / 2, color="0.2", ls="--", lw=0.9,
                   label=r"$\pm\eta/2$" if sign == 1 else None)
    ax.set_xlabel("iteration t")
    ax.set_ylabel(r"$x_t$")
    ax.set_title(rf"RMSprop on $f(x)=x^2/2$, $\eta$={eta:g}")
    ax.legend(loc="upper right", ncol=2)
    style.save(fig, png, pdf, stamp)


DRAWERS = {"fig05": fig05, "fig06": fig06}

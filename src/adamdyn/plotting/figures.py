"""One drawing function per figure. Figures never compute statistics beyond what they display."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import read_history, read_json
from ..stats.figures import epoch_means, label_changes
from . import style


def _runs(runs: list[tuple[Path, int]]):
    for run_dir, iterations in runs:
        yield read_json(Path(run_dir) / "run.json"), read_history(run_dir, iterations)


def fig05(runs, png, pdf, stats=None, stamp=None) -> None:
    """Fig 5: loss of signGD (left) and RMSprop (right) on the quadratic, one line per eta, log y."""
    loaded = list(_runs(runs))
    fig, axes = style.subplots(ncols=2, sharey=True)
    for ax, (method, title) in zip(axes[0], (("signgd", "signGD"), ("rmsprop", "RMSprop"))):
        sel = _of_optimiser(loaded, method, "eta")
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


def fig06(runs, png, pdf, window: tuple[int, int], stats=None, stamp=None) -> None:
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


NAMES = {"adam": "Adam", "rmsprop": "RMSprop", "signgd": "signGD"}


def _of_optimiser(loaded, name: str, key: str, descending: bool = True) -> list:
    """The loaded runs of one optimiser, sorted by one of its settings (eta, a)."""
    runs = [r for r in loaded if r[0]["spec"]["optimiser"]["name"] == name]
    return sorted(runs, key=lambda r: r[0]["spec"]["optimiser"][key], reverse=descending)


def _opt_label(info) -> str:
    o = info["spec"]["optimiser"]
    if o["name"] == "signgd":
        return rf"signGD $\eta$={o['eta']:g}"
    ab = f"a={o['a']:.3g}" + (f", b={o['b']:.3g}" if o["beta"] is not None else "")
    return f"{NAMES[o['name']]} {ab}"


def fig01(runs, png, pdf, stats=None, stamp=None) -> None:
    """Fig 1: train and held-out loss of full-batch Adam (defaults), CIFAR-2 (left), sine (right)."""
    loaded = list(_runs(runs))
    fig, axes = style.subplots(ncols=len(loaded), width=4.6)
    titles = {"cifar2": "CIFAR-2, MLP 3072-256-256-128-2", "sine": r"$\sum_k \sin(2\pi x_k)$, MLP 5-100-100-1"}
    for ax, (info, hist) in zip(axes[0], loaded):
        c = style.colours(2)
        ax.plot(hist["step"], hist["loss"], color=c[0], lw=0.7, label="train")
        if "test_loss" in hist:
            t = hist.dropna(subset=["test_loss"])
            ax.plot(t["step"], t["test_loss"], color=c[1], lw=0.9, label="held-out")
        data = info["spec"]["problem"].get("data")
        ax.set(yscale="log", xlabel="iteration", ylabel="loss", title=titles.get(data, data))
        ax.legend()
    fig.suptitle(r"Full-batch Adam, $\eta$=1e-3, $(\beta_1, \beta_2)$=(0.9, 0.999)", fontsize=10)
    style.save(fig, png, pdf, stamp)


def fig02(runs, png, pdf, stats=None, stamp=None) -> None:
    """Fig 2: loss against t = eta x iteration; Adam (left), RMSprop (middle), signGD in both;
    right: the largest distance to signGD's curve against eta (Proposition 1)."""
    loaded = list(_runs(runs))
    sign = _of_optimiser(loaded, "signgd", "eta")
    fig, axes = style.subplots(ncols=3, width=4.0)
    for ax, method, title in ((axes[0][0], "adam", r"Adam $(\beta, \alpha)$=(0.9, 0.999)"),
                              (axes[0][1], "rmsprop", r"RMSprop $\alpha$=0.99")):
        sel = _of_optimiser(loaded, method, "eta")
        for colour, (info, hist) in zip(style.colours(len(sel)), sel):
            eta = info["spec"]["optimiser"]["eta"]
            ax.plot(hist["step"] * eta, hist["loss"], color=colour, label=rf"$\eta$={eta:g}")
        for info, hist in sign:
            eta = info["spec"]["optimiser"]["eta"]
            ax.plot(hist["step"] * eta, hist["loss"], color="k", ls="--", lw=1.0, label=rf"signGD $\eta$={eta:g}")
        ax.set(xlabel=r"time $t = \eta \times$ iteration", ylabel="training loss", title=title)
        ax.legend()
    ax = axes[0][2]
    if stats is not None:
        for colour, method in zip(style.colours(2), ("adam", "rmsprop")):
            sub = stats[stats["optimiser"] == method].sort_values("eta")
            ax.plot(sub["eta"], sub["max_abs_diff_to_signgd"], "o-", color=colour, label=NAMES[method])
        ax.set(xscale="log", yscale="log", xlabel=r"$\eta$", ylabel=r"max$_t$ |L(t) - L$_{signGD}$(t)|",
               title="distance to signGD")
        ax.legend()
    style.save(fig, png, pdf, stamp)


def fig03(runs, png, pdf, stats=None, stamp=None) -> None:
    """Fig 3: eta = 1e-3; Adam with a = b (left), RMSprop (right) for several a; log y."""
    loaded = list(_runs(runs))
    fig, axes = style.subplots(ncols=2, sharey=True)
    for ax, method, title in ((axes[0][0], "adam", "Adam, a = b"), (axes[0][1], "rmsprop", "RMSprop")):
        sel = _of_optimiser(loaded, method, "a")
        for colour, (info, hist) in zip(style.colours(len(sel)), sel):
            ax.plot(hist["step"], hist["loss"], color=colour, lw=0.8, label=_opt_label(info))
        ax.set(yscale="log", xlabel="iteration", title=title + r", $\eta$=1e-3")
        ax.legend()
    axes[0][0].set_ylabel("training loss")
    style.save(fig, png, pdf, stamp)


def fig04(runs, png, pdf, last: int, stats=None, stamp=None) -> None:
    """Fig 4: RMSprop (eta 1e-3, alpha 0.99) on Fig 1's network: whole curve and the last iterations."""
    (info, hist), = list(_runs(runs))
    fig, axes = style.subplots(ncols=2, width=4.6)
    c = style.colours(1)[0]
    axes[0][0].plot(hist["step"], hist["loss"], color=c, lw=0.7)
    axes[0][0].set(yscale="log", xlabel="iteration", ylabel="training loss", title="whole run")
    tail = hist.iloc[-last:]
    axes[0][1].plot(tail["step"], tail["loss"], color=c, lw=0.8)
    axes[0][1].set(yscale="log", xlabel="iteration", title=f"last {last} iterations")
    fig.suptitle(r"RMSprop, $\eta$=1e-3, $\alpha$=0.99, CIFAR-2", fontsize=10)
    style.save(fig, png, pdf, stamp)


def fig07(runs, png, pdf, zoom: dict, stats=None, stamp=None) -> None:
    """Fig 7: the three regimes (columns): whole loss curve (row 1; other seeds faint), a zoom
    (row 2), and the trajectory of (||x||, ||m||, ||sqrt v||) over the zoom window (row 3)."""
    loaded = list(_runs(runs))
    style.apply()
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 10))
    columns = list(zoom)
    colours = style.colours(len(columns))
    seed0 = min(info["spec"]["seed"] for info, _ in loaded)
    for j, (key, colour) in enumerate(zip(columns, colours)):
        a, b = (float(v) for v in key.split(","))
        sel = [(i, h) for i, h in loaded
               if abs(i["spec"]["optimiser"]["a"] - a) < 1e-6 * a and abs(i["spec"]["optimiser"]["b"] - b) < 1e-6 * b]
        ax1 = fig.add_subplot(3, 3, j + 1)
        ax2 = fig.add_subplot(3, 3, j + 4)
        ax3 = fig.add_subplot(3, 3, j + 7, projection="3d")
        lo, hi = zoom[key]
        log_axes = False
        for info, hist in sel:
            main = info["spec"]["seed"] == seed0
            ax1.plot(hist["step"], hist["loss"], color=colour if main else "0.6", lw=0.7 if main else 0.5,
                     alpha=1.0 if main else 0.6, label=f"seed {info['spec']['seed']}" if main else None, zorder=3 if main else 1)
            if main:
                part = hist[(hist["step"] >= lo) & (hist["step"] < hi)]
                ax2.plot(part["step"], part["loss"], color=colour, lw=0.8)
                cols = ["norm_x", "norm_m", "norm_sqrt_v"]
                norms = part[cols].replace([np.inf, -np.inf], np.nan).dropna()
                if norms.empty:  # the moments overflowed (float32): show the last finite stretch
                    finite = hist[cols].replace([np.inf, -np.inf], np.nan).dropna()
                    norms = finite.iloc[-(hi - lo):]
                    if len(norms):
                        ax3.set_title(f"norms overflow after it. {int(hist.loc[norms.index[-1], 'step'])}: "
                                      f"it. {int(hist.loc[norms.index[0], 'step'])}-"
                                      f"{int(hist.loc[norms.index[-1], 'step'])} shown", fontsize=7)
                spread = (norms.max() / norms.min().clip(lower=1e-300)).max() if len(norms) else 1.0
                log_axes = bool(spread > 1e3)
                if log_axes:  # a divergent run spans many decades: show log10 of the norms
                    norms = np.log10(norms.clip(lower=1e-300))
                ax3.plot(norms["norm_x"], norms["norm_m"], norms["norm_sqrt_v"], color=colour, lw=0.6)
        regime = ""
        if stats is not None:
            row = stats[(np.isclose(stats["a"], a)) & (np.isclose(stats["b"], b)) & (stats["seed"] == seed0)]
            regime = f" — {row['regime'].iloc[0]}" if len(row) else ""
        ax1.set(yscale="log", title=f"a={a:g}, b={b:g}{regime}", xlabel="iteration")
        ax2.set(yscale="log", xlabel="iteration", title=f"iterations {lo}-{hi}")
        prefix = r"log$_{10}$ " if log_axes else ""
        ax3.set_xlabel(prefix + r"$\|x\|$", fontsize=8)
        ax3.set_ylabel(prefix + r"$\|m\|$", fontsize=8)
        ax3.set_zlabel(prefix + r"$\|\sqrt{v}\|$", fontsize=8)
        ax3.tick_params(labelsize=6)
        if j == 0:
            ax1.set_ylabel("training loss (other seeds grey)")
            ax2.set_ylabel("training loss")
    fig.suptitle(r"Adam, $\eta$=1e-3: spike, oscillation and divergence regimes", fontsize=11)
    style.save(fig, png, pdf, stamp)


def fig10(runs, png, pdf, stats=None, stamp=None) -> None:
    """Fig 10: DGM for the two Poisson problems (rows): objective eq. (13) (left) and test error
    (right) for each (a, b), log y."""
    loaded = list(_runs(runs))
    problems = sorted({info["spec"]["problem"]["data"] for info, _ in loaded})
    titles = {"poisson_cube": r"$-\Delta u=0$ on $(0,1)^4$", "poisson_disk": r"$-\Delta u=1$ on the unit disk"}
    fig, axes = style.subplots(ncols=2, nrows=len(problems), width=4.6, height=3.2)
    for row, data in zip(axes, problems):
        sel = sorted((r for r in loaded if r[0]["spec"]["problem"]["data"] == data),
                     key=lambda r: (r[0]["spec"]["optimiser"]["a"], r[0]["spec"]["optimiser"]["b"]))
        for colour, (info, hist) in zip(style.colours(len(sel)), sel):
            o = info["spec"]["optimiser"]
            label = f"a={o['a']:.3g}, b={o['b']:.3g}"
            row[0].plot(hist["step"], hist["loss"], color=colour, lw=0.7, label=label)
            test = hist.dropna(subset=["test_error"])
            row[1].plot(test["step"], test["test_error"], color=colour, lw=0.8, label=label)
        row[0].set(yscale="log", xlabel="iteration", ylabel="DGM objective", title=titles.get(data, data))
        row[1].set(yscale="log", xlabel="iteration", ylabel="test error", title=titles.get(data, data))
        row[0].legend()
    fig.suptitle(r"Deep Galerkin method, Adam $\eta$=5e-4", fontsize=10)
    style.save(fig, png, pdf, stamp)


def fig09(runs, png, pdf, stats, stamp=None) -> None:
    """Fig 9: per-epoch mean training loss of stochastic Adam on the ResNet18, one line per (a, b),
    log y; the defaults in red as in the paper."""
    loaded = list(_runs(runs))
    fig, axes = style.subplots(ncols=1, width=6.0, height=3.8)
    ax = axes[0][0]
    others = iter(["#0072B2", "#009E73", "#E69F00", "#56B4E9", "#CC79A7"])
    for info, hist in sorted(loaded, key=lambda r: -r[0]["spec"]["optimiser"]["b"]):
        o = info["spec"]["optimiser"]
        per_epoch = info["problem_metadata"]["n_train"] // info["spec"]["batch_size"]
        ep = epoch_means(hist, per_epoch)
        default = np.isclose(o["alpha"], 0.999) and np.isclose(o["beta"], 0.9)
        ax.plot(np.arange(1, len(ep) + 1), ep, color="#CC3311" if default else next(others), lw=1.1,
                label=_opt_label(info) + (" (default)" if default else ""))
    info = loaded[0][0]
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss of the epoch")
    p = info["spec"]["problem"]
    ax.set_title(f"ResNet18 (width {p['width']}), {info['problem_metadata']['n_train']} CIFAR-10 images, "
                 rf"batch {info['spec']['batch_size']}, $\eta$={info['spec']['optimiser']['eta']:g}", fontsize=9.5)
    ax.legend(loc="lower left", fontsize=8.5)
    style.save(fig, png, pdf, stamp)


REGIME_COLOURS = {"oscillation": "#0072B2", "spike": "#E69F00", "divergence": "#CC3311"}


def _log_edges(values: np.ndarray) -> np.ndarray:
    """Cell edges of a log-spaced grid: geometric midpoints, extended by half a step at both ends."""
    lv = np.log10(values)
    step = np.diff(lv).mean() if len(lv) > 1 else 1.0
    return 10 ** np.concatenate([[lv[0] - step / 2], (lv[1:] + lv[:-1]) / 2, [lv[-1] + step / 2]])


def fig08(runs, png, pdf, stats, stamp=None) -> None:
    """Fig 8: left, heat-map of log10 of the mean loss over the last 1000 iterations over (a, b)
    (non-finite cells blank); right, each cell's regime. Cells off the grid (the PyTorch default
    when the sub-grid misses it) are drawn as circles in their colour; the dashed line is a = b."""
    import matplotlib.colors as mcolors
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grid = stats[stats["on_grid"].astype(bool)]
    extra = stats[~stats["on_grid"].astype(bool)]
    a_vals, b_vals = np.sort(grid["a"].unique()), np.sort(grid["b"].unique())
    heat = grid.pivot(index="b", columns="a", values="log10_tail_mean_loss").reindex(index=b_vals, columns=a_vals)
    codes = {label: i for i, label in enumerate(REGIME_COLOURS)}
    label_map = grid.pivot(index="b", columns="a", values="regime").reindex(index=b_vals, columns=a_vals)
    xe, ye = _log_edges(a_vals), _log_edges(b_vals)
    fig, axes = style.subplots(ncols=2, width=5.0, height=4.3)
    left, right = axes[0]
    values = np.ma.masked_invalid(heat.to_numpy(dtype=float))
    # every cell starts from the same loss: cells that end above it (blow-ups) saturate the scale
    start = float(np.log10(grid["initial_loss"].iloc[0]))
    top = min(float(values.max()), start)
    norm = mcolors.Normalize(vmin=float(values.min()), vmax=top)
    mesh = left.pcolormesh(xe, ye, values, cmap="viridis", norm=norm, shading="flat")
    fig.colorbar(mesh, ax=left, extend="max" if float(values.max()) > top else "neither",
                 label=f"log10 mean loss, last {int(grid['tail_window'].max())} iterations"
                       + ("\n(saturated above the initial loss)" if float(values.max()) > top else ""))
    for _, r in extra.iterrows():
        v = r["log10_tail_mean_loss"]
        left.scatter([r["a"]], [r["b"]], s=60, marker="o", edgecolor="white", linewidth=1.2,
                     color=mesh.cmap(norm(v)) if np.isfinite(v) else "none", zorder=3)
    cmap = mcolors.ListedColormap(list(REGIME_COLOURS.values()))
    right.pcolormesh(xe, ye, label_map.replace(codes).to_numpy(dtype=float), cmap=cmap, vmin=-0.5,
                     vmax=len(codes) - 0.5, shading="flat")
    for _, r in extra.iterrows():
        right.scatter([r["a"]], [r["b"]], s=60, marker="o", edgecolor="white", linewidth=1.2,
                      color=REGIME_COLOURS[r["regime"]], zorder=3)
    for ax, title in ((left, "mean training loss (log10)"), (right, "regime of the loss curve")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.plot([xe[0], xe[-1]], [xe[0], xe[-1]], ls="--", color="white" if ax is left else "0.15", lw=0.9)
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
        ax.set_xlabel(r"a   ($\alpha = 1 - a\eta$, second moment)")
        ax.set_ylabel(r"b   ($\beta = 1 - b\eta$, first moment)")
        ax.set_title(title)
        ax.grid(False)
    changed = label_changes(grid)
    handles = [Patch(color=c, label=f"{label} ({int((grid['regime'] == label).sum())})")
               for label, c in REGIME_COLOURS.items()]
    if len(extra):
        handles.append(Line2D([], [], marker="o", ls="", color="0.5", markeredgecolor="white",
                              label="off-grid cell: " + ", ".join(f"({r.a:g}, {r.b:g})" for r in extra.itertuples())))
    right.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    if changed:
        right.text(1.04, 0.02, "labels changed when a\nthreshold moves:\n" + "\n".join(
            f"{k}: {v:.0%}" for k, v in changed.items()), transform=right.transAxes, fontsize=7.5, va="bottom")
    eta = float(stats["eta"].iloc[0])
    fig.suptitle(rf"Full-batch Adam, $\eta$={eta:g}, {len(grid)} cells of the (a, b) grid", fontsize=11)
    style.save(fig, png, pdf, stamp)


DRAWERS = {"fig01": fig01, "fig02": fig02, "fig03": fig03, "fig04": fig04, "fig05": fig05,
           "fig06": fig06, "fig07": fig07, "fig08": fig08, "fig09": fig09,
           "fig10": fig10}

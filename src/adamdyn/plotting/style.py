"""The house style every figure shares, the atomic save of PNG + PDF, and labels derived from runs.

matplotlib and seaborn are imported when a figure is drawn, not with this module: every figure
module imports it, and the statistics, claims, comparison and provenance jobs, which draw nothing,
would pay for them (a job's imports took 0.50 s instead of 0.97 s, AMD EPYC, 8 runs each)."""
from __future__ import annotations

from pathlib import Path

from ..io import atomic_path

PALETTE = "colorblind"


def pyplot():
    """matplotlib.pyplot on the Agg backend (files only, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _seaborn():
    pyplot()
    import seaborn as sns

    return sns


def apply() -> None:
    sns = _seaborn()
    sns.set_theme(context="paper", style="ticks", palette=PALETTE, font_scale=1.15,
                  rc={"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                      "axes.spines.right": False, "legend.frameon": False, "lines.linewidth": 1.2,
                      "savefig.dpi": 150, "figure.dpi": 100})


def colours(n: int) -> list:
    return _seaborn().color_palette(PALETTE, n)


def subplots(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.2, **kw):
    apply()
    return pyplot().subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **kw)


def save(fig, png: str | Path, pdf: str | Path, stamp: str | None = None) -> None:
    """Write the figure as PNG and PDF, each atomically; ``stamp`` goes in small print at the bottom
    (and a figure-level legend, the published readings', at the bottom left in a strip kept free)."""
    if stamp:
        fig.text(0.995, 0.005, stamp, ha="right", va="bottom", fontsize=6, color="0.45")
    fig.tight_layout(rect=(0, 0.25 / fig.get_size_inches()[1] if fig.legends else 0, 1, 1))
    for path in (png, pdf):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip("."))
    pyplot().close(fig)


# --- labels derived from a run's settings (never written into a figure's strings) ---

NAMES = {"adam": "Adam", "rmsprop": "RMSprop", "signgd": "signGD"}
DATA_NAMES = {"cifar2": "CIFAR-2", "cifar10": "CIFAR-10", "fashion_mnist": "Fashion-MNIST",
              "sine": r"$\sum_k \sin(2\pi x_k)$", "poisson_cube": r"$-\Delta u=0$ on $(0,1)^4$",
              "poisson_disk": r"$-\Delta u=1$ on the unit disk"}


def opt_label(opt: dict, name: bool = True) -> str:
    """"Adam a=10, b=10", "RMSprop a=1", "signGD eta=1e-05" from a run's optimiser settings."""
    if opt["name"] == "signgd":
        return rf"signGD $\eta$={opt['eta']:g}"
    ab = f"a={opt['a']:.3g}" + (f", b={opt['b']:.3g}" if opt["beta"] is not None else "")
    return f"{NAMES[opt['name']]} {ab}" if name else ab


def factors_title(opt: dict) -> str:
    """"Adam (beta, alpha)=(0.9, 0.999)" or "RMSprop alpha=0.99"."""
    if opt["beta"] is not None:
        return rf"{NAMES[opt['name']]} $(\beta, \alpha)$=({opt['beta']:g}, {opt['alpha']:g})"
    return rf"{NAMES[opt['name']]} $\alpha$={opt['alpha']:g}"


def problem_title(info: dict) -> str:
    """The data and the network of a run: "CIFAR-2, MLP 256-256-128 (hidden)"; a variant's data set
    (``poisson_disk_8000``: its training-set size) and initialisation are said."""
    from ..settings import data_kind

    p = info["spec"]["problem"]
    kind = data_kind(p)
    data = DATA_NAMES.get(kind, kind)
    if p.get("data") not in (None, kind):  # a data set derived for a variant
        meta = info.get("problem_metadata", {})
        data += f" ({meta.get('n_train', meta.get('n_interior', p['data']))} points)"
    if "widths" in p:
        act = p.get("activation", "relu")
        init = {"xavier_uniform": ", Glorot-uniform init", "xavier_normal": ", Glorot-normal init",
                "normal": f", N(0, {p.get('init_std')}^2) init"}.get(p.get("init"), "")
        loss = {"half": ", half square loss", "sum_outputs": ", loss summed over outputs",
                "sum_samples": ", loss summed over samples and outputs"}.get(p.get("loss"), "")
        weight = f", boundary x{p['boundary_weight']:g}" if p.get("boundary_weight", 1) != 1 else ""
        return (f"{data}, MLP {'-'.join(map(str, p['widths']))} hidden" + ("" if act == "relu" else f", {act}")
                + init + loss + weight)
    return data

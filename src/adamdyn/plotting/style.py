"""The house style every figure shares, and the atomic save of PNG + PDF."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..io import atomic_path  # noqa: E402

PALETTE = "colorblind"


def apply() -> None:
    sns.set_theme(context="paper", style="ticks", palette=PALETTE, font_scale=1.15,
                  rc={"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                      "axes.spines.right": False, "legend.frameon": False, "lines.linewidth": 1.2,
                      "savefig.dpi": 150, "figure.dpi": 100})


def colours(n: int) -> list:
    return sns.color_palette(PALETTE, n)


def subplots(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.2, **kw):
    apply()
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **kw)


def save(fig, png: str | Path, pdf: str | Path, stamp: str | None = None) -> None:
    """Write the figure as PNG and PDF, each atomically; ``stamp`` goes in small print at the bottom."""
    if stamp:
        fig.text(0.995, 0.005, stamp, ha="right", va="bottom", fontsize=6, color="0.45")
    fig.tight_layout()
    for path in (png, pdf):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip("."))
    plt.close(fig)

"""Figure 6: RMSprop on f(x) = x^2 / 2 settles on the 2-periodic orbit x = +/- eta/2 for every alpha."""
from __future__ import annotations

import pandas as pd

from ..claims import Claim
from ..plotting import style
from ..stats import curves
from .common import base_row, load_runs, mark_published, rounded


def table(runs, window: int, orbit_rel_tol: float, orbit_window: int) -> pd.DataFrame:
    """How close each alpha's iterate is to the 2-periodic orbit x = +/- eta/2, and from when."""
    rows = []
    for run in load_runs(runs):
        row = base_row(run, window)
        x = run.history["x0"].to_numpy()
        radius = row["eta"] / 2
        row.update(orbit_radius=radius, orbit_entry_step=curves.orbit_entry(x, radius, orbit_rel_tol),
                   orbit_rel_tol=orbit_rel_tol, orbit_window=orbit_window,
                   max_rel_deviation_last=curves.max_orbit_deviation(x, radius, orbit_window),
                   final_x=float(x[-1]))
        rows.append(row)
    return pd.DataFrame(rows)


def claims(stats: pd.DataFrame) -> list[Claim]:
    """RMSprop on x^2/2 converges to the 2-periodic orbit x = +/- eta/2 for every alpha."""
    out = []
    for r in stats.sort_values("alpha").itertuples():
        on_orbit = r.orbit_entry_step is not None and not pd.isna(r.orbit_entry_step)
        out.append(Claim(
            id=f"fig06.orbit.alpha{r.alpha:g}",
            statement=f"RMSprop (eta={r.eta:g}, alpha={r.alpha:g}) on f(x) = x^2/2 settles on the 2-periodic "
                      f"orbit x = +/- eta/2 = +/- {r.orbit_radius:g}",
            measured={"on_orbit_from_iteration": None if not on_orbit else int(r.orbit_entry_step),
                      f"max_rel_deviation_last_{r.orbit_window}": rounded(r.max_rel_deviation_last, 3),
                      "final_x": rounded(r.final_x, 6)},
            threshold=f"| |x_t| - eta/2 | <= {r.orbit_rel_tol:g} eta/2 with alternating sign, to the end of the run",
            passed=bool(on_orbit and r.max_rel_deviation_last <= r.orbit_rel_tol)))
    return out


def draw(runs, stats, png, pdf, shown: tuple[int, int], stamp=None, published=None) -> None:
    """The iterate x_t for each alpha over the iterations ``shown``, with the orbit +/- eta/2; the
    published readings as markers."""
    loaded = sorted(load_runs(runs), key=lambda r: r.optimiser["alpha"])
    fig, axes = style.subplots(ncols=1, width=6.5, height=3.4)
    ax = axes[0][0]
    lo, hi = shown
    markers = ["o", "s", "^", "D", "v"]
    for i, (colour, run) in enumerate(zip(style.colours(len(loaded)), loaded)):
        hist = run.history
        part = hist[(hist["step"] >= lo) & (hist["step"] <= hi)]
        ax.plot(part["step"], part["x0"], color=colour, marker=markers[i % len(markers)], ms=2.5, lw=0.6,
                label=rf"$\alpha$={run.optimiser['alpha']:g}")
    eta = loaded[0].optimiser["eta"]
    for sign in (1, -1):
        ax.axhline(sign * eta / 2, color="0.2", ls="--", lw=0.9,
                   label=r"$\pm\eta/2$" if sign == 1 else None)
    ax.set_xlabel("iteration t")
    ax.set_ylabel(r"$x_t$")
    x0 = loaded[0].info["spec"]["problem"].get("x0")
    ax.set_title(rf"RMSprop on $f(x)=x^2/2$, $\eta$={eta:g}" + (f", $x_0$={x0:g}" if x0 is not None else ""))
    ax.legend(loc="upper right", ncol=2)
    mark_published({"iterate": ax}, published)
    style.save(fig, png, pdf, stamp)

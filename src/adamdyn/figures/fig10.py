"""Figure 10: the deep Galerkin method (eq. (13)) for two Poisson problems: the defaults spike late;
a ~ b is more stable and ends lower; a > b is worst. Objective and test error."""
from __future__ import annotations

import pandas as pd

from ..claims import Claim
from ..plotting import style
from ..settings import data_kind
from .common import at_ab, curve_table, load_runs, mark_published, moved_labels, rounded


def table(runs, window: int, regime: dict, sensitivity: dict) -> pd.DataFrame:
    """Per run: the objective's statistics and dynamics and the test error's (:func:`curve_table`)."""
    return curve_table(runs, window, regime, sensitivity)


def claims(stats: pd.DataFrame, default: dict[str, str], balanced: dict[str, str], a_over_b: dict[str, str],
           min_spikes: int) -> list[Claim]:
    """``default``, ``balanced`` and ``a_over_b`` map each problem (cube, disk) to its "a,b"."""
    out = []
    for problem in default:
        sub = stats[stats["problem"] == f"poisson_{problem}"]

        def pick(a_b):
            row = at_ab(sub, a_b)
            return next(row.itertuples()) if len(row) else None

        d, bal, big = pick(default[problem]), pick(balanced[problem]), pick(a_over_b[problem])
        if d is None or bal is None or big is None:
            raise ValueError(f"fig10: a run of problem {problem} is missing from the statistics")
        out.append(Claim(
            id=f"fig10.default_spikes.{problem}",
            statement=f"Poisson {problem}: Adam with the defaults (a, b) = ({default[problem]}) has large late spikes "
                      "in the objective and in the test error",
            measured={"late_spikes_objective": int(d.late_spikes),
                      "largest_objective_decades": rounded(d.late_spike_max_decades, 3),
                      "regime": moved_labels(stats.loc[d.Index].to_dict()),
                      "late_spikes_test_error": int(d.late_spikes_test_error),
                      "largest_test_error_decades": rounded(d.late_spike_max_decades_test_error, 3)},
            threshold=f">= {min_spikes} late spike(s) in both",
            passed=bool(d.late_spikes >= min_spikes and d.late_spikes_test_error >= min_spikes)))
        out.append(Claim(
            id=f"fig10.balanced_stabler_and_lower.{problem}",
            statement=f"Poisson {problem}: a ~ b ({balanced[problem]}) is more stable than the defaults and ends lower "
                      "in objective and test error",
            measured={"late_spikes": {default[problem]: int(d.late_spikes), balanced[problem]: int(bal.late_spikes)},
                      "tail_mean_objective": {default[problem]: rounded(d.tail_mean_loss),
                                              balanced[problem]: rounded(bal.tail_mean_loss)},
                      "final_test_error": {default[problem]: rounded(d.final_test_error),
                                           balanced[problem]: rounded(bal.final_test_error)}},
            threshold="fewer late spikes, lower tail-mean objective and lower final test error than the defaults",
            passed=bool(bal.late_spikes < d.late_spikes and bal.tail_mean_loss < d.tail_mean_loss
                        and bal.final_test_error < d.final_test_error)))
        worst = max((d, bal, big), key=lambda r: r.tail_mean_loss)
        out.append(Claim(
            id=f"fig10.a_over_b_worst.{problem}",
            statement=f"Poisson {problem}: a > b ({a_over_b[problem]}) performs worst",
            measured={"tail_mean_objective": {x: rounded(r.tail_mean_loss) for x, r in
                                              ((default[problem], d), (balanced[problem], bal), (a_over_b[problem], big))}},
            threshold="highest tail-mean objective of the three",
            passed=bool(worst is big)))
    return out


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """The two problems in rows: objective (left) and test error (right) for each (a, b), log y; the
    published readings as markers (panels cube, cube_test, disk, disk_test)."""
    loaded = load_runs(runs)
    problems = sorted({data_kind(r.info["spec"]["problem"]) for r in loaded})
    fig, axes = style.subplots(ncols=2, nrows=len(problems), width=4.6, height=3.2)
    panels = {}
    for row, data in zip(axes, problems):
        sel = sorted((r for r in loaded if data_kind(r.info["spec"]["problem"]) == data),
                     key=lambda r: (r.optimiser["a"], r.optimiser["b"]))
        for colour, run in zip(style.colours(len(sel)), sel):
            label = style.opt_label(run.optimiser, name=False)
            row[0].plot(run.history["step"], run.history["loss"], color=colour, lw=0.7, label=label)
            test = run.history.dropna(subset=["test_error"])
            row[1].plot(test["step"], test["test_error"], color=colour, lw=0.8, label=label)
        row[0].set(yscale="log", xlabel="iteration", ylabel="DGM objective", title=style.problem_title(sel[0].info))
        row[1].set(yscale="log", xlabel="iteration", ylabel="test error", title=style.DATA_NAMES.get(data, data))
        row[0].legend()
        panel = data.removeprefix("poisson_")
        panels.update({panel: row[0], f"{panel}_test": row[1]})
    mark_published(panels, published)
    fig.suptitle(rf"Deep Galerkin method, Adam $\eta$={loaded[0].optimiser['eta']:g}", fontsize=10)
    style.save(fig, png, pdf, stamp)

"""Curve statistics and claim checks on synthetic curves with known answers."""
import numpy as np
import pandas as pd

from adamdyn.figures.fig05 import claims as fig05_claims
from adamdyn.figures.fig06 import claims as fig06_claims
from adamdyn.claims.table import claims_markdown
from adamdyn.stats import curves


def test_tail_window_is_last_1000_or_last_third():
    assert curves.tail_window(20000, 1000) == 1000
    assert curves.tail_window(600, 1000) == 200


def test_summarise_smooth_decay_and_divergence():
    loss = np.exp(-np.arange(3000) / 100.0)
    s = curves.summarise(loss, 1000)
    assert s["tail_mean_loss"] == np.mean(loss[-1000:]) and not s["diverged"]
    assert s["min_loss"] == loss[-1] and s["final_loss"] == loss[-1]
    s = curves.summarise(np.array([1.0, 0.5, np.inf]), 1000)
    assert s["diverged"] and s["final_loss"] == 0.5 and s["iterations"] == 3


def test_orbit_entry_on_known_trajectory():
    eta = 0.01
    x = np.concatenate([np.linspace(1, 0.1, 50), (eta / 2) * (-1.0) ** np.arange(1, 101)])
    assert curves.orbit_entry(x, eta / 2, 0.01) == 50
    x[120] *= 1.5  # one excursion: the orbit is entered again after it
    assert curves.orbit_entry(x, eta / 2, 0.01) == 121
    assert curves.orbit_entry(np.zeros(10), eta / 2, 0.01) is None
    assert curves.max_orbit_deviation(x, eta / 2, 20) == 0.0


def _fig06_row(entry, dev, alpha=0.9):
    return {"alpha": alpha, "eta": 0.01, "orbit_radius": 0.005, "orbit_entry_step": entry,
            "orbit_rel_tol": 0.01, "orbit_window": 50, "max_rel_deviation_last": dev, "final_x": 0.005}


def test_fig06_claim_holds_only_on_the_orbit():
    stats = pd.DataFrame([_fig06_row(100, 1e-5, 0.5), _fig06_row(None, 1.0, 0.9)])
    claims = fig06_claims(stats)
    assert [c.passed for c in claims] == [True, False]
    md = claims_markdown({"fig06": [c.to_dict() for c in claims]}, "ci")
    assert "1 hold, 1 do not hold, 0 inconclusive (of 2)" in md and "does not hold" in md


def test_fig05_claims_detect_a_plateau_that_does_not_fall_with_eta():
    rows = []
    for method in ("signgd", "rmsprop"):
        for eta, plateau in ((1e-3, 1e-3), (1e-4, 1e-5)):
            rows.append({"run": f"{method}{eta}", "optimiser": method, "eta": eta, "f0": 12.0,
                         "plateau": plateau if method == "signgd" else 1e-3, "plateau_before": 1e-3,
                         "collapse_time": 1.0, "reach_time": 1.0, "reach_level": 1e-3, "final_time": 2.0,
                         "prop4_bound": 20.0, "mu": 0.1})
    claims = {c.id: c for c in fig05_claims(pd.DataFrame(rows), 2, 0.3, 1.5)}
    assert claims["fig05.plateau_falls_with_eta.signgd"].passed
    assert claims["fig05.plateau_falls_with_eta.signgd"].measured["log_log_slope"] == 2.0
    assert not claims["fig05.plateau_falls_with_eta.rmsprop"].passed
    assert not claims["fig05.fast_then_plateau"].passed  # signGD's 1e-5 plateau is 2 decades below the window before
    assert claims["fig05.prop4_stopping_time"].passed and claims["fig05.signgd_flow_limit"].passed


def test_fig10_claims_compare_the_three_roles_per_problem():
    from adamdyn.figures.fig10 import claims as fig10

    def row(a, b, spikes, test_spikes, tail, test):
        return {"problem": "poisson_cube", "a": a, "b": b, "late_spikes": spikes, "late_spike_max_decades": 2.0,
                "late_spikes_test_error": test_spikes, "late_spike_max_decades_test_error": 1.5,
                "tail_mean_loss": tail, "final_test_error": test, "regime": "spike", "regime_height=2": "oscillation"}

    stats = pd.DataFrame([row(2, 200, 3, 2, 1e-3, 1e-4), row(10, 10, 0, 0, 1e-4, 1e-5), row(100, 10, 0, 0, 1e-1, 1e-2)])
    claims = {c.id: c for c in fig10(stats, {"cube": "2,200"}, {"cube": "10,10"}, {"cube": "100,10"}, 1)}
    assert all(c.passed for c in claims.values()) and len(claims) == 3
    assert claims["fig10.default_spikes.cube"].measured["regime"] == {"label": "spike", "height=2": "oscillation"}
    stats.loc[1, "final_test_error"] = 1e-3  # a ~ b ends higher in test error than the defaults
    claims = {c.id: c for c in fig10(stats, {"cube": "2,200"}, {"cube": "10,10"}, {"cube": "100,10"}, 1)}
    assert not claims["fig10.balanced_stabler_and_lower.cube"].passed


def _phase_table(label_of, loss_of):
    vals = [0.1, 1.0, 10.0, 100.0]
    rows = []
    for b in vals:
        for a in vals:
            r = np.log10(b / a)
            label = label_of(r)
            rows.append({"a": a, "b": b, "eta": 1e-3, "on_grid": True, "regime": label, "regime_height=0.5": label,
                         "log10_tail_mean_loss": loss_of(label, r), "diverged": label == "divergence" and r < -1.5})
    rows.append({"a": 1.0, "b": 100.0, "eta": 1e-3, "on_grid": False, "regime": "spike", "regime_height=0.5": "spike",
                 "log10_tail_mean_loss": -4.0, "diverged": False})
    return pd.DataFrame(rows)


def test_fig08_claims_hold_on_the_papers_picture_and_fail_when_regions_swap():
    from adamdyn.figures.fig08 import claims as fig08_claims

    def paper_label(r):
        return "spike" if r > 0.5 else "divergence" if r < -0.5 else "oscillation"

    def loss(label, r):
        return {"oscillation": -6.0 - 0.05 * r, "spike": -4.0 - 0.5 * r, "divergence": 2.0}[label]

    good = {c.id: c for c in fig08_claims(_phase_table(paper_label, loss), "1,100", 0.5, 0.8, 0.05)}
    assert all(c.passed for c in good.values()), {k: c.measured for k, c in good.items()}
    bounds = good["fig08.distinct_regions"].measured
    assert bounds["smallest_diverging_a_over_b_by_b"]["0.1"] == 10.0  # row b = 0.1 diverges from a = 1
    assert bounds["smallest_spiking_b_by_a"]["0.1"] == 1.0
    assert bounds["smallest_diverging_a_over_b_by_b"]["100"] is None  # nothing diverges in the top row
    assert good["fig08.default_vs_best"].measured["gap_decades"] == 1.0  # -5 (spike at b/a = 100) vs -6 (a = b)
    onset = good["fig08.divergence_onset"].measured  # rows b = 1 and 10 lie in the published band 0.41-20.3
    assert onset["onset_interval_a_over_b_by_b"] == {"1": [1.0, 10.0], "10": [1.0, 10.0]}
    assert onset["theory_a_over_b_by_b"] == {"1": 2.0, "10": 1.99}  # 2 - b eta, 3 significant digits
    late = {c.id: c for c in fig08_claims(  # divergence only from a/b = 100: no overlap with 2.4-4.1
        _phase_table(lambda r: "divergence" if r < -1.5 else paper_label(max(r, 0)), loss), "1,100", 0.5, 0.8, 0.05)}
    assert not late["fig08.divergence_onset"].passed
    swapped = {c.id: c for c in fig08_claims(
        _phase_table(lambda r: paper_label(-r), loss), "1,100", 0.5, 0.8, 0.05)}
    assert not swapped["fig08.distinct_regions"].passed


def test_epoch_means_and_fig09_claims():
    from adamdyn.figures.fig09 import claims as fig09_claims
    from adamdyn.figures.fig09 import epoch_means

    hist = pd.DataFrame({"loss": np.arange(25, dtype=float)})
    assert epoch_means(hist, 10).tolist() == [4.5, 14.5]  # the incomplete last epoch is left out

    def row(b, spikes, tail, mean_log):
        return {"a": 1.0, "b": b, "late_spikes": spikes, "late_spike_max_decades": 1.5 * spikes,
                "late_spike_epochs": "310" if spikes else np.nan, "max_rebound_decades": 1.5 * spikes,
                "tail_mean_epoch_loss": tail, "mean_log10_epoch_loss": mean_log, "epochs": 500}
    stats = pd.DataFrame([row(100, 1, 1e-3, -2.5), row(1.5, 0, 1e-4, -3.0), row(0.1, 0, 1e-2, -1.2)])
    assert all(c.passed for c in fig09_claims(stats, "1,100", "1,1.5", "1,0.1", 1))
    stats.loc[1, "tail_mean_epoch_loss"] = 1e-2  # a ~ b ends higher than the defaults: that claim fails
    verdicts = {c.id: c.passed for c in fig09_claims(stats, "1,100", "1,1.5", "1,0.1", 1)}
    assert verdicts == {"fig09.default_spikes_late": True, "fig09.balanced_smooth_and_lower": False,
                        "fig09.small_b_slow": True}

"""The batch-size study (beyond the paper): mini-batches and the spikes, the paper's second open question.

Section 5 asks what the batch size does to the dynamics. Adam
on the CIFAR-2 MLP of Figs 2, 3 and 7 with (a, b) = (1, 100) and (10, 10) at eta = 1e-3, at batch
sizes N, N/4, N/16 (a seeded permutation per epoch, as in Fig 9), and with two scaling rules applied
from the full-batch setting to a batch N * kappa:

- the square-root rule (Malladi et al., NeurIPS 2022, arXiv 2205.10287): eta * sqrt(kappa),
  1 - beta and 1 - alpha times kappa, eps / sqrt(kappa);
- the half-life rule (Marek et al., arXiv 2507.07101): alpha^kappa, so that the second moment's
  half-life stays fixed in samples; eta, beta, eps unchanged.

What the literature expects, checked as claims: the adaptive edge of stability weakens at small
batch sizes (Cohen et al., arXiv 2207.14484), so the default's late spikes should be fewer at N/16
than full batch; a scaling rule should keep the per-epoch loss curve closer to the full-batch one
than the same batch without it. The paper's a ~ b should stay free of spikes.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..claims import Claim, count_verdict, with_caveat
from ..plotting import style
from ..settings import EPS, settings_close
from ..stats import curves, evidence
from ..figures.common import base_row, epoch_means, load_runs, parse_ab, per_epoch, rounded, spike_settings

RULES = ("sqrt", "halflife")


def settings(eta: float, rates: list[str], full_batch: int, divisors: list[int], rules: dict) -> list[dict]:
    """Every run of the figure as {a_b, divisor, rule, eta, alpha, beta, eps, batch_size}: plain runs
    at batch N / divisor (None for full batch), and each rule at its divisors, kappa = 1 / divisor."""
    out = []
    for text in rates:
        a, b = parse_ab(text)
        alpha, beta = 1.0 - a * eta, 1.0 - b * eta
        for d in divisors:
            out.append(_setting(text, d, "none", eta, alpha, beta, EPS, full_batch))
        for rule, ds in rules.items():
            if rule not in RULES:
                raise ValueError(f"batch_size.rules: unknown rule {rule!r}; the rules are {', '.join(RULES)}")
            for d in ds:
                k = 1.0 / d
                if rule == "sqrt":
                    out.append(_setting(text, d, rule, eta * math.sqrt(k), 1 - k * (1 - alpha), 1 - k * (1 - beta),
                                        EPS / math.sqrt(k), full_batch))
                else:
                    out.append(_setting(text, d, rule, eta, alpha ** k, beta, EPS, full_batch))
    return out


def _setting(text, d, rule, eta, alpha, beta, eps, full_batch) -> dict:
    if full_batch % d:
        raise ValueError(f"batch_size: full_batch {full_batch} is not divisible by {d}; pick divisors of N")
    return {"a_b": text, "divisor": d, "rule": rule, "eta": eta, "alpha": alpha, "beta": beta, "eps": eps,
            "batch_size": None if d == 1 else full_batch // d}


def expand(cfg: dict) -> dict:
    """Runs entries, one per :func:`settings` entry, each ``epochs`` epochs long."""
    runs = [{"optimiser": "adam", "eta": s["eta"], "alpha": s["alpha"], "beta": s["beta"], "eps": s["eps"],
             "batch_size": s["batch_size"], "iterations": cfg["epochs"] * s["divisor"]}
            for s in settings(cfg["eta"], cfg["rates"], cfg["full_batch"], cfg["divisors"], cfg["rules"])]
    keep = {k: cfg[k] for k in ("problem", "dtype", "seeds", "threads", "checkpoint_every", "sequence") if k in cfg}
    return {**keep, "iterations": cfg["epochs"], "runs": runs}


def _which(run, table: list[dict]) -> dict:
    opt, spec = run.optimiser, run.info["spec"]
    for s in table:
        if spec["batch_size"] == s["batch_size"] and all(
                settings_close(float(opt[k]), float(s[k])) for k in ("eta", "alpha", "beta", "eps")):
            return s
    raise ValueError(f"batch_size: run {run.info['name']} matches no setting of the figure's config")


def table(runs, window: int, regime: dict, eta: float, rates: list[str], full_batch: int, divisors: list[int],
          rules: dict) -> pd.DataFrame:
    """Per run, statistics of its per-epoch mean loss: the tail mean (last tenth of the epochs), spike
    events in the second half (the classifier's thresholds with its windows counted in iterations, as
    Fig 9: a run of k iterations an epoch has windows k times fewer epochs long), per 100 epochs, their
    largest height; ``gap_to_full_batch_decades``, the mean |Delta log10| between its epoch curve and
    the full-batch run's of the same (a, b) and seed, and ``excess_over_full_batch_decades``, the mean
    of that difference where the run lies above (a run below full batch is not behind it)."""
    expected = settings(eta, rates, full_batch, divisors, rules)
    rows, epoch_curves = [], {}
    for run in load_runs(runs):
        if run.info["problem_metadata"]["n_train"] != full_batch:
            raise ValueError(f"batch_size: run {run.info['name']} trains on {run.info['problem_metadata']['n_train']} "
                             f"samples but full_batch is {full_batch}; set scales.<scale>.batch_size.full_batch to N")
        s = _which(run, expected)
        row = base_row(run, window)
        ep = epoch_means(run.history, per_epoch(run))
        events = curves.spike_events(ep, start=len(ep) // 2, **spike_settings(regime, per_epoch(run)))
        row.update(a_b=s["a_b"], divisor=s["divisor"], rule=s["rule"], batch_size=full_batch // s["divisor"],
                   epochs=len(ep), tail_mean_epoch_loss=float(ep[-max(1, len(ep) // 10):].mean()),
                   late_spikes=len(events), late_spikes_per_100_epochs=100 * len(events) / max(1, len(ep) - len(ep) // 2),
                   late_spike_max_decades=max((e["height"] for e in events), default=0.0))
        rows.append(row)
        epoch_curves[row["run"]] = curves.log_loss(ep)
    stats = pd.DataFrame(rows)
    for i, r in stats.iterrows():
        full = stats[(stats["a_b"] == r["a_b"]) & (stats["seed"] == r["seed"]) & (stats["divisor"] == 1)]
        if len(full):
            x, y = epoch_curves[r["run"]], epoch_curves[full.iloc[0]["run"]]
            n = min(len(x), len(y))
            stats.loc[i, "gap_to_full_batch_decades"] = float(np.nanmean(np.abs(x[:n] - y[:n])))
            stats.loc[i, "excess_over_full_batch_decades"] = float(np.nanmean(np.maximum(x[:n] - y[:n], 0.0)))
    return stats


def of_setting(stats: pd.DataFrame, a_b: str) -> pd.DataFrame:
    """The runs of the figure's setting ``a_b`` (column ``a_b``), with or without a rule. A rule run
    stores its own (a, b) ((10, 10) becomes (2.5, 2.5) under the square-root rule at N/16), so
    selecting by the stored (a, b) would miss it."""
    want = parse_ab(a_b)
    return stats[[np.allclose(parse_ab(v), want) for v in stats["a_b"]]]


def _fewer_verdict(full: int, small: int, seeds: int, min_seeds: int, max_p: float) -> tuple[dict, float]:
    """``passed``/``why`` of "fewer spike events at the small batch", from the events pooled over the
    seeds that ran both (the same late epochs each): under equal rates the small batch's share of the
    events is Binomial(n, 1/2), so chance gives this few or fewer with p = P(X >= full)."""
    n = full + small
    p = evidence.binomial_tail(full, n, 0.5) if n else 1.0
    return count_verdict(small < full, p, seeds, min_seeds, max_p, "batch size"), p


def claims(stats: pd.DataFrame, default: str, balanced: str, min_seeds: int, max_chance_p: float,
           chosen_on_results: dict | None = None) -> list[Claim]:
    """Fewer late spikes of the default at the smallest batch (spike counts are chaotic: ``min_seeds``
    seeds and an exact test, :func:`_fewer_verdict`); each rule closer to full batch than the plain batch
    it is applied to; no late spikes for a ~ b. A length chosen after seeing results (the scale's
    ``chosen_on_results``) is carried by every verdict (:func:`adamdyn.claims.with_caveat`)."""
    out = []
    d = of_setting(stats, default)
    plain = d[d["rule"] == "none"].groupby("divisor")
    spikes = plain["late_spikes_per_100_epochs"].mean()
    heights = plain["late_spike_max_decades"].max()
    smallest = int(spikes.index.max())
    plain_runs = d[d["rule"] == "none"]
    both = set(plain_runs.loc[plain_runs["divisor"] == 1, "seed"]) & set(plain_runs.loc[plain_runs["divisor"] == smallest, "seed"])
    events = {k: int(plain_runs[(plain_runs["divisor"] == k) & plain_runs["seed"].isin(both)]["late_spikes"].sum())
              for k in (1, smallest)}
    verdict, p = _fewer_verdict(events[1], events[smallest], len(both), min_seeds, max_chance_p)
    out.append(Claim(
        id="batch_size.small_batch_fewer_spikes",
        statement=f"The default ({default})'s late spikes are fewer at batch N/{smallest} than at full batch: the "
                  "adaptive edge of stability weakens at small batch sizes (Cohen et al. 2022)",
        measured={"late_spikes_per_100_epochs_by_divisor": {int(k): rounded(v, 3) for k, v in spikes.items()},
                  "largest_decades_by_divisor": {int(k): rounded(v, 3) for k, v in heights.items()},
                  "spike_events_over_seeds": {f"N/{k}" if k > 1 else "N": v for k, v in events.items()},
                  "seeds": len(both), "chance_p": rounded(p, 3)},
        threshold=f"over >= {min_seeds} seeds, fewer late spike events at N/{smallest} than at N, beyond chance "
                  f"(equal rates would give this few with p <= {max_chance_p:g}); as many or more: does not hold",
        **verdict))
    for rule, who in (("sqrt", "the square-root rule (Malladi et al. 2022)"),
                      ("halflife", "the half-life rule (Marek et al. 2025)")):
        ruled = stats[stats["rule"] == rule]
        for div in sorted(ruled["divisor"].unique()):
            gap_rule = ruled[ruled["divisor"] == div].groupby("a_b")["excess_over_full_batch_decades"].mean()
            same = stats[(stats["rule"] == "none") & (stats["divisor"] == div)]
            gap_plain = same.groupby("a_b")["excess_over_full_batch_decades"].mean()
            out.append(Claim(
                id=f"batch_size.{rule}_rule_tracks_full_batch.N_over_{div}",
                statement=f"At batch N/{div}, {who} applied from the full-batch setting keeps the per-epoch loss "
                          "closer to the full-batch curve than the same batch without it",
                measured={"gap_decades_with_rule": {k: rounded(v, 3) for k, v in gap_rule.items()},
                          "gap_decades_without": {k: rounded(v, 3) for k, v in gap_plain.items()}},
                threshold="mean excess of log10 epoch loss over the full-batch curve (where above it; mean over "
                          "seeds) smaller with the rule, for every (a, b)",
                passed=bool(len(gap_rule)) and all(gap_rule[k] < gap_plain.get(k, -np.inf) for k in gap_rule.index)))
    bal = of_setting(stats, balanced)
    out.append(Claim(
        id="batch_size.balanced_no_spikes",
        statement=f"a ~ b ({balanced}) has no late spikes at any batch size, with or without a rule (the paper's "
                  "oscillation regime; Fig 9's smooth a ~ b)",
        measured={f"N/{int(r.divisor)} {r.rule} seed {int(r.seed)}": int(r.late_spikes)
                  for r in bal.itertuples() if r.late_spikes},
        threshold="no late spike event in any of its runs (measured lists the runs that have some)",
        passed=bool(len(bal)) and int(bal["late_spikes"].sum()) == 0))
    return with_caveat(out, chosen_on_results)


def draw(runs, stats, png, pdf, default: str, stamp=None) -> None:
    """Rows: (a, b). Column 1: the per-epoch mean loss at each batch size; then one column per divisor
    a rule is applied at: that batch plain, with each rule, and full batch. Lines: the median over
    seeds; bands: their range."""
    loaded = {r.info["name"]: r for r in load_runs(runs)}
    curves_of = {name: epoch_means(r.history, per_epoch(r)) for name, r in loaded.items()}
    rates = list(dict.fromkeys(stats.sort_values("b", ascending=False)["a_b"]))
    rule_divs = sorted(stats.loc[stats["rule"] != "none", "divisor"].unique())
    fig, axes = style.subplots(nrows=len(rates), ncols=1 + len(rule_divs), width=4.6, height=3.4)
    divisors = sorted(stats["divisor"].unique())
    palette = style.colours(len(divisors) + len(RULES))
    batch_colours = dict(zip(divisors, palette))
    rule_style = {"none": "-", "sqrt": "--", "halflife": ":"}
    rule_colours = dict(zip(RULES, palette[len(divisors):]))
    n = int(stats["batch_size"].max())

    def band(ax, sub, colour, ls, label):
        eps = [curves_of[r] for r in sub["run"]]
        m = min(len(e) for e in eps)
        stack = np.vstack([e[:m] for e in eps])
        x = np.arange(1, m + 1)
        ax.plot(x, np.median(stack, axis=0), color=colour, ls=ls, lw=1.0, label=label)
        if len(eps) > 1:
            ax.fill_between(x, stack.min(axis=0), stack.max(axis=0), color=colour, alpha=0.15, lw=0)

    for i, text in enumerate(rates):
        sub = stats[stats["a_b"] == text]
        a, b = parse_ab(text)
        tag = " (default)" if text == default or np.allclose((a, b), parse_ab(default)) else ""
        ax = axes[i][0]
        for d in divisors:
            band(ax, sub[(sub["rule"] == "none") & (sub["divisor"] == d)], batch_colours[d], "-",
                 "full batch" if d == 1 else f"batch N/{d}")
        ax.set(yscale="log", xlabel="epoch", ylabel="mean training loss of the epoch",
               title=f"a={a:g}, b={b:g}{tag}: batch size (N={n})")
        ax.legend(loc="lower left", fontsize=7)
        for j, d in enumerate(rule_divs, start=1):
            ax = axes[i][j]
            band(ax, sub[(sub["rule"] == "none") & (sub["divisor"] == 1)], batch_colours[1], "-", "full batch")
            band(ax, sub[(sub["rule"] == "none") & (sub["divisor"] == d)], batch_colours[d], "-", f"N/{d}, same settings")
            for rule in RULES:
                part = sub[(sub["rule"] == rule) & (sub["divisor"] == d)]
                if len(part):
                    band(ax, part, rule_colours[rule], rule_style[rule],
                         f"N/{d}, {'square-root' if rule == 'sqrt' else 'half-life'} rule")
            ax.set(yscale="log", xlabel="epoch", title=f"a={a:g}, b={b:g}: scaling rules at N/{d}")
            ax.legend(loc="lower left", fontsize=7)
    eta = stats.loc[(stats["rule"] == "none"), "eta"].iloc[0]
    seeds = stats["seed"].nunique()
    fig.suptitle(rf"Batch size: Adam, $\eta$={eta:g}, " + (f"median of {seeds} seeds (band: range)" if seeds > 1
                                                            else "one seed"), fontsize=11)
    style.save(fig, png, pdf, stamp)

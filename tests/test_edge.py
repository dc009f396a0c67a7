"""The divergence-edge study's divergence edge: the update bound of Zhang et al., the bisection, its sharding, its
training job (multi-seed stacks, the logged largest update, resuming without retraining) and its claims."""
import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from adamdyn import bisection
from adamdyn.data.prepare import save_prepared
from adamdyn.edge import Chain, bisect_edges, update_bound, update_bound_at
from adamdyn.studies import divergence_edge
from adamdyn.problems.networks import mlp_net
from adamdyn.runs import RunPlan

from conftest import CONFIG
from test_batched import _data


def test_the_bound_is_finite_exactly_below_beta_equals_sqrt_alpha_and_approaches_b_over_sqrt_a_eta():
    eta = 1e-3
    for b in (0.7, 2.9, 11.9):
        edge = 2 * b - b * b * eta  # beta = sqrt(alpha)
        assert math.isfinite(update_bound(0.999 * edge, b, eta)) and update_bound(1.001 * edge, b, eta) == math.inf
        a = b  # a = b: b / (sqrt(a eta) (b - a/2)) = 2 / sqrt(b eta), to O(eta)
        assert update_bound(a, b, eta) == pytest.approx(2 / math.sqrt(b * eta), rel=0.02)
    t = np.arange(1, 200001)
    bt = update_bound_at(1.0, 1.0, eta, t)
    assert bt[0] == pytest.approx(1.0)  # at t = 1, m_hat / sqrt(v_hat) = g / |g|
    assert np.all(bt <= update_bound(1.0, 1.0, eta) * (1 + 1e-9)) and bt[-1] == pytest.approx(update_bound(1.0, 1.0, eta), rel=1e-3)
    assert update_bound_at(4.0, 1.0, eta, t)[-1] > 1e6  # beyond the edge B_t grows without bound


def test_adam_moments_on_any_gradients_stay_below_the_bound_at_every_step():
    """|m_hat_t| / sqrt(v_hat_t) <= B_t for gradients of any size and sign (heavy-tailed, runs of one sign)."""
    rng = np.random.default_rng(0)
    eta, t = 1e-2, np.arange(1, 3001)
    for a, b in ((1.0, 1.0), (1.9, 1.0), (0.3, 5.0)):
        alpha, beta = 1 - a * eta, 1 - b * eta
        g = rng.standard_cauchy(3000) * np.where(rng.random(3000) < 0.5, 1.0, 1e-4)
        g[1000:1400] = np.abs(g[1000:1400])  # a long run of one sign
        m = v = 0.0
        ratio = []
        for k, gk in enumerate(g, start=1):
            m, v = beta * m + (1 - beta) * gk, alpha * v + (1 - alpha) * gk * gk
            ratio.append(abs(m / (1 - beta ** k)) / math.sqrt(v / (1 - alpha ** k)))
        assert np.all(np.array(ratio) <= update_bound_at(a, b, eta, t) * (1 + 1e-9))


def test_bisection_brackets_a_known_edge_and_trains_every_chain_of_a_step_in_one_call():
    edges = {0.7: 3.3, 2.9: 2.2, 11.9: 9.0}
    calls = []

    def train(step, points):
        calls.append((step, len(points)))
        return [ratio >= edges[chain.b] for chain, ratio in points]

    chains = bisect_edges([Chain(b, 0, 1e-3, 1.0, 16.0) for b in edges], 4, train)
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    for c in chains:
        lo, hi = c.bracket()
        assert lo < edges[c.b] <= hi and hi / lo == pytest.approx(16 ** (1 / 16))
        assert max(r for r, d in c.tested if not d) < min(r for r, d in c.tested if d)  # monotone by construction


def test_shards_split_the_chains_once_each_with_nearly_equal_cost():
    job = {"rows": [0.7, 1.4, 2.9, 5.9, 11.9], "seeds": [0, 1, 2], "etas": [1e-3, 2e-3], "bracket": [1, 16]}
    chains = bisection.chains_of(job)
    shards = bisection.shard_chains(chains, 2, time=8.0)
    assert sorted(id(c) for s in shards for c in s) == sorted(id(c) for c in chains)
    cost = [sum(8.0 / c.eta for c in s) for s in shards]
    assert abs(cost[0] - cost[1]) <= 8.0 / 1e-3
    assert bisection.shard_chains(chains, 2, time=8.0) == shards


def test_the_logged_largest_update_is_that_of_torch_adams_own_moments():
    x, y = _data()
    torch.manual_seed(0)
    net = mlp_net([12, 8, 3]).double()
    eta, a, b = 1e-2, 2.0, 1.5
    from adamdyn.batched import Stack

    stack = Stack(net, x, y, eta, torch.tensor([a], dtype=torch.float64), torch.tensor([b], dtype=torch.float64),
                  30, log_update_max=True)
    while stack.k < 30:
        stack.step()
    cell = copy.deepcopy(net)
    opt = torch.optim.Adam(cell.parameters(), lr=eta, betas=(1 - b * eta, 1 - a * eta), eps=1e-8)
    for k in range(30):
        opt.zero_grad()
        nn.functional.mse_loss(cell(x), y).backward()
        opt.step()
        t = k + 1
        ratio = max(float(((s["exp_avg"] / (1 - (1 - b * eta) ** t)).abs()
                           / ((s["exp_avg_sq"] / (1 - (1 - a * eta) ** t)).sqrt() + 1e-8)).max())
                    for s in opt.state.values())
        assert stack.update_max[k, 0].item() == pytest.approx(ratio, rel=1e-9)


@pytest.fixture
def tiny_data(tmp_path):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(60, 12, generator=gen)
    y = nn.functional.one_hot(torch.randint(0, 3, (60,), generator=gen), 3).float()
    save_prepared(tmp_path / "data" / "tiny.pt", {"x_train": x, "y_train": y}, {"name": "tiny"})
    return tmp_path / "data"


JOB = {"figure": "divergence_edge", "problem": {"name": "mlp", "data": "tiny", "widths": [8, 8]}, "dtype": "float64",
       "rows": [0.5, 2.0], "seeds": [0, 1], "etas": [1e-2, 2e-2], "time": 0.6, "bracket": [1.0, 16.0], "steps": 2,
       "anchors": [1.0]}


def test_a_stack_of_several_seeds_trains_each_cell_as_its_own_seeds_stack(tiny_data, tmp_path):
    job = {**JOB, "etas": [1e-2]}
    plans = [bisection.edge_plan(job, c, 3.0, 1) for c in bisection.chains_of(job)]
    dev = torch.device("cpu")
    from adamdyn.batched import train_batch

    both = train_batch(plans, tmp_path / "both.pt", dev, 1000, log=lambda m: None, data_dir=tiny_data)
    for seed in (0, 1):
        own = [p for p in plans if p.spec.seed == seed]
        alone = train_batch(own, tmp_path / f"s{seed}.pt", dev, 1000, log=lambda m: None, data_dir=tiny_data)
        for p, r in zip(own, alone):
            mixed = both[plans.index(p)].history
            # equal to float64 rounding: a stack of another shape may take another BLAS kernel (seen on an
            # AMD EPYC: differences of 1e-16 relative), as tests/test_batched.py accepts
            np.testing.assert_allclose(mixed["loss"].to_numpy(), r.history["loss"].to_numpy(), rtol=1e-10, atol=0)
            np.testing.assert_allclose(mixed["update_max"].to_numpy(), r.history["update_max"].to_numpy(),
                                       rtol=1e-10, atol=0)
    assert not np.array_equal(both[0].history["loss"], both[1].history["loss"])  # seeds 0 and 1 differ


def test_the_bisection_job_writes_real_runs_and_a_second_call_trains_nothing(tiny_data, tmp_path, monkeypatch):
    regime = CONFIG["stats"]["regime"]
    args = dict(regime=regime, runs_dir=tmp_path / "runs", checkpoint_dir=tmp_path / "ck", device=torch.device("cpu"),
                data_dir=tiny_data, threads=1, checkpoint_every=10, log=lambda m: None)
    tested = [t for shard in (0, 1) for t in bisection.bisect_figure(JOB, **args, shard=shard, shards=2)]
    assert len(tested) == 2 * 2 * 2 * 2 + 2  # rows x seeds x etas x steps, and an anchor per row
    assert sorted(n for _, n in tested) == [30] * 8 + [60] * 10  # t / eta iterations
    for d, n in tested:
        info = RunPlan.from_dict(pd.read_json(f"{d}/run.json", typ="series")["plan"])
        assert info.log_update_max and info.iterations == n
        assert "update_max" in pd.read_parquet(f"{d}/history.parquet")

    def refuse(*a, **k):
        raise AssertionError("trained again")

    monkeypatch.setattr(bisection, "train_batch", refuse)
    again = [t for shard in (0, 1) for t in bisection.bisect_figure(JOB, **args, shard=shard, shards=2)]
    assert again == tested


def _stats(edges: dict, eta2_shift: float = 1.0, exceed: int = 0) -> pd.DataFrame:
    """A the divergence-edge study table whose chains diverge at a/b >= edge (per row), 3 seeds, two etas, 3 steps."""
    rows = []
    for b, edge in edges.items():
        for eta in (1e-3, 2e-3):
            for seed in range(3):
                chain = Chain(b, seed, eta, 1.0, 16.0)
                for _ in range(3):
                    r = chain.next_ratio()
                    d = r >= edge * (eta2_shift if eta == 2e-3 else 1.0)
                    chain.tested.append((r, d))
                    bound = update_bound(r * b, b, eta)
                    rows.append({"row_b": b, "b": b, "seed": seed, "eta": eta, "a_over_b": r,
                                 "regime": "divergence" if d else "oscillation", "update_bound": bound,
                                 "update_max": 5.0, "update_max_late": 2.0, "update_over_bound_max": 0.5,
                                 "update_bound_exceeded": exceed if math.isfinite(bound) else 0,
                                 "bracket_low": 1.0, "bracket_high": 16.0, "steps": 3, "first_eta": 1e-3})
    return pd.DataFrame(rows)


def test_claims_read_the_edge_against_the_theory_lines_and_the_published_band():
    by_id = {c.id: c for c in divergence_edge.claims(_stats({0.7: 3.0, 2.9: 3.0, 11.9: 3.5}))}
    assert by_id["divergence_edge.bounded_edge"].passed and by_id["divergence_edge.ode_edge"].passed
    assert by_id["divergence_edge.published_band"].passed and by_id["divergence_edge.eta_independent"].passed
    assert "divergence_edge.update_bound" not in by_id  # an identity of the recursion: tested above, not a claim
    by_id = {c.id: c for c in divergence_edge.claims(_stats({0.7: 1.3, 2.9: 6.0, 11.9: 3.0}, eta2_shift=2.5, exceed=1))}
    assert not by_id["divergence_edge.bounded_edge"].passed  # a run at a/b < 2 diverged
    assert by_id["divergence_edge.ode_edge"].passed is False  # a run at a/b = 5.66 > 4 stayed finite
    assert not by_id["divergence_edge.published_band"].passed and not by_id["divergence_edge.eta_independent"].passed
    assert by_id["divergence_edge.published_band"].measured["rows_whose_brackets_overlap_the_band"] == "1/3"  # only (2.83, 4]

"""Spike detection, oscillation measures and the regime label on synthetic curves with known answers."""
import numpy as np
import pytest

from adamdyn.stats import curves
from adamdyn.stats.curves import oscillation

from conftest import CONFIG

REGIME = CONFIG["stats"]["regime"]  # the classifier's thresholds as config.yaml sets them
SPIKE = {k: REGIME[k] for k in ("height", "floor_window", "rise_within", "recovery")}


def regime(loss, **moved):
    return curves.regime(loss, **{**REGIME, **moved})


def spike_events(loss, **moved):
    return curves.spike_events(loss, **{**SPIKE, **moved})

N = 3000
T = np.arange(N)


def smooth_decay():
    return 0.5 * np.exp(-T / 300) + 1e-4


def with_spikes(times, decades=2.0):
    """A decay to 1e-4 with spikes: a rise of ``decades`` over 10 iterations, a recovery over 60."""
    l = np.log10(smooth_decay())
    for t0 in times:
        up = np.linspace(0, decades, 10)
        down = np.linspace(decades, 0, 60)
        bump = np.concatenate([up, down])
        l[t0:t0 + len(bump)] += bump[: N - t0]
    return 10 ** l


def fast_oscillation(amplitude=0.3):
    """A small 2-periodic oscillation of +/- amplitude decades around a plateau."""
    return 10 ** (np.log10(smooth_decay()) + amplitude * (-1.0) ** T)


def test_smooth_decay_is_oscillation_without_spikes():
    r = regime(smooth_decay())
    assert r["label"] == "oscillation" and r["spikes_in_window"] == 0
    assert spike_events(smooth_decay()) == []


def test_k_spikes_of_known_height_are_counted():
    times = [2200, 2500, 2800]
    events = spike_events(with_spikes(times, 2.0))
    assert [e["start"] for e in events] == pytest.approx(times, abs=2)
    assert [e["height"] for e in events] == pytest.approx([2.0] * 3, abs=0.05)
    assert all(e["recovered"] for e in events)
    assert regime(with_spikes(times))["label"] == "spike"
    # the height threshold moves the count: 2-decade spikes are not 3-decade spikes
    assert spike_events(with_spikes(times, 2.0), height=3.0) == []


def test_spike_at_the_end_that_has_not_recovered_still_counts():
    events = spike_events(with_spikes([2980], 2.0))
    assert len(events) == 1 and not events[0]["recovered"]


def test_fast_small_oscillation_has_its_amplitude_and_period():
    osc = oscillation(fast_oscillation(0.3), start=2000)
    assert osc["amplitude"] == pytest.approx(0.3, rel=0.05)
    assert osc["period"] == pytest.approx(2.0, rel=0.01)
    assert regime(fast_oscillation(0.3))["label"] == "oscillation"


def test_divergence_nan_no_progress_and_rising_floor():
    nan = smooth_decay()
    nan[1500] = np.nan
    r = regime(nan[:1501])
    assert r["label"] == "divergence" and r["nonfinite"]
    assert regime(np.full(N, 0.5) * (1 + 0.01 * np.sin(T)))["no_progress"]
    rising = 10 ** np.concatenate([np.linspace(0, -4, 1000), np.linspace(-4, -1, 2000)])
    r = regime(rising)
    assert r["label"] == "divergence" and r["floor_rise_decades"] >= 1
    dense = 10 ** (np.linspace(0, -1.5, N) + 1.2 * (T % 2))  # decade-sized jumps, still near the start
    assert regime(dense)["label"] == "divergence"


def test_a_late_spike_that_has_not_recovered_is_a_spike_not_a_divergence():
    """Fig 1's CIFAR-2 curve: the floor falls to 1e-8 between spikes, then a spike near the end
    lifts the loss 5 decades and the run ends before it recovers."""
    l = np.log10(smooth_decay()) - 4 * (T > 1500)
    l[2800:] = np.linspace(-3, -5, N - 2800)  # jumps 5 decades at 2800, decays, still far above the floor
    r = regime(10 ** l)
    assert r["floor_rise_decades"] >= 1 and r["ends_in_spike"]
    assert r["label"] == "spike"

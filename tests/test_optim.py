"""Single optimiser steps against the paper's equations (2), (3) and (5), computed by hand in float64."""
import math

import pytest
import torch

from adamdyn.optim import OptimiserSpec, SignGD, adam, moment_buffers, rmsprop


def _param(values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _step(opt, p, grad):
    p.grad = torch.tensor(grad, dtype=torch.float64)
    opt.step()
    return p.detach().clone()


GRADS = ([0.3, -2.0, 1e-3], [-0.1, -1.5, 4.0])
X0 = [1.0, -0.5, 0.25]


def test_adam_two_steps_follow_eq3_with_bias_correction_and_eps_outside_sqrt():
    eta, alpha, beta, eps = 0.01, 0.95, 0.8, 1e-2  # a large eps shows where it sits
    p = _param(X0)
    opt = adam([p], eta=eta, alpha=alpha, beta=beta, eps=eps)
    x, m, v = list(X0), [0.0] * 3, [0.0] * 3  # m0 = v0 = 0
    for t, g in enumerate(GRADS):
        got = _step(opt, p, g)
        for i in range(3):
            v[i] = alpha * v[i] + (1 - alpha) * g[i] ** 2
            m[i] = beta * m[i] + (1 - beta) * g[i]
            x[i] -= eta * (m[i] / (1 - beta ** (t + 1))) / (math.sqrt(v[i] / (1 - alpha ** (t + 1))) + eps)
        assert got.tolist() == pytest.approx(x, rel=1e-13, abs=1e-15)
    mb, vb = moment_buffers(opt)
    assert mb[0].tolist() == pytest.approx(m, rel=1e-13)
    assert vb[0].tolist() == pytest.approx(v, rel=1e-13)


def test_rmsprop_two_steps_follow_eq2_without_bias_correction():
    eta, alpha, eps = 0.01, 0.9, 1e-2
    p = _param(X0)
    opt = rmsprop([p], eta=eta, alpha=alpha, eps=eps)
    x, v = list(X0), [0.0] * 3
    for g in GRADS:
        got = _step(opt, p, g)
        for i in range(3):
            v[i] = alpha * v[i] + (1 - alpha) * g[i] ** 2
            x[i] -= eta * g[i] / (math.sqrt(v[i]) + eps)
        assert got.tolist() == pytest.approx(x, rel=1e-13, abs=1e-15)
    m, vb = moment_buffers(opt)
    assert m == [] and vb[0].tolist() == pytest.approx(v, rel=1e-13)


def test_signgd_moves_each_coordinate_by_eta():
    p = _param(X0)
    opt = SignGD([p], lr=0.1)
    got = _step(opt, p, [0.3, -2.0, 0.0])
    assert got.tolist() == pytest.approx([0.9, -0.4, 0.25], rel=1e-15)  # sign(0) = 0


def test_a_b_parameterisation_matches_alpha_beta():
    spec = OptimiserSpec.from_config("adam", eta=1e-3, a=1, b=100)
    assert spec.alpha == pytest.approx(0.999) and spec.beta == pytest.approx(0.9)  # PyTorch defaults
    assert spec.a == pytest.approx(1) and spec.b == pytest.approx(100)
    p = _param(X0)
    opt = spec.build([p])
    assert opt.param_groups[0]["betas"] == pytest.approx((0.9, 0.999))
    assert OptimiserSpec.from_config("rmsprop", eta=1e-3, alpha=0.99).a == pytest.approx(10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="adam", eta=1e-3, a=1), "Adam needs beta"),
    (dict(name="adam", eta=1e-3, a=2000, b=1), "Invalid a = 2000: alpha = 1 - a eta = -1"),
    (dict(name="adam", eta=-1.0, a=1, b=1), "Invalid learning rate eta"),
    (dict(name="rmsprop", eta=1e-3, alpha=0.9, b=1), "no first-moment factor"),
    (dict(name="signgd", eta=1e-3, a=1), "signGD takes no momentum"),
    (dict(name="adamw", eta=1e-3), "Unknown optimiser 'adamw'"),
    (dict(name="adam", eta=1e-3, a=1, alpha=0.9, b=1), "either alpha or its rate"),
])
def test_invalid_settings_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OptimiserSpec.from_config(**kwargs)

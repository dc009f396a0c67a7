"""Preconditioned sharpness (groundwork for the spike-mechanism study): Hessian-vector products against finite
differences, Lanczos against exact eigenvalues of P^{-1} A on a quadratic, Adam's preconditioner."""
import torch

from adamdyn.problems.networks import mlp_net
from adamdyn.sharpness import (adam_preconditioner, flatten, hessian_vector_product, lanczos_top,
                               preconditioned_sharpness, stability_threshold)


def _quadratic(n=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=gen, dtype=torch.float64))
    eig = torch.linspace(-5.0, 3.0, n, dtype=torch.float64)  # negative ones too: largest algebraic is 3, not -5
    A = q @ torch.diag(eig) @ q.T
    x = torch.randn(n, generator=gen, dtype=torch.float64).requires_grad_(True)
    return A, x, (lambda: 0.5 * x @ A @ x)


def test_hessian_vector_product_of_a_quadratic_is_A_v():
    A, x, f = _quadratic()
    v = torch.randn(12, dtype=torch.float64)
    assert torch.allclose(hessian_vector_product(f, [x], v), A @ v, atol=1e-12)


def test_hessian_vector_product_of_a_network_matches_finite_differences():
    torch.manual_seed(0)
    net = mlp_net([5, 8, 8, 2]).double()
    x, y = torch.randn(32, 5, dtype=torch.float64), torch.randn(32, 2, dtype=torch.float64)
    params = list(net.parameters())

    def loss():
        return ((net(x) - y) ** 2).mean()

    v = torch.randn(sum(p.numel() for p in params), dtype=torch.float64)
    hv = hessian_vector_product(loss, params, v)

    def grad_at(shift):
        with torch.no_grad():
            start = 0
            for p in params:
                p.add_(shift[start:start + p.numel()].view_as(p))
                start += p.numel()
        g = flatten(torch.autograd.grad(loss(), params))
        with torch.no_grad():
            start = 0
            for p in params:
                p.sub_(shift[start:start + p.numel()].view_as(p))
                start += p.numel()
        return g

    h = 1e-5
    fd = (grad_at(h * v) - grad_at(-h * v)) / (2 * h)
    assert torch.allclose(hv, fd, rtol=1e-5, atol=1e-7)


def test_lanczos_finds_the_largest_algebraic_eigenvalue():
    A, _, _ = _quadratic()
    value, vector = lanczos_top(lambda v: A @ v, torch.ones(12, dtype=torch.float64), steps=12)
    assert abs(value - 3.0) < 1e-9 and torch.allclose(A @ vector, 3.0 * vector, atol=1e-8)


def test_preconditioned_sharpness_is_the_top_eigenvalue_of_P_inverse_A():
    A, x, f = _quadratic()
    P = torch.linspace(0.5, 4.0, 12, dtype=torch.float64)
    exact = torch.linalg.eigvals(torch.diag(1 / P) @ A).real.max()
    value, _ = preconditioned_sharpness(f, [x], P, steps=12, generator=torch.Generator().manual_seed(1))
    assert abs(value - float(exact)) < 1e-8


def test_adams_preconditioner_and_the_stability_threshold():
    v = [torch.tensor([4e-6, 1e-4], dtype=torch.float64)]
    P = adam_preconditioner(v, t=10, alpha=0.999, beta=0.9, eps=1e-8)
    expected = (1 - 0.9 ** 10) * ((torch.tensor([4e-6, 1e-4], dtype=torch.float64) / (1 - 0.999 ** 10)).sqrt() + 1e-8)
    assert torch.allclose(P, expected)
    assert abs(stability_threshold(1e-3, 0.9) - 38_000) < 1e-6  # 38 / eta
    b, eta = 100.0, 1e-3  # (a, b) form: (4 - 2 b eta) / (b eta^2)
    assert abs(stability_threshold(eta, 1 - b * eta) - (4 - 2 * b * eta) / (b * eta ** 2)) < 1e-6


def test_spike_probe_measures_R_decoupling_and_the_update_cosine_of_adam_on_a_quadratic():
    """On f = x^T A x / 2 (A positive definite, n = 8) the probe's lambda_1(P^-1 H) is the exact top
    eigenvalue of P^-1 A, its decoupling ratio is sum g^2 / sum v_hat, its cosine that of the step."""
    from adamdyn.sharpness import SpikeProbe

    gen = torch.Generator().manual_seed(1)
    q, _ = torch.linalg.qr(torch.randn(8, 8, generator=gen, dtype=torch.float64))
    A = q @ torch.diag(torch.linspace(0.5, 4.0, 8, dtype=torch.float64)) @ q.T
    x = torch.randn(8, generator=gen, dtype=torch.float64).requires_grad_(True)
    eta, alpha, beta = 1e-2, 0.99, 0.9
    opt = torch.optim.Adam([x], lr=eta, betas=(beta, alpha), eps=1e-8)
    probe = SpikeProbe([x], opt, eta, alpha, beta, 1e-8, every=1, steps=8)
    f = lambda: 0.5 * x @ A @ x  # noqa: E731
    for k in range(6):
        opt.zero_grad()
        f().backward()
        g = x.grad.detach().clone()
        before = x.detach().clone()
        out = probe.before_step(k, f)
        v = opt.state[x]["exp_avg_sq"].clone() if k else None
        opt.step()
        cosine = probe.after_step()
        step = x.detach() - before
        assert abs(cosine - float(-(step @ g) / (step.norm() * g.norm()))) < 1e-12
    t = 5
    P = (1 - beta ** t) * ((v / (1 - alpha ** t)).sqrt() + 1e-8)
    exact = torch.linalg.eigvals(torch.diag(1 / P) @ A).real.max()
    assert abs(out["sharpness"] - float(exact)) < 1e-8 * float(exact)
    assert abs(out["sharpness_ratio"] - out["sharpness"] / stability_threshold(eta, beta)) < 1e-12
    assert abs(out["decoupling"] - float(g.square().sum() / (v / (1 - alpha ** t)).sum())) < 1e-12


def test_lanczos_gives_nan_not_an_error_when_the_products_overflow():
    start = torch.ones(4)
    value, vector = lanczos_top(lambda x: x * float("inf"), start, steps=3)
    assert value != value and torch.equal(vector, start / start.norm())

"""The batched executor's stack equals the same cells trained one at a time with torch.optim.Adam."""
import copy

import torch
from torch import nn

from adamdyn.batched import stack_mlp, train_stack
from adamdyn.problems.networks import mlp_net


def _data(n=64, d=12, classes=3):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = nn.functional.one_hot(torch.randint(0, classes, (n,), generator=gen), classes).double()
    return x, y


def test_batched_block_equals_cells_trained_one_at_a_time():
    x, y = _data()
    torch.manual_seed(0)
    net = mlp_net([12, 16, 16, 3]).double()
    eta = 1e-2
    a = torch.tensor([0.5, 10.0, 50.0], dtype=torch.float64)
    b = torch.tensor([50.0, 10.0, 0.5], dtype=torch.float64)
    losses, diverged = train_stack(net, x, y, eta, a, b, iterations=50)
    for k in range(3):
        cell = copy.deepcopy(net)
        opt = torch.optim.Adam(cell.parameters(), lr=eta, betas=(1 - b[k].item() * eta, 1 - a[k].item() * eta), eps=1e-8)
        looped = []
        for _ in range(50):
            opt.zero_grad()
            loss = nn.functional.mse_loss(cell(x), y)
            looped.append(loss.item())
            loss.backward()
            opt.step()
        assert torch.allclose(losses[:, k], torch.tensor(looped, dtype=torch.float64), rtol=1e-9, atol=1e-12)
    assert (diverged == -1).all()


def test_a_diverging_cell_is_frozen_and_does_not_touch_the_others():
    x, y = _data()
    torch.manual_seed(0)
    net = mlp_net([12, 16, 3]).double()
    a = torch.tensor([1.0, 1.0], dtype=torch.float64)
    b = torch.tensor([10.0, 10.0], dtype=torch.float64)
    ref, _ = train_stack(net, x, y, 1e-2, a[:1], b[:1], iterations=20)
    start = stack_mlp(net, 2)
    with torch.no_grad():
        start[0][1] = 1e200  # cell 1's first layer overflows: a non-finite loss at iteration 0
    losses, diverged = train_stack(net, x, y, 1e-2, a, b, iterations=20, start=start)
    assert diverged.tolist() == [-1, 0]
    assert not torch.isfinite(losses[0, 1]) and torch.isnan(losses[1:, 1]).all()
    # the healthy cell is untouched: equal to float64 rounding (a stack of another width may take another
    # BLAS kernel: 1e-17 apart on an AMD EPYC)
    assert torch.allclose(losses[:, 0], ref[:, 0], rtol=1e-12, atol=0)


def test_a_cell_that_diverges_mid_run_is_frozen_there_and_the_others_run_on_untouched():
    """Cell 1 trains normally for 10 iterations; then its first layer is blown up (as an overflow
    would), so its loss turns non-finite at iteration 10: it is marked there, its earlier losses are
    those of a cell trained alone, and cell 0 runs all 30 iterations exactly as alone."""
    from adamdyn.batched import Stack

    x, y = _data()
    torch.manual_seed(0)
    net = mlp_net([12, 16, 3]).double()
    a = torch.tensor([1.0, 10.0], dtype=torch.float64)
    b = torch.tensor([10.0, 1.0], dtype=torch.float64)
    alone = [train_stack(net, x, y, 1e-2, a[k:k + 1], b[k:k + 1], iterations=30)[0][:, 0] for k in range(2)]
    stack = Stack(net, x, y, 1e-2, a, b, 30)
    for k in range(30):
        if k == 10:
            with torch.no_grad():
                stack.params[0][1] *= 1e200
        stack.step()
    assert stack.diverged_at.tolist() == [-1, 10]
    assert torch.allclose(stack.losses[:10, 1], alone[1][:10], rtol=1e-12, atol=0)
    assert not torch.isfinite(stack.losses[10, 1]) and torch.isnan(stack.losses[11:, 1]).all()
    assert torch.allclose(stack.losses[:, 0], alone[0], rtol=1e-12, atol=0)
    assert all(torch.isfinite(t[1]).all() and not t[1].any() for t in stack.params + stack.opt.m + stack.opt.v)

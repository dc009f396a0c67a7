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
    assert torch.equal(losses[:, 0], ref[:, 0])  # the healthy cell is untouched

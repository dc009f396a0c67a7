"""Readable names for settings, e.g. ``adam_eta1e-3_a10_b10_seed0``."""
from __future__ import annotations


def fmt(x: float | int) -> str:
    """A number as it reads in a name: 4 significant digits, short exponents (1e-3, 5e-4, 1e4, 0.9, 10)."""
    x = float(x)
    if x != 0 and (abs(x) < 0.095 or abs(x) >= 1e4):
        mant, exp = f"{x:.3e}".split("e")
        return f"{mant.rstrip('0').rstrip('.')}e{int(exp)}"
    return f"{x:.4g}"


def split_figure_id(name: str) -> tuple[str, str | None]:
    """A figure id is a paper figure's ``figNN`` or a study's name (``lr_decay``), or for a named
    variant of either (``adamdyn.registry.variant_configs``) ``<id>-<variant>``: returns (<id>,
    variant or None)."""
    base, _, variant = name.partition("-")
    return base, (variant or None)

"""The failures that explain themselves: the message names the file, run or key and says what to do,
so a script reports it in one line, without a traceback (scripts/_cli.py)."""
from __future__ import annotations


class Explained(RuntimeError):
    """A failure whose message is the whole story."""
